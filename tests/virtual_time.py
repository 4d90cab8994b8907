"""An event loop on a clock the test drives: timing checks that a busy machine cannot fail.

`loop.time()` is virtual. Whenever nothing is ready to run, the loop jumps straight to its
next timer instead of waiting for it, so `asyncio.sleep(0.5)` takes no real time and ends
at exactly +0.5; a callback that runs long takes no virtual time at all. A test that wants
the loop blocked for a while (a long commit, a collector pause) says so: `loop.advance(s)`.

Only for code that does no I/O and starts no threads: the loop would jump its clock while
a socket or a thread is still busy. Run a coroutine with `run_virtual(main())`, or mark an
async test `@in_virtual_time`.
"""

import asyncio
import functools
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0


class _JumpingSelector(selectors.DefaultSelector):
    """Polls without waiting; when nothing is ready, moves the clock to where the loop
    wanted to wake up (its next timer)."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # no timer at all: only another thread can wake the loop
            return super().select(None)
        ready = super().select(0)
        if not ready and timeout > 0:
            self._clock.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._clock = _Clock()
        super().__init__(_JumpingSelector(self._clock))

    def time(self) -> float:
        return self._clock.now

    def advance(self, seconds: float) -> None:
        """Time passes while the loop runs nothing: as if the caller blocked it."""
        self._clock.now += seconds


def virtual_loop() -> VirtualTimeLoop:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop), "run this coroutine with run_virtual()"
    return loop


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)


def in_virtual_time(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """An async test run on a VirtualTimeLoop of its own (pytest sees a plain function)."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        run_virtual(test(*args, **kwargs))

    return run
