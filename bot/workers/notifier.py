"""The notifier: drains the outbox to the users' channels (money rule 4).

At least once, in order per user (one message in flight per user, the oldest first), many
users in parallel. It wakes as soon as a message is queued and resumes whatever is pending
on start, so a crash between "committed" and "sent" only delays a message. A message that
can never go out as it is (it cannot be rendered, or the channel refuses it as malformed) is
set aside at once for admins (OutboxStatus.DEAD) rather than retried in front of the rest.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.channels.base import (
    DeliveryError,
    MessageRefused,
    OutboundChannel,
    Outgoing,
    RecipientGone,
    RetryLater,
)
from bot.workers.waking import wait_until_set
from handlers.types import Reply, TemplateMessage
from storage import Storage
from storage.database import Clock, utc_now
from storage.models import OutboxMessage, Payment, User

log = logging.getLogger(__name__)


class Renderer(Protocol):
    """An outbox message as its user reads it (handlers.outbox.OutboxRenderer)."""

    def __call__(self, message: OutboxMessage, payment: Payment | None, user: User) -> Reply: ...

    def template(
        self, message: OutboxMessage, payment: Payment | None, user: User
    ) -> TemplateMessage: ...


IDLE_LOOK_SECONDS = 1.0
WAKE_COALESCE_SECONDS = 0.005


def retry_delay(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … at most 5 minutes between tries after network errors."""
    return timedelta(seconds=min(2 ** min(attempts, 9), 300))


class Notifier:
    """One a channel: a channel's backlog (WhatsApp's recipient pace, Telegram's flood
    limits) never holds back another's deliveries."""

    def __init__(
        self,
        storage: Storage,
        channel_name: str,
        channel: OutboundChannel,
        render: Renderer,
        *,
        clock: Clock = utc_now,
        max_parallel: int = 64,
        idle_look: float | None = None,
        wake: asyncio.Event | None = None,
        on_sent: Callable[[OutboxMessage, float], None] = lambda message, latency: None,
        on_failure: Callable[[OutboxMessage, str], None] = lambda message, kind: None,
    ) -> None:
        self._storage = storage
        self._channel_name = channel_name
        self._channel = channel
        self._render = render
        self._clock = clock
        self._wake = wake or asyncio.Event()  # set by whoever queues a message
        self._busy_users: set[int] = set()
        self._max_parallel = max_parallel
        self._idle_look = idle_look  # None: IDLE_LOOK_SECONDS
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._on_sent = on_sent  # delivered, after so many seconds in the outbox
        self._on_failure = on_failure  # an attempt failed, of this kind

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name=f"notifier-{self._channel_name}")

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    async def stop(self, grace: float = 5.0) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._tasks:
            # Let sends under way finish (and be marked) rather than cut them in half.
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = await self.dispatch_due()
            except Exception:
                log.exception("outbox pass failed; trying again")
                wait = 1.0
            await wait_until_set(self._wake, wait)
            # Wakes come in bursts (a commit per message, a finished delivery each): one
            # pass serves them all.
            await asyncio.sleep(WAKE_COALESCE_SECONDS)

    async def dispatch_due(self) -> float:
        """Start delivering due heads of line while there are free slots; returns how long
        to sleep before looking again."""
        free = self._max_parallel - len(self._busy_users)
        if free <= 0:
            return self._idle()  # a delivery that finishes wakes us
        now = self._clock()
        # Users with a message under way are left out: their next one waits its turn. No
        # delivery starts anywhere else, so no head found here can be under way already.
        heads = await self._storage.read.outbox.heads_due(
            now, limit=free, skip_users=tuple(self._busy_users), channel=self._channel_name
        )
        for head in heads:
            if head.user_id in self._busy_users or len(self._busy_users) >= self._max_parallel:
                continue
            self._busy_users.add(head.user_id)
            task = asyncio.create_task(self._deliver(head))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        next_due = await self._storage.read.outbox.next_due_at(self._channel_name)
        return self._seconds_until(next_due, now)

    def _seconds_until(self, moment: datetime | None, now: datetime) -> float:
        # Rows written in this process wake us at once; rows written by another process
        # (the admin command line) are found by this idle look, at most a second later.
        if moment is None:
            return self._idle()
        return max(0.05, min(self._idle(), (moment - now).total_seconds()))

    def _idle(self) -> float:
        return IDLE_LOOK_SECONDS if self._idle_look is None else self._idle_look

    async def _deliver(self, message: OutboxMessage) -> None:
        try:
            await self._deliver_one(message)
        except Exception:
            log.exception("delivery of outbox message %s failed", message.id)
            await self._retry(message, retry_delay(message.attempts), "internal error")
        finally:
            self._busy_users.discard(message.user_id)
            self._wake.set()  # this user's next message may go now

    async def _deliver_one(self, message: OutboxMessage) -> None:
        user = await self._storage.read.users.get(message.user_id)
        if user is None:
            return
        payment = None
        if message.payment_id is not None:
            payment = await self._storage.read.payments.get(message.payment_id)
        try:
            reply = self._render(message, payment, user)
        except Exception as error:
            # Rendering is pure: what failed once fails every time, and a retried head of
            # line would hold every later message of this user (codes included) behind it.
            self._on_failure(message, "render")
            log.error(
                "outbox message %s (%s) cannot be rendered: set aside for admins",
                message.id,
                message.kind.value,
                exc_info=True,
            )
            await self._dead(message, f"render: {type(error).__name__}: {error}")
            return

        def template() -> TemplateMessage:
            return self._render.template(message, payment, user)

        try:
            await self._channel.send(user, Outgoing(reply, message, template))
        except RetryLater as error:
            self._on_failure(message, "retry_after")
            await self._retry(message, timedelta(seconds=error.seconds), str(error))
        except RecipientGone as error:
            self._on_failure(message, "recipient_gone")
            log.warning("user %s cannot be reached (%s): messages kept for admins", user.id, error)
            async with self._storage.transaction() as tx:
                await tx.users.mark_undeliverable(user.id)
                await tx.outbox.mark_undeliverable_for_user(user.id, str(error))
        except MessageRefused as error:
            self._on_failure(message, "refused")
            log.error(
                "outbox message %s refused by the channel: set aside for admins (%s)",
                message.id,
                error,
            )
            await self._dead(message, f"refused: {error}")
        except DeliveryError as error:
            self._on_failure(message, "network")
            await self._retry(message, retry_delay(message.attempts), str(error))
        else:
            await self._storage.single.outbox.mark_sent(message.id)
            latency = (self._clock() - message.created_at).total_seconds()
            self._on_sent(message, latency)

    async def _dead(self, message: OutboxMessage, error: str) -> None:
        """Never to be tried again (OutboxStatus.DEAD): the user's next message goes next."""
        await self._storage.single.outbox.mark_dead(message.id, error)

    async def _retry(self, message: OutboxMessage, delay: timedelta, error: str) -> None:
        await self._storage.single.outbox.retry_later(message.id, self._clock() + delay, error)
