"""The queue of updates waiting for the bot, with Telegram's confirmation semantics."""

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from .models import QueuedUpdate
from .signals import Signal

# What Telegram sends when allowed_updates is empty or was never given.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Pending (unconfirmed) updates in update_id order.

    An update stays until the bot confirms it: getUpdates with a higher offset, or a 2xx answer
    from the webhook. Inside `batch()` new updates are held back and then appear all at once,
    so one getUpdates call returns them together.
    """

    def __init__(self, first_update_id: int = 1) -> None:
        self._next_id = first_update_id
        self._pending: deque[QueuedUpdate] = deque()
        self._held: list[QueuedUpdate] = []
        self._batch_depth = 0
        self.allowed: frozenset[str] | None = None  # None: Telegram's default set
        self.signal = Signal()  # fired when updates appear or are confirmed
        self.created = 0
        self.confirmed = 0

    def __len__(self) -> int:
        return len(self._pending)

    def __iter__(self) -> Iterator[QueuedUpdate]:
        return iter(self._pending)

    def is_allowed(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """Apply an allowed_updates parameter: None keeps the setting, [] restores the default."""
        if kinds is None:
            return
        chosen = frozenset(kinds)
        self.allowed = chosen or None

    def next_id(self) -> int:
        update_id = self._next_id
        self._next_id += 1
        return update_id

    def put(self, kind: str, body: dict[str, Any]) -> QueuedUpdate:
        """Queue an update of this kind; dropped (id used) when the bot did not allow it."""
        update_id = self.next_id()
        update = QueuedUpdate(update_id, kind, {"update_id": update_id, kind: body})
        self.created += 1
        if not self.is_allowed(kind):
            return update
        if self._batch_depth:
            self._held.append(update)
        else:
            self._pending.append(update)
            self.signal.fire()
        return update

    def begin_batch(self) -> None:
        self._batch_depth += 1

    def end_batch(self) -> None:
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._held:
            self._pending.extend(self._held)
            self._held.clear()
            self.signal.fire()

    def confirm_below(self, offset: int) -> None:
        """getUpdates offset semantics: forget every update with an id below `offset`."""
        pending = self._pending
        dropped = 0
        while pending and pending[0].update_id < offset:
            pending.popleft()
            dropped += 1
        if dropped:
            self.confirmed += dropped
            self.signal.fire()

    def keep_last(self, count: int) -> None:
        """A negative offset -count: forget all but the last `count` updates."""
        pending = self._pending
        dropped = 0
        while len(pending) > count:
            pending.popleft()
            dropped += 1
        if dropped:
            self.confirmed += dropped
            self.signal.fire()

    def first(self) -> QueuedUpdate | None:
        return self._pending[0] if self._pending else None

    def confirm_first(self, update_id: int) -> None:
        """The webhook answered 2xx for the first update."""
        if self._pending and self._pending[0].update_id == update_id:
            self._pending.popleft()
            self.confirmed += 1
            self.signal.fire()

    def take(self, limit: int) -> list[QueuedUpdate]:
        """The first `limit` pending updates, left in the queue until confirmed."""
        if limit >= len(self._pending):
            return list(self._pending)
        return [self._pending[i] for i in range(limit)]

    def drop_all(self) -> None:
        if self._pending:
            self.confirmed += len(self._pending)
            self._pending.clear()
            self.signal.fire()
