"""A sliding-window limiter: never more than `max_calls` starts in any `period` seconds."""

import asyncio
import time
from collections import deque
from collections.abc import Callable


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
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()  # FIFO: callers are served in arrival order

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.period:
                    self._starts.popleft()
                if len(self._starts) < self.max_calls:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self.period - (now - self._starts[0]) + 0.001)

    def wait_time(self) -> float:
        """Seconds until a call could start (0 when one could start now)."""
        now = self._clock()
        live = [start for start in self._starts if now - start < self.period]
        if len(live) < self.max_calls:
            return 0.0
        return self.period - (now - live[-self.max_calls])

    def pause(self, seconds: float) -> None:
        """After a 429, count the window as full for `seconds`."""
        until = self._clock() + seconds - self.period
        self._starts.clear()
        self._starts.extend([until] * self.max_calls)
