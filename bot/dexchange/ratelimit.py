"""A sliding-window limiter: never more than `max_calls` calls in any `period` seconds.

The provider counts a call when it arrives, somewhere between the moment we send it and the
moment its answer comes back. A call held up on its way (a stalled event loop, a slow
network) would shrink the window between it and later calls if it were counted from its
departure alone, and let one call too many arrive in a window. So each call counts from its
departure until it is answered, and from its answer after that.
"""

import asyncio
import time
from collections.abc import Callable


class Call:
    """One call in the window; `counted_from` moves to its answer (`SlidingWindowLimiter.done`)."""

    __slots__ = ("counted_from",)

    def __init__(self, moment: float) -> None:
        self.counted_from = moment


class SlidingWindowLimiter:
    def __init__(
        self,
        max_calls: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._calls: list[Call] = []
        self._lock = asyncio.Lock()  # FIFO: callers are served in arrival order

    def _live(self, now: float) -> list[Call]:
        self._calls = [call for call in self._calls if now - call.counted_from < self.period]
        return self._calls

    async def acquire(self) -> Call:
        """Wait for room in the window; pass what this returns to `done` once answered."""
        async with self._lock:
            while True:
                now = self._clock()
                live = self._live(now)
                if len(live) < self.max_calls:
                    call = Call(now)
                    live.append(call)
                    return call
                first_out = min(call.counted_from for call in live)
                await asyncio.sleep(self.period - (now - first_out) + 0.001)

    def done(self, call: Call) -> None:
        """The call's answer came back (or it failed): it counts from now on."""
        call.counted_from = max(call.counted_from, self._clock())

    def wait_time(self) -> float:
        """Seconds until a call could start (0 when one could start now)."""
        now = self._clock()
        ends = sorted(call.counted_from + self.period for call in self._live(now))
        if len(ends) < self.max_calls:
            return 0.0
        return ends[len(ends) - self.max_calls] - now

    def pause(self, seconds: float) -> None:
        """After a 429, count the window as full for `seconds`."""
        until = self._clock() + seconds - self.period
        self._calls = [Call(until) for _ in range(self.max_calls)]
