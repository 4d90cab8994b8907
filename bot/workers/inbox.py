"""The inbox worker: what users sent through a webhook (WhatsApp), handled per user one
message at a time and in order, users in parallel — as python-telegram-bot does for
Telegram's updates. It resumes whatever is pending on start: a message stored before a
crash is handled after it.

A message whose handling fails is tried again a little later; after `max_attempts` it is
set aside ('failed', logged) so that the user's next messages are not held behind it.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.workers.periodic import Periodic
from storage import Storage
from storage.inbox import InboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[InboxMessage], Awaitable[None]]
IDLE_LOOK_SECONDS = 1.0


class InboxWorker:
    def __init__(
        self,
        storage: Storage,
        channel: str,
        handle: Handler,
        *,
        wake: asyncio.Event | None = None,
        max_parallel: int = 64,
        max_attempts: int = 3,
        retry_seconds: float = 2.0,
    ) -> None:
        self._storage = storage
        self._channel = channel
        self._name = f"inbox-{channel}"
        self._handle = handle
        self._wake = wake or asyncio.Event()  # set when a webhook stored messages
        self._max_parallel = max_parallel
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._busy: set[int] = set()  # users with a message being handled
        self._resting: set[int] = set()  # users whose head failed a moment ago
        self._tasks: set[asyncio.Task[None]] = set()
        # The passes: at once when woken, else every IDLE_LOOK_SECONDS (a failed pass is
        # logged and the next one tries again).
        self._passes = Periodic(self._name, self.dispatch, IDLE_LOOK_SECONDS, self._wake)

    def wake(self) -> None:
        self._wake.set()

    @property
    def name(self) -> str:
        return self._name

    def start(self) -> None:
        self._passes.start()

    @property
    def running(self) -> bool:
        return self._passes.running

    async def stop(self) -> None:
        await self._passes.stop()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        for task in list(self._tasks):
            task.cancel()

    async def dispatch(self) -> int:
        """Start handling the next message of every idle user (within the free slots)."""
        free = self._max_parallel - len(self._busy)
        if free <= 0:
            return 0
        skip = self._busy | self._resting
        heads = await self._storage.read.inbox.heads(self._channel, free, skip_users=skip)
        for head in heads:
            self._busy.add(head.user_id)
            task = asyncio.create_task(self._handle_one(head))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(heads)

    async def _handle_one(self, message: InboxMessage) -> None:
        try:
            await self._handle(message)
        except Exception:
            log.exception("inbox message %s of user %s failed", message.id, message.user_id)
            await self._failed(message)
        else:
            await self._storage.single.inbox.mark_handled(message.id)
        finally:
            self._busy.discard(message.user_id)
            self._wake.set()  # this user's next message may go now

    async def _failed(self, message: InboxMessage) -> None:
        if message.attempts + 1 >= self._max_attempts:
            log.error(
                "inbox message %s set aside after %s attempts", message.id, message.attempts + 1
            )
            await self._storage.single.inbox.mark_failed(message.id)
            return
        await self._storage.single.inbox.count_attempt(message.id)
        self._resting.add(message.user_id)
        loop = asyncio.get_running_loop()
        loop.call_later(self._retry_seconds, self._rested, message.user_id)

    def _rested(self, user_id: int) -> None:
        self._resting.discard(user_id)
        self._wake.set()
