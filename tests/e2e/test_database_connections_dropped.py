"""PostgreSQL drops every connection of the bot at once — what a server restart or a
failover to a replica looks like from the client — while the bot is idle and while it is in
the middle of a pay call. The pool opens new connections, the process leads again, the
purchase in flight ends once and the next purchases go through.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram, FakeUser
from storage import Storage
from tests.databases import database_for, outside_rows, require_postgres
from tests.e2e.harness import SIM_KEY, TOKEN, buy_woyofal, fake_refused_nothing, fund
from tests.e2e.test_crash_recovery import bot_env

SUCCESS = "Recharge Woyofal réussie"
SLOW_METER = "777777777"  # the simulator debits, then answers pay after slow_seconds


@dataclass
class World:
    tg: FakeTelegram
    sim: Simulator
    bot: BotProcess
    url: str


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    require_postgres()
    url = database_for(tmp_path / "bot.sqlite3")
    assert isinstance(url, str)
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY, callback_delay=0.5, slow_seconds=3.0))
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        env = bot_env(tmp_path, tg.base_url, sim_server.url, free_port())
        env["DEXCHANGE_TIMEOUT_SECONDS"] = "10"  # the slow meter answers within it
        bot = BotProcess(tmp_path, env)
        await bot.start()
        try:
            yield World(tg, sim, bot, url)
        finally:
            await bot.stop()
        fake_refused_nothing(tg)


async def customer(world: World, user_id: int) -> FakeUser:
    storage = Storage(world.url)
    await storage.open()
    try:
        await fund(storage, user_id, 100_000)
    finally:
        await storage.close()
    return world.tg.user(user_id, f"Client {user_id}")


async def drop_every_connection(world: World) -> int:
    """Ends every session on the bot's database but this one; how many it ended."""
    conn = await asyncpg.connect(world.url)
    try:
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return int(ended)


async def leads_again(world: World, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient() as client:
        while loop.time() < deadline:
            answer = await client.get(f"http://127.0.0.1:{world.bot.port}/healthz")
            if answer.status_code == 200 and answer.json().get("leader") is True:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"the process never led again:\n{world.bot.logs()}")


def successes(world: World, user: FakeUser) -> int:
    return sum(1 for message in world.tg.messages(user) if SUCCESS in (message.text or ""))


async def test_the_bot_carries_on_when_the_database_drops_its_connections(world: World) -> None:
    awa = await customer(world, 7101)
    await buy_woyofal(world.tg, awa, "123456789", "3000")
    await world.tg.wait_for_message(awa, SUCCESS, timeout=20)

    assert await drop_every_connection(world) >= 2  # the pool's and the leader's at least
    await leads_again(world)
    modou = await customer(world, 7102)
    await buy_woyofal(world.tg, modou, "123456789", "2000")
    await world.tg.wait_for_message(modou, SUCCESS, timeout=20)

    # In the middle of a pay call: DEXCHANGE has debited, its answer is 3 s away.
    fatou = await customer(world, 7103)
    buying = asyncio.create_task(buy_woyofal(world.tg, fatou, SLOW_METER, "2000"))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while world.sim.state.debits < 3:
        assert loop.time() < deadline, "the slow pay call never reached DEXCHANGE"
        await asyncio.sleep(0.05)
    assert await drop_every_connection(world) >= 1
    await buying
    await world.tg.wait_for_message(fatou, SUCCESS, timeout=30)
    await leads_again(world)

    await asyncio.sleep(1.0)  # anything sent twice would be in by now
    assert [successes(world, user) for user in (awa, modou, fatou)] == [1, 1, 1]
    assert world.sim.state.debits == 3
    rows = await outside_rows(
        world.bot.workdir / "bot.sqlite3",
        "SELECT p.status, count(l.id) FILTER (WHERE l.kind = 'reserve'),"
        " count(l.id) FILTER (WHERE l.kind = 'settle'),"
        " count(l.id) FILTER (WHERE l.kind = 'release')"
        " FROM payments p LEFT JOIN ledger l ON l.payment_id = p.id"
        " GROUP BY p.id, p.status ORDER BY p.id",
    )
    assert [tuple(row) for row in rows] == [("success", 1, 1, 0)] * 3
