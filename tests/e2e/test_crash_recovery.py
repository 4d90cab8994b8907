"""Kill -9 at the worst moments; on restart no franc is paid twice and nothing is lost.

The bot runs as a real process (`python -m bot run`) against the fake Telegram Bot API and
the DEXCHANGE simulator, both in this test's process, so they outlive the bot.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BlackHole, BotProcess, free_port
from fakes.telegram import ApiError, FakeTelegram, FakeUser
from storage import Storage
from tests.databases import database_for, database_url_for, outside_rows
from tests.e2e.harness import (
    SECRET,
    SIM_KEY,
    TOKEN,
    Refusal,
    buy_woyofal,
    fake_refused_nothing,
    fund,
)

CODE_16 = "1283 9300 9320 9223"
# Killed before its next poll confirmed the Confirm press, the bot gets that press again
# once restarted, says the button was used already, and Telegram refuses to answer a
# query twice: an effect of the crash, not a fault.
PRESS_ANSWERED_AGAIN = ("answerCallbackQuery", 400)


@dataclass
class World:
    tg: FakeTelegram
    sim: Simulator
    sim_url: str
    bot: BotProcess
    workdir: Path
    # The statuses the fake Telegram may answer on purpose; any other refusal fails the test.
    expect_refusals: set[Refusal] = field(default_factory=set)


def bot_env(workdir: Path, tg_url: str, sim_url: str, port: int) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": tg_url,
        "DEXCHANGE_API_KEY": SIM_KEY,
        "DEXCHANGE_BASE_URL": sim_url,
        "DEXCHANGE_TIMEOUT_SECONDS": "3",
        "CALLBACK_SECRET": SECRET,
        "DATABASE_URL": database_url_for(workdir / "bot.sqlite3"),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RECONCILE_INTERVAL_SECONDS": "0.5",
        "TELEGRAM_MESSAGES_PER_SECOND": "0",
        "TELEGRAM_CHAT_MESSAGES_PER_SECOND": "0",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    sim = Simulator(
        SimulatorConfig(
            api_key=SIM_KEY,
            callback_delay=1.0,
            sync_callback_delay=3.0,
            slow_seconds=2.0,
            callback_retry_initial=0.3,
            callback_retry_max=1.0,
        )
    )
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        env = bot_env(tmp_path, tg.base_url, sim_server.url, free_port())
        bot = BotProcess(tmp_path, env)
        world = World(tg, sim, sim_server.url, bot, tmp_path)
        try:
            yield world
        finally:
            await bot.stop()
        fake_refused_nothing(tg, world.expect_refusals)


async def customer(world: World, user_id: int, name: str) -> FakeUser:
    """A Telegram user with credit in the bot's database (opened from outside, as the CLI
    would, while the bot process may be running)."""
    storage = Storage(database_for(world.workdir / "bot.sqlite3"))
    await storage.open()
    try:
        await fund(storage, user_id, 1_000_000)
    finally:
        await storage.close()
    return world.tg.user(user_id, name)


def code_messages(tg: FakeTelegram, user: FakeUser, code: str) -> int:
    return sum(1 for message in tg.messages(user) if code in (message.text or ""))


async def wait_status(world: World, status: str, timeout: float = 15) -> None:
    """Watch the database from outside, like an operator would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        rows = await outside_rows(world.workdir / "bot.sqlite3", "SELECT status FROM payments")
        if any(row[0] == status for row in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no payment reached {status}:\n{world.bot.logs()}")


async def test_killed_after_commit_before_the_pay_call(world: World) -> None:
    tg, sim = world.tg, world.sim
    alice = await customer(world, 2001, "Awa")
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    async with BlackHole() as void:
        # DEXCHANGE unreachable: the pay call hangs, with the payment already committed.
        await world.bot.start({"DEXCHANGE_BASE_URL": void.url})
        await buy_woyofal(tg, alice, "07061270877")
        await wait_status(world, "submitted")
        world.bot.kill()
        await world.bot.wait_exit()
    assert sim.state.pay_calls == 0
    await world.bot.start()
    await tg.wait_for_message(alice, CODE_16, timeout=15)
    assert sim.state.pay_calls == 1 and sim.state.debits == 1
    await asyncio.sleep(1.5)  # time for any duplicate to show up
    assert code_messages(tg, alice, CODE_16) == 1


async def test_killed_after_the_pay_call_before_the_result_is_stored(world: World) -> None:
    tg, sim = world.tg, world.sim
    bob = await customer(world, 2002, "Bob")
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    await world.bot.start()
    await buy_woyofal(tg, bob, "777777777", "2000")  # the slow reference: pay takes 2 s
    await sim.wait_for_pay_calls(1, timeout=10)
    world.bot.kill()
    await world.bot.wait_exit()
    assert sim.state.debits == 1
    await world.bot.start()
    message = await tg.wait_for_message(bob, "Recharge Woyofal réussie", timeout=20)
    assert sim.state.debits == 1  # retried under the same id: 409, never a second debit
    assert len(set(sim.state.by_external_id)) == 1
    await asyncio.sleep(1.5)
    successes = [m for m in tg.messages(bob) if "Recharge Woyofal réussie" in (m.text or "")]
    assert len(successes) == 1 and message.text is not None


async def test_killed_after_the_callback_commit_before_the_message_is_sent(world: World) -> None:
    tg, sim = world.tg, world.sim
    carla = await customer(world, 2003, "Carla")
    await world.bot.start()
    # Telegram refuses every sendMessage for now: the code cannot leave the outbox.
    since = tg.mark()
    await buy_woyofal(tg, carla, "123456789", "3000")  # PROCESSING, code by callback in 1 s
    telegram_down = True

    def refuse(params: object) -> ApiError | None:
        return ApiError(502, "Bad Gateway") if telegram_down else None

    tg.fail_next("sendMessage", 10_000, refuse)
    world.expect_refusals.add(502)
    await wait_status(world, "success")  # callback committed, message stuck in the outbox
    await asyncio.sleep(0.3)
    world.bot.kill()
    await world.bot.wait_exit()
    telegram_down = False
    [transaction] = sim.state.transactions.values()
    assert transaction.token
    code = " ".join(transaction.token[i : i + 4] for i in range(0, 20, 4))
    assert code_messages(tg, carla, code) == 0
    await world.bot.start()
    await tg.wait_for_message(carla, code, timeout=15, since=since)
    await asyncio.sleep(1.5)
    assert code_messages(tg, carla, code) == 1


async def test_callback_while_the_bot_is_down_is_retried_and_delivered(world: World) -> None:
    tg, sim = world.tg, world.sim
    dia = await customer(world, 2004, "Dia")
    await world.bot.start()
    await buy_woyofal(tg, dia, "123456780", "4000")
    await wait_status(world, "processing")
    world.bot.kill()  # the callback is due in ~1 s and will find nobody
    await world.bot.wait_exit()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not any(not attempt.delivered for attempt in sim.state.callbacks_sent):
        assert loop.time() < deadline, "the simulator never tried the callback"
        await asyncio.sleep(0.1)
    await world.bot.start()
    [transaction] = sim.state.transactions.values()
    await sim.wait_callbacks_idle(timeout=15)
    assert transaction.token
    code = " ".join(transaction.token[i : i + 4] for i in range(0, 20, 4))
    await tg.wait_for_message(dia, code, timeout=15)
    await asyncio.sleep(1.5)
    assert code_messages(tg, dia, code) == 1
    assert sim.state.debits == 1
