"""WhatsApp's two paces, kept by the bot itself so that Meta never has to refuse: the
number's throughput (130429 beyond it) and each recipient's pace (131056 beyond it).

Both are token buckets: the number may send `per_second` messages a second with half a
second's worth at once; a recipient may get `recipient_burst` messages at once, then one
every `recipient_interval` seconds. A small margin keeps us under Meta's count when a message
leaves a little late. One pacer serves the conversation's answers and the notifier's
messages alike, so an agent's receipts and their conversation share one recipient budget.

Meta counts a message when it arrives, which may be as late as its answer: a message that
left a full bucket but was held up on its way (a slow link, a busy loop, an image's upload)
starts Meta's refill only when it lands, and the next messages of a burst would be early.
So a recipient's token is held while the call is on its way and spent when it is over.

With several processes (PostgreSQL), both paces are the deployment's: after its own
buckets, each message also takes its slots of the shared budgets (storage/budgets.py),
"whatsapp" and "whatsapp:to:<number>", with the same rates, bursts and margin; Meta's
130429 (throughput) and 131056 (this recipient's pace) hold the budget off for all.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from bot.channels.whatsapp.client import Later
from storage.budgets import SharedBudgets

MARGIN = 1.05  # spend a little slower than allowed
# Meta's bucket holds a second's worth; ours half that. Meta counts arrivals: a burst that
# filled its bucket exactly would be refused (130429) as soon as later calls overtook
# earlier ones on the way (new connections at the start), so half a second of slack stays.
NUMBER_BURST_SECONDS = 0.5
EPSILON = 1e-9
SHARED_NUMBER = "whatsapp"
SHARED_RECIPIENT = "whatsapp:to:"
THROUGHPUT_REFUSED = 130429  # held off a second (outbound.later_seconds)
RECIPIENT_REFUSED = 131056  # held off one recipient interval


@dataclass
class _Bucket:
    tokens: float
    at: float
    flying: int = 0  # messages that left and have not landed yet: their tokens are held


class TokenBucket:
    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second

    def level(self, bucket: _Bucket, now: float) -> float:
        return min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)

    def wait(self, bucket: _Bucket, now: float) -> float:
        missing = 1 + bucket.flying - self.level(bucket, now)
        # Under a nanosecond is now: waiting it out could not move a clock of large value
        # (1000.0 + 1e-17 == 1000.0), and the caller would spin.
        return 0.0 if missing <= EPSILON else max(EPSILON, missing / self.per_second)

    def take(self, bucket: _Bucket, now: float) -> None:
        bucket.tokens = self.level(bucket, now) - 1
        bucket.at = now


class WhatsAppPacer:
    def __init__(
        self,
        per_second: float,
        recipient_interval: float,
        recipient_burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SharedBudgets | None = None,
    ) -> None:
        self._number = TokenBucket(max(1.0, per_second * NUMBER_BURST_SECONDS), per_second / MARGIN)
        self._recipient = (
            TokenBucket(recipient_burst, 1 / (recipient_interval * MARGIN))
            if recipient_interval > 0
            else None
        )
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self._number_bucket = _Bucket(self._number.capacity, now)
        self._recipients: dict[str, _Bucket] = {}
        self._shared = shared
        self._recipient_burst = recipient_burst

    def wait_for(self, recipient: str) -> float:
        """Seconds before a message to `recipient` may leave (0: now)."""
        now = self._clock()
        wait = self._number.wait(self._number_bucket, now)
        if self._recipient is not None:
            bucket = self._recipients.get(recipient)
            if bucket is not None:
                wait = max(wait, self._recipient.wait(bucket, now))
        return wait

    @contextlib.asynccontextmanager
    async def sending(self, recipient: str) -> AsyncIterator[None]:
        """Wait until a message to `recipient` may leave, then send it inside the block: its
        recipient token is spent when the block is over (the latest it can have arrived),
        held until then. A refused or failed call counts too: it may have arrived."""
        while (wait := self.wait_for(recipient)) > 0:
            await self._sleep(wait)
        if self._shared is not None:
            await self._shared_slots(recipient)
        bucket = self._leave(recipient)
        try:
            yield
        except Later as error:
            if self._shared is not None:
                await self._shared_refused(recipient, error.code)
            raise
        finally:
            if bucket is not None and self._recipient is not None:
                bucket.flying -= 1
                self._recipient.take(bucket, self._clock())

    async def acquire(self, recipient: str) -> None:
        """Wait until a message to `recipient` may leave, and count it as arrived at once."""
        async with self.sending(recipient):
            pass

    async def _shared_slots(self, recipient: str) -> None:
        """The deployment's paces, after this process's own: the number's next slot, at
        which the recipient's budget must be free too (claimed for that very moment, so
        that a recipient's messages keep their pace whichever process sends them; when
        another process has it, the slot is let go and a later one taken once it is free)."""
        assert self._shared is not None
        while True:
            slot = await self._shared.take(
                SHARED_NUMBER, 1 / self._number.per_second, int(self._number.capacity)
            )
            if self._recipient is None or not slot.now:  # or the database out of reach
                break
            busy = await self._shared.claim(
                SHARED_RECIPIENT + recipient,
                slot.start,
                1 / self._recipient.per_second,
                self._recipient_burst,
            )
            if busy is None:
                break
            await self._sleep(max(EPSILON, busy - slot.now))
        if slot.wait > 0:
            await self._sleep(slot.wait)

    async def _shared_refused(self, recipient: str, code: int | None) -> None:
        """Meta said this pace was exceeded: every process waits it out."""
        assert self._shared is not None
        if code == THROUGHPUT_REFUSED:
            interval = 1 / self._number.per_second
            burst = int(self._number.capacity)
            await self._shared.hold_off(SHARED_NUMBER, 1.0, interval, burst)
        elif code == RECIPIENT_REFUSED and self._recipient is not None:
            interval = 1 / self._recipient.per_second
            await self._shared.hold_off(
                SHARED_RECIPIENT + recipient, interval, interval, self._recipient_burst
            )

    def _leave(self, recipient: str) -> _Bucket | None:
        """Count a message to `recipient` leaving now: the number's token at once (its bucket
        keeps half a second of slack), the recipient's held until it lands."""
        now = self._clock()
        self._number.take(self._number_bucket, now)
        if self._recipient is None:
            return None
        bucket = self._recipients.setdefault(recipient, _Bucket(self._recipient.capacity, now))
        bucket.flying += 1
        if len(self._recipients) > 10_000:
            self._forget_full(now)
        return bucket

    def _forget_full(self, now: float) -> None:
        assert self._recipient is not None
        full = [
            key
            for key, bucket in self._recipients.items()
            if bucket.flying == 0 and self._recipient.level(bucket, now) >= self._recipient.capacity
        ]
        for key in full:
            del self._recipients[key]
