"""Sliding-window rate limit over all API calls, as DEXCHANGE's standard tier (100/min)."""

import math
import time
from collections import deque


class SlidingWindow:
    def __init__(self, limit: int | None, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._calls: deque[float] = deque()

    def hit(self, now: float | None = None) -> int | None:
        """Count one call; None when allowed, else the seconds to wait (Retry-After).

        Refused calls are not counted, so a client that waits Retry-After gets through.
        """
        if self.limit is None:
            return None
        now = time.monotonic() if now is None else now
        while self._calls and self._calls[0] <= now - self.window:
            self._calls.popleft()
        if len(self._calls) >= self.limit:
            return max(1, math.ceil(self._calls[0] + self.window - now))
        self._calls.append(now)
        return None
