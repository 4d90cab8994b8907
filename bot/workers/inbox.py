"""The inbox worker: what users sent through a webhook (WhatsApp, Telegram), handled per user
one message at a time and in order, users in parallel — as python-telegram-bot does for
Telegram's updates. It resumes whatever is pending on start: a message stored before a
crash is handled after it.

Every process runs one per channel, on the same inbox: a pass claims the head message of
idle users with a lease (storage/inbox.py), so a user's messages are never handled by two
processes at once, and a user whose head another process holds is skipped. A lease is
renewed while its message is being handled; the lease of a process that died runs out and
another process takes the message. A new message wakes the local worker at once; other
processes find it at their next pass (`idle_seconds`), or sooner when told (`wake`).

A message whose handling fails is tried again a little later; after `max_attempts` it is
set aside ('failed', logged) so that the user's next messages are not held behind it. Each
claim counts an attempt, and a message that kills its process each time is set aside too,
but only after `max_claims` claims: with several processes, a holder also dies for reasons
of its own (a machine lost, a deployment, a crash elsewhere in it), taking every message it
held along, and three such deaths must not leave a customer unanswered for ever.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

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
        claimant: str,
        wake: asyncio.Event | None = None,
        lease_seconds: float = 30.0,
        idle_seconds: float = IDLE_LOOK_SECONDS,
        max_parallel: int = 64,
        max_attempts: int = 3,
        max_claims: int = 10,
        retry_seconds: float = 2.0,
        on_done: Callable[[str, str], None] = lambda channel, outcome: None,
    ) -> None:
        self._storage = storage
        self._channel = channel
        self._name = f"inbox-{channel}"
        self._handle = handle
        self._claimant = claimant  # this process, in the leases it holds
        self._lease = timedelta(seconds=lease_seconds)
        self._wake = wake or asyncio.Event()  # set when a webhook stored messages
        self._max_parallel = max_parallel
        self._max_attempts = max_attempts
        self._max_claims = max(max_claims, max_attempts)
        self._retry_seconds = retry_seconds
        self._on_done = on_done  # (channel, 'handled' | 'retry' | 'failed'), for metrics
        self._busy: dict[int, int] = {}  # user -> the message of theirs being handled
        self._tasks: set[asyncio.Task[None]] = set()
        self._renewed_at = 0.0
        # The passes: at once when woken, else every `idle_seconds` (a failed pass is
        # logged and the next one tries again).
        self._passes = Periodic(self._name, self.dispatch, idle_seconds, self._wake)

    def wake(self) -> None:
        """Look now: a message was stored (here, or by another process that said so)."""
        self._wake.set()

    @property
    def name(self) -> str:
        return self._name

    def start(self) -> None:
        self._passes.start()

    @property
    def running(self) -> bool:
        return self._passes.running

    async def stop(self, grace: float = 5.0) -> None:
        """Messages being handled get `grace` seconds; then what is left goes back."""
        await self._passes.stop()
        if self._tasks and grace > 0:
            await asyncio.wait(list(self._tasks), timeout=grace)
        cut_short = list(self._busy.values())
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=1)
        # What was cut short goes back at once: another process (or this one, restarted)
        # need not wait for its lease to run out.
        for inbox_id in cut_short:
            await self._storage.single.inbox.release(inbox_id, self._claimant, None)

    async def dispatch(self) -> int:
        """Start handling the next message of every idle user (within the free slots)."""
        await self._renew()
        free = self._max_parallel - len(self._busy)
        if free <= 0 or not await self._storage.read.inbox.claimable(self._channel):
            return 0
        async with self._storage.transaction() as tx:
            heads = await tx.inbox.claim(
                self._channel, self._claimant, self._lease, free, skip_users=set(self._busy)
            )
        for head in heads:
            if head.attempts > self._max_claims:  # its earlier claims never finished
                await self._set_aside(head)
                continue
            self._busy[head.user_id] = head.id
            task = asyncio.create_task(self._handle_one(head))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(heads)

    async def _renew(self) -> None:
        """Keep the leases of the messages being handled (every third of a lease)."""
        now = asyncio.get_running_loop().time()
        if not self._busy or now - self._renewed_at < self._lease.total_seconds() / 3:
            return
        self._renewed_at = now
        held = await self._storage.single.inbox.renew(
            list(self._busy.values()), self._claimant, self._lease
        )
        if held < len(self._busy):
            log.warning("%s: %d lease(s) lost", self._name, len(self._busy) - held)

    async def _handle_one(self, message: InboxMessage) -> None:
        try:
            await self._handle(message)
        except Exception:
            log.exception("inbox message %s of user %s failed", message.id, message.user_id)
            await self._failed(message)
        else:
            if await self._storage.single.inbox.finish(message.id, self._claimant):
                self._on_done(self._channel, "handled")
            else:
                log.warning("inbox message %s: lease lost while it was handled", message.id)
        finally:
            self._busy.pop(message.user_id, None)
            self._wake.set()  # this user's next message may go now

    async def _failed(self, message: InboxMessage) -> None:
        if message.attempts >= self._max_attempts:
            await self._set_aside(message)
            return
        retry_at = self._storage.clock() + timedelta(seconds=self._retry_seconds)
        await self._storage.single.inbox.release(message.id, self._claimant, retry_at)
        self._on_done(self._channel, "retry")
        loop = asyncio.get_running_loop()
        loop.call_later(self._retry_seconds, self._wake.set)

    async def _set_aside(self, message: InboxMessage) -> None:
        log.error("inbox message %s set aside after %s attempts", message.id, message.attempts)
        await self._storage.single.inbox.finish(message.id, self._claimant, "failed")
        self._on_done(self._channel, "failed")
