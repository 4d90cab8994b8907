"""Wake-ups for waiters (long polls, tests waiting for the bot) without polling loops."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Signal:
    """A re-armable broadcast: `fire()` wakes everyone waiting on the current event.

    Check your condition, then wait on `waiter()` with no await in between: a fire after the
    check sets the event you wait on, so no wake-up is lost.
    """

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        return self._event


async def wait_for(
    signals: Callable[[], list[Signal]],
    check: Callable[[], T | None],
    timeout: float,
) -> T | None:
    """The first non-None `check()`, re-checked whenever one of the signals fires."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        remaining = deadline - loop.time()
        if remaining <= 0:
            return None
        events = [signal.waiter() for signal in signals()]
        try:
            async with asyncio.timeout(remaining):
                if len(events) == 1:
                    await events[0].wait()
                else:
                    await _first(events)
        except TimeoutError:
            pass


async def _first(events: list[asyncio.Event]) -> None:
    tasks = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
