"""A bot process stops quickly and cleanly on SIGTERM, leader or not (issue 17).

A supervisor (Docker's stop_grace_period, systemd's TimeoutStopSec) gives a process a few
seconds after SIGTERM, and a rolling restart waits for each process in turn: an idle one
exits within STOP_BOUND, however slow Telegram is to answer at that moment; one with work
in flight finishes it or hands it back, and a leader frees its lock at once so that the
standby leads without waiting for that work. No update is lost nor handled twice.
"""

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram, FakeUser
from storage import Storage
from tests.databases import database_for, database_url_for, outside_rows, require_postgres
from tests.e2e.harness import SIM_KEY, TOKEN, buy_woyofal, fake_refused_nothing, fund
from tests.e2e.test_crash_recovery import bot_env

# The grace a supervisor gives an idle process: a behaviour, not a speed benchmark.
STOP_BOUND = 5.0
MENU = "Que voulez-vous faire"
SUCCESS = "Recharge Woyofal réussie"
SLOW_METER = "777777777"  # the simulator debits, then answers pay after slow_seconds
SLOW_PAY = 4.0


@dataclass
class World:
    tg: FakeTelegram
    sim: Simulator
    sim_url: str
    workdir: Path
    bots: list[BotProcess] = field(default_factory=list)

    def bot(self, name: str, database_url: str, **settings: str) -> BotProcess:
        env = bot_env(self.workdir, self.tg.base_url, self.sim_url, free_port())
        env.update(DATABASE_URL=database_url, DEXCHANGE_TIMEOUT_SECONDS="10", **settings)
        bot = BotProcess(self.workdir, env, name=name)
        self.bots.append(bot)
        return bot

    def logs(self) -> str:
        return "\n".join(f"===== {bot.name}\n{bot.logs()}" for bot in self.bots)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY, callback_delay=0.5, slow_seconds=SLOW_PAY))
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        world = World(tg, sim, sim_server.url, tmp_path)
        try:
            yield world
        finally:
            for bot in world.bots:
                await bot.stop()
        fake_refused_nothing(tg)


def sqlite_url(world: World) -> str:
    """SQLite whatever TEST_DATABASE_URL says: the embedded default, one process."""
    return f"sqlite:///{world.workdir / 'alone.sqlite3'}"


async def sigterm(bot: BotProcess) -> float:
    """SIGTERM, then how long the process took to exit; it exits 0."""
    assert bot.process is not None
    loop = asyncio.get_running_loop()
    sent = loop.time()
    bot.process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(bot.process.wait(), timeout=60)
    took = loop.time() - sent
    assert code == 0, f"exit code {code}:\n{bot.logs()}"
    return took


async def leads(bot: BotProcess) -> bool:
    with contextlib.suppress(httpx.HTTPError, ValueError):
        async with httpx.AsyncClient(timeout=1) as client:
            body = (await client.get(f"http://127.0.0.1:{bot.port}/healthz")).json()
            return isinstance(body, dict) and body.get("leader") is True
    return False


async def leads_within(bot: BotProcess, since: float, bound: float) -> float:
    """Seconds from `since` until `bot` says it leads (at most `bound`)."""
    loop = asyncio.get_running_loop()
    while not await leads(bot):
        assert loop.time() - since < bound, f"{bot.name} does not lead:\n{bot.logs()}"
        await asyncio.sleep(0.02)
    return loop.time() - since


def count(tg: FakeTelegram, user: FakeUser, text: str) -> int:
    return sum(1 for message in tg.messages(user) if text in (message.text or ""))


async def test_an_idle_polling_leader_stops_at_once_even_if_telegram_is_slow(
    world: World,
) -> None:
    bot = world.bot("alone", sqlite_url(world))
    await bot.start()
    awa = world.tg.user(4001, "Awa")
    await world.tg.send_text(awa, "/start")  # a long poll that fetched something, confirmed
    await world.tg.wait_for_message(awa, MENU, timeout=10)
    await asyncio.sleep(0.5)  # the bot's next long poll is waiting in the fake
    # From here Telegram takes 15 s to answer a getUpdates: a bot that waits for one more
    # answer before it exits misses any supervisor's grace.
    world.tg.set_latency("getUpdates", 15)
    took = await sigterm(bot)
    print(f"\nidle long-polling leader exited {took:.2f} s after SIGTERM")
    assert took < STOP_BOUND, bot.logs()
    world.tg.set_latency("getUpdates", 0)
    # The /start was confirmed by the long poll that followed it: not handled again.
    await bot.start()
    await asyncio.sleep(1.5)
    assert count(world.tg, awa, MENU) == 1


async def test_updates_sent_around_a_stop_are_handled_once_after_restart(
    world: World,
) -> None:
    bot = world.bot("alone", sqlite_url(world))
    await bot.start()
    before, during = world.tg.user(4002, "Bineta"), world.tg.user(4003, "Cheikh")
    await asyncio.sleep(0.5)
    await world.tg.send_text(before, "/start")  # fetched just before the SIGTERM, or not
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    await world.tg.send_text(during, "/start")  # while the process stops
    assert await asyncio.wait_for(bot.process.wait(), timeout=60) == 0
    stopped_with = {user.id: count(world.tg, user, MENU) for user in (before, during)}
    await bot.start()
    for user in (before, during):
        await world.tg.wait_for_message(user, MENU, timeout=10)
    await asyncio.sleep(1.5)  # time for a second answer to show up
    print(f"\nmenus sent before the restart: {stopped_with}")
    assert count(world.tg, before, MENU) == 1
    assert count(world.tg, during, MENU) == 1


async def test_a_webhook_leader_frees_its_lock_at_once_and_finishes_its_payment(
    world: World,
) -> None:
    require_postgres()
    url = database_url_for(world.workdir / "bot.sqlite3")
    a = world.bot("a", url)
    webhook = {"TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{a.port}/telegram/webhook"}
    a.env.update(webhook)
    # DEXCHANGE's callbacks and Telegram's webhook reach A, then B once it leads.
    b = world.bot("b", url)
    b.env["PUBLIC_BASE_URL"] = a.env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{b.port}"
    b.env["TELEGRAM_WEBHOOK_URL"] = f"http://127.0.0.1:{b.port}/telegram/webhook"
    await a.start()  # alone: it leads, and it handles the conversation and pays
    storage = Storage(database_for(world.workdir / "bot.sqlite3"))
    await storage.open()
    try:
        await fund(storage, 4004, 100_000)
    finally:
        await storage.close()
    dia = world.tg.user(4004, "Dia")
    await buy_woyofal(world.tg, dia, SLOW_METER, "2000")
    await world.sim.wait_for_pay_calls(1, timeout=10)
    await b.start()  # the standby
    assert await leads(a) and not await leads(b)

    # SIGTERM while A's pay call waits for DEXCHANGE: B leads at once; A finishes its call.
    loop = asyncio.get_running_loop()
    sent = loop.time()
    stopping = asyncio.create_task(sigterm(a))
    took_over = await leads_within(b, sent, STOP_BOUND)
    took = await stopping
    print(f"\nB led {took_over:.2f} s after A's SIGTERM; A exited after {took:.2f} s")
    assert took_over < 2.0, world.logs()
    assert took < SLOW_PAY + STOP_BOUND, world.logs()
    await world.tg.wait_for_message(dia, SUCCESS, timeout=20)
    await world.sim.wait_callbacks_idle(timeout=10)
    await asyncio.sleep(1.0)
    path = world.workdir / "bot.sqlite3"
    assert await outside_rows(path, "SELECT status FROM payments") == [("success",)]
    assert world.sim.state.debits == 1 and count(world.tg, dia, SUCCESS) == 1

    # B, now an idle webhook leader, stops within the bound too; and a standby as well.
    c = world.bot("c", url)
    await c.start()
    took = await sigterm(c)
    print(f"an idle standby exited {took:.2f} s after SIGTERM")
    assert took < STOP_BOUND
    took = await sigterm(b)
    print(f"an idle webhook leader exited {took:.2f} s after SIGTERM")
    assert took < STOP_BOUND
