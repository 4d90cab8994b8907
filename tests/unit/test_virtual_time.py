"""The test-driven clock of tests/virtual_time.py: timers end exactly on time, at once."""

import asyncio
import time

from tests.virtual_time import run_virtual, virtual_loop


def test_sleeps_end_exactly_on_time_without_waiting() -> None:
    async def main() -> list[tuple[str, float]]:
        loop = virtual_loop()
        seen: list[tuple[str, float]] = []

        async def sleeper(name: str, seconds: float) -> None:
            await asyncio.sleep(seconds)
            seen.append((name, loop.time()))

        await asyncio.gather(sleeper("hour", 3600), sleeper("half", 0.5), sleeper("now", 0))
        loop.advance(2.0)  # a blocked loop: time passes, nothing runs
        seen.append(("blocked", loop.time()))
        return seen

    started = time.monotonic()
    assert run_virtual(main()) == [
        ("now", 0.0),
        ("half", 0.5),
        ("hour", 3600.0),
        ("blocked", 3602.0),
    ]
    assert time.monotonic() - started < 60  # an hour of virtual time is not waited for


def test_a_timeout_fires_at_its_deadline() -> None:
    async def main() -> float:
        loop = virtual_loop()
        try:
            async with asyncio.timeout(5):
                await asyncio.Event().wait()
        except TimeoutError:
            return loop.time()
        raise AssertionError("never set, yet woken")

    assert run_virtual(main()) == 5.0
