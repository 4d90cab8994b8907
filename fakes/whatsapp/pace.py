"""The number's throughput (130429 beyond it) and each recipient's pace (131056 beyond it),
as token buckets on the fake's clock: the number may send `messages_per_second` a second
with one second's worth at once; a recipient may get `recipient_burst` messages at once,
then one every `recipient_interval` seconds. Only accepted messages spend a token (a
refused one does not; mark-read and uploads never count).
"""

from dataclasses import dataclass

# A hair under one token is one: exactly one interval later, float rounding must not refuse.
WHOLE = 1 - 1e-9


@dataclass(slots=True)
class Pace:
    """The limits in force; change the fields at any time. None or 0 lifts a limit.

    The defaults are Meta's 80 messages a second and the bot's own recipient pace
    (WHATSAPP_RECIPIENT_BURST=3, WHATSAPP_RECIPIENT_INTERVAL_SECONDS=6): a bot that keeps
    its settings is never refused; a smaller burst or longer interval makes the fake stricter.
    """

    messages_per_second: float | None = 80.0
    recipient_burst: int = 3
    recipient_interval: float | None = 6.0

    @classmethod
    def off(cls) -> "Pace":
        return cls(None, 1, None)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class PaceKeeper:
    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self._number: _Bucket | None = None
        self._recipients: dict[str, _Bucket] = {}

    def refusal(self, recipient: str, now: float) -> int | None:
        """The error code if a message to `recipient` may not go now, else None."""
        rate = self.pace.messages_per_second
        if rate and _level(self._number, rate, rate, now) < WHOLE:
            return 130429
        interval = self.pace.recipient_interval
        if interval:
            bucket = self._recipients.get(recipient)
            if _level(bucket, self.pace.recipient_burst, 1 / interval, now) < WHOLE:
                return 131056
        return None

    def spend(self, recipient: str, now: float) -> None:
        rate = self.pace.messages_per_second
        if rate:
            self._number = _take(self._number, rate, rate, now)
        interval = self.pace.recipient_interval
        if interval:
            bucket = self._recipients.get(recipient)
            self._recipients[recipient] = _take(
                bucket, self.pace.recipient_burst, 1 / interval, now
            )

    def reset(self) -> None:
        self._number = None
        self._recipients.clear()


def _level(bucket: _Bucket | None, capacity: float, per_second: float, now: float) -> float:
    if bucket is None:
        return capacity
    return min(capacity, bucket.tokens + max(0.0, now - bucket.at) * per_second)


def _take(bucket: _Bucket | None, capacity: float, per_second: float, now: float) -> _Bucket:
    return _Bucket(_level(bucket, capacity, per_second, now) - 1, now)
