"""Wake-ups for waiters (tests waiting for the bot, the webhook task) without polling loops.

The same as fakes/telegram/signals.py, which cannot be imported from here without the bot:
the Telegram fake's package imports the bot's HTTP server.
"""

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


async def wait_for(signal: Signal, check: Callable[[], T | None], timeout: float) -> T | None:
    """The first non-None `check()`, re-checked whenever the signal fires."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        remaining = deadline - loop.time()
        if remaining <= 0:
            return None
        event = signal.waiter()
        try:
            async with asyncio.timeout(remaining):
                await event.wait()
        except TimeoutError:
            pass
