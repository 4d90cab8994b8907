"""The fake's time (unix seconds): a base clock plus what the test moved it by.

The 24-hour window, the paces and every timestamp the fake writes read it, so a test puts a
user outside the window or refills a bucket with `fake.advance(hours=25)` instead of waiting.
With `FakeWhatsApp(clock=FrozenClock())` time moves only when the test says.
"""

import time
from collections.abc import Callable

START = 1_790_000_000.0  # 2026-09-21, a fixed moment for frozen clocks


class FrozenClock:
    """A clock that stands still until advanced: `clock()` is the time."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Clock:
    def __init__(self, base: Callable[[], float] = time.time) -> None:
        self._base = base
        self.offset = 0.0

    def now(self) -> float:
        return self._base() + self.offset

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0) -> float:
        """Move time forward; returns the new time."""
        step = seconds + 60 * minutes + 3600 * hours
        if step < 0:
            raise ValueError("time only moves forward")
        self.offset += step
        return self.now()
