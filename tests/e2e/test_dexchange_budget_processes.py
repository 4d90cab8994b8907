"""Real processes share DEXCHANGE's window (issue 17): four children, each with its own
database pool, SharedBudgets and DexchangeClient (its limiter shared as bot/runtime.py does),
ask for the balance at once from the DEXCHANGE simulator, which enforces the window and
answers 429 beyond it. The minute is scaled down to PERIOD seconds on both sides. Alone,
each child would fill the whole window by itself."""

import asyncio
import sys
from pathlib import Path

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import clean_environment
from tests.databases import database_for, require_postgres

KEY = "sim-test-key"
CHILDREN = 4  # the four processes
LIMIT = 10  # calls in any PERIOD seconds, for the whole deployment
PERIOD = 3.0  # DEXCHANGE's minute, scaled down; the shared pace keeps 2 % of it spare
CALLS = LIMIT  # per child: together, four windows' worth

# One "process": its own pool, its own budgets, its own client. It says "ready" once set up
# and starts on "go", so that the four start together.
CHILD = """
import asyncio, sys
from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.ratelimit import SlidingWindowLimiter
from storage import Storage
from storage.budgets import SharedBudgets

async def main(url, base_url, key, limit, period, calls, use_shared):
    storage = Storage(url) if use_shared == "1" else None
    if storage is not None:
        await storage.open()
    client = DexchangeClient(base_url, key, rate_per_minute=limit)
    client.limiter = SlidingWindowLimiter(limit, period)  # the minute, scaled down
    if storage is not None:
        client.limiter.share(SharedBudgets(storage.database))  # as bot/runtime.py does

    async def balance():
        try:
            await client.balance()
            return True
        except errors.DexchangeError:
            return False

    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    try:
        answered = await asyncio.gather(*(balance() for _ in range(calls)))
    finally:
        await client.aclose()
        if storage is not None:
            await storage.close()
    print("answered", sum(answered), "of", calls, flush=True)

url, base_url, key, limit, period, calls, use_shared = sys.argv[1:]
asyncio.run(main(url, base_url, key, int(limit), float(period), int(calls), use_shared))
"""


def most_in_a_window(moments: list[float], window: float) -> int:
    moments = sorted(moments)
    return max(
        len([m for m in moments[i:] if m < first + window]) for i, first in enumerate(moments)
    )


async def run_children(url: str, base_url: str, *, shared: bool) -> list[str]:
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            url,
            base_url,
            KEY,
            str(LIMIT),
            str(PERIOD),
            str(CALLS),
            "1" if shared else "0",
            env=clean_environment(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(CHILDREN)
    ]
    try:
        for child in children:  # every one set up before any calls
            assert child.stdout is not None
            ready = await asyncio.wait_for(child.stdout.readline(), timeout=60)
            assert ready == b"ready\n", (await child.communicate())[1].decode()[-2000:]
        outputs = await asyncio.gather(
            *(asyncio.wait_for(child.communicate(b"go\n"), timeout=60) for child in children)
        )
    finally:
        for child in children:  # a failed test leaves no child behind
            if child.returncode is None:
                child.kill()
                await child.wait()
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err.decode()[-2000:]
    return [out.decode().strip() for out, _ in outputs]


def simulator() -> Simulator:
    return Simulator(
        SimulatorConfig(api_key=KEY, rate_per_minute=LIMIT, rate_window_seconds=PERIOD)
    )


async def test_processes_sharing_the_budget_get_no_429_from_dexchange(tmp_path: Path) -> None:
    require_postgres()
    url = database_for(tmp_path / "dexbudget.sqlite3")
    assert isinstance(url, str)
    sim = simulator()
    async with LoopbackServer(sim.app) as server:
        outputs = await run_children(url, server.url, shared=True)

    assert outputs == [f"answered {CALLS} of {CALLS}"] * CHILDREN
    assert sim.state.rate_limited == 0  # the four kept to one window
    arrivals = list(sim.state.api_arrivals)
    assert len(arrivals) == CHILDREN * CALLS  # no call retried
    assert most_in_a_window(arrivals, PERIOD) <= LIMIT
    # The deployment at LIMIT a PERIOD, not each process: 40 calls span three periods.
    assert max(arrivals) - min(arrivals) >= (CHILDREN * CALLS / LIMIT - 1) * PERIOD


async def test_processes_each_alone_overflow_dexchange_window(tmp_path: Path) -> None:
    """Without the shared budget the same load gets 429s: the test above can fail. (On
    PostgreSQL only, with the test it checks, though it needs no database.)"""
    require_postgres()
    sim = simulator()
    async with LoopbackServer(sim.app) as server:
        await run_children(str(tmp_path / "unused.sqlite3"), server.url, shared=False)

    assert sim.state.rate_limited >= (CHILDREN - 1) * CALLS  # all but one window's worth
    assert most_in_a_window(list(sim.state.api_arrivals), PERIOD) > LIMIT
