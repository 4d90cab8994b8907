"""Workers that sleep until woken or until a timeout."""

import asyncio
import contextlib


async def wait_until_set(event: asyncio.Event, timeout: float) -> None:
    """Wait for `event`, at most `timeout` seconds.

    Not `asyncio.wait_for`: on Python 3.11 a cancellation that arrives just as the event is
    set is swallowed there (it returns the event's result instead), so a worker's `stop()`
    waited for ever (seen as a hung test run). `asyncio.timeout` waits in this same task
    and lets a cancellation from outside through.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()


async def wait_for_either(first: asyncio.Event, second: asyncio.Event, timeout: float) -> None:
    """Wait until one of two events is set, at most `timeout` seconds (cancellable)."""
    if first.is_set() or second.is_set():
        return
    waiters = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
