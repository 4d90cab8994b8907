"""A sliding-window limiter: never more than `max_calls` calls in any `period` seconds.

The provider counts a call when it arrives, somewhere between the moment we send it and the
moment its answer comes back. A call held up on its way (a stalled event loop, a slow
network) would shrink the window between it and later calls if it were counted from its
departure alone, and let one call too many arrive in a window. So each call counts from its
departure until it is answered, and from its answer after that.

With several processes (PostgreSQL) the window is the deployment's: after finding room in
its own, each call also takes a slot of the shared budget (storage/budgets.py), one every
`period / max_calls` (a little more: SHARED_MARGIN), and a 429 holds it off everywhere.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

SHARED_BUDGET = "dexchange"
# The shared slots are an even pace: a little wider than the window's average, so that a
# call leaving a little late cannot make one too many in a window.
SHARED_MARGIN = 1.02


class SharedSlot(Protocol):
    @property
    def wait(self) -> float: ...


class SharedBudgets(Protocol):
    """storage.budgets.SharedBudgets, as this layer sees it (it may not import storage)."""

    async def take(self, name: str, interval: float, burst: int = 1) -> SharedSlot: ...

    async def hold_off(
        self, name: str, seconds: float, interval: float, burst: int = 1
    ) -> float: ...


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
        shared: SharedBudgets | None = None,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._calls: list[Call] = []
        self._lock = asyncio.Lock()  # FIFO: callers are served in arrival order
        self._shared = shared
        self._shared_interval = period * SHARED_MARGIN / max_calls

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
                    if self._shared is not None:  # the deployment's window, after ours
                        slot = await self._shared.take(SHARED_BUDGET, self._shared_interval)
                        if slot.wait > 0:
                            await asyncio.sleep(slot.wait)
                        now = self._clock()
                        live = self._live(now)
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

    def share(self, shared: SharedBudgets) -> None:
        """From now on, also keep to the deployment's budget (several processes)."""
        self._shared = shared

    async def pause_everywhere(self, seconds: float) -> None:
        """`pause`, and with several processes, hold the shared budget off as long."""
        self.pause(seconds)
        if self._shared is not None:
            await self._shared.hold_off(SHARED_BUDGET, seconds, self._shared_interval)
