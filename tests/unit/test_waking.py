"""A worker asleep until woken must still stop when told to, whatever the timing."""

import asyncio

import pytest

from bot.workers.waking import wait_until_set
from tests.virtual_time import in_virtual_time


async def test_a_cancel_that_comes_as_the_worker_is_woken_still_stops_it() -> None:
    # The notifier's and the reconciler's loop: wait for a wake-up, clear it, go round.
    # Woken and cancelled in the same turn of the loop, asyncio.wait_for (Python 3.11)
    # returned as if only woken: the worker went on, and its stop() waited for ever.
    event = asyncio.Event()
    rounds = 0

    async def worker() -> None:
        nonlocal rounds
        while True:
            event.clear()
            await wait_until_set(event, 0.2)
            rounds += 1

    task = asyncio.create_task(worker())
    await asyncio.sleep(0.01)  # asleep now
    event.set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(1):
            await task
    assert task.cancelled() and rounds == 0


@in_virtual_time
async def test_it_wakes_when_set_and_gives_up_after_the_timeout() -> None:
    # On the test's clock: the moments are exact, whatever the machine is doing.
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await wait_until_set(event, 0.05)
    assert loop.time() - started == pytest.approx(0.05)  # the timeout, not earlier
    loop.call_later(0.01, event.set)
    started = loop.time()
    await wait_until_set(event, 5)
    assert loop.time() - started == pytest.approx(0.01)  # woken when set, not at 5 s
