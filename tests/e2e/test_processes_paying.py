"""Two real bot processes on one PostgreSQL database; the leader is killed while paying.

A starts first and leads: it long-polls Telegram, talks to the customer and pays. B waits
as the standby. SIGKILL A in the middle of its pay call: B becomes the leader, its
reconciler pulls every open payment forward, finds A's claim on it gone with A's session,
and finishes it: one final state, one externalTransactionId, one reserve and one settle,
one message. (That a live payer's payment is left alone is
tests/integration/test_reconciler_claims.py.)
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.simulator.callbacks import callback_body
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram, FakeUser
from storage import Storage
from tests.databases import database_for, outside_rows, require_postgres
from tests.e2e.harness import SIM_KEY, TOKEN, buy_woyofal, fake_refused_nothing, fund
from tests.e2e.test_crash_recovery import PRESS_ANSWERED_AGAIN, bot_env

SUCCESS = "Recharge Woyofal réussie"
SLOW_METER = "777777777"  # the simulator debits, then answers pay after slow_seconds


@dataclass
class Pair:
    tg: FakeTelegram
    sim: Simulator
    a: BotProcess
    b: BotProcess
    workdir: Path


@contextlib.asynccontextmanager
async def running_pair(tmp_path: Path, callback_delay: float = 0.5) -> AsyncIterator[Pair]:
    require_postgres()
    sim = Simulator(
        SimulatorConfig(
            api_key=SIM_KEY,
            callback_delay=callback_delay,
            slow_seconds=3.0,
            callback_retry_initial=0.3,
            callback_retry_max=1.0,
        )
    )
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        port_a, port_b = free_port(), free_port()
        env_a = bot_env(tmp_path, tg.base_url, sim_server.url, port_a)
        env_b = bot_env(tmp_path, tg.base_url, sim_server.url, port_b)
        env_a["DEXCHANGE_TIMEOUT_SECONDS"] = env_b["DEXCHANGE_TIMEOUT_SECONDS"] = "10"
        # Behind one reverse proxy every process has the same public address; here it is
        # B's, so DEXCHANGE's callbacks still find a process once A is killed.
        env_a["PUBLIC_BASE_URL"] = env_b["PUBLIC_BASE_URL"]
        env_b["RECONCILE_INTERVAL_SECONDS"] = "0.3"
        a = BotProcess(tmp_path, env_a, name="a")
        b = BotProcess(tmp_path, env_b, name="b")
        try:
            yield Pair(tg, sim, a, b, tmp_path)
        finally:
            await a.stop()
            await b.stop()
        fake_refused_nothing(tg, {PRESS_ANSWERED_AGAIN})


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    async with running_pair(tmp_path) as started:
        yield started


async def funded_customer(pair: Pair, user_id: int) -> FakeUser:
    storage = Storage(database_for(pair.workdir / "bot.sqlite3"))
    await storage.open()
    try:
        await fund(storage, user_id, 100_000)
    finally:
        await storage.close()
    return pair.tg.user(user_id, "Awa")


async def ledger_kinds(pair: Pair) -> list[str]:
    rows = await outside_rows(
        pair.workdir / "bot.sqlite3",
        "SELECT kind FROM ledger WHERE payment_id IS NOT NULL ORDER BY id",
    )
    return [row[0] for row in rows]


def successes(pair: Pair, user: FakeUser) -> int:
    return sum(1 for message in pair.tg.messages(user) if SUCCESS in (message.text or ""))


async def test_a_payment_of_a_killed_process_is_finished_by_another(pair: Pair) -> None:
    await pair.a.start()
    await pair.b.start()  # A leads (it started first); B stands by
    awa = await funded_customer(pair, 3002)
    await buy_woyofal(pair.tg, awa, SLOW_METER, "2000")
    await pair.sim.wait_for_pay_calls(1, timeout=10)
    pair.a.kill()  # mid-call: DEXCHANGE has debited, A never hears the answer
    await pair.a.wait_exit()
    await pair.tg.wait_for_message(awa, SUCCESS, timeout=30)  # from B, now the leader
    await pair.sim.wait_callbacks_idle(timeout=10)
    statuses = await outside_rows(pair.workdir / "bot.sqlite3", "SELECT status FROM payments")
    assert statuses == [("success",)]
    assert pair.sim.state.debits == 1
    assert len(set(pair.sim.state.by_external_id)) == 1  # retried under the same id
    assert await ledger_kinds(pair) == ["reserve", "settle"]
    assert successes(pair, awa) == 1


async def test_one_callback_sent_to_two_processes_fifty_times_is_applied_once(
    tmp_path: Path,
) -> None:
    # The simulator's own callback would come only in 10 minutes: the test sends it.
    async with running_pair(tmp_path, callback_delay=600) as pair:
        await pair.a.start()
        await pair.b.start()
        awa = await funded_customer(pair, 3003)
        await buy_woyofal(pair.tg, awa, "123456789", "3000")  # PROCESSING: code by callback
        await pair.sim.wait_for_pay_calls(1, timeout=10)
        await pair.tg.wait_for_message(awa, "Recharge acceptée", timeout=10)  # answer applied
        [txn] = pair.sim.state.transactions.values()
        assert txn.callback_url is not None
        path = httpx.URL(txn.callback_url).raw_path.decode()
        body = callback_body(txn) | {"STATUS": "SUCCESS", "TOKEN": "12839300932092230001"}
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(
                *(
                    client.post(f"http://127.0.0.1:{process.port}{path}", json=body)
                    for _ in range(50)
                    for process in (pair.a, pair.b)
                )
            )
        assert {answer.status_code for answer in answers} == {200}
        code = "1283 9300 9320 9223 0001"
        await pair.tg.wait_for_message(awa, code, timeout=20)
        await asyncio.sleep(1.5)  # time for a second message to show up, if any
        events = await outside_rows(
            pair.workdir / "bot.sqlite3",
            "SELECT count(*) FROM payment_events WHERE to_status = 'success'",
        )
        assert events == [(1,)]
        assert await ledger_kinds(pair) == ["reserve", "settle"]
        assert sum(1 for m in pair.tg.messages(awa) if code in (m.text or "")) == 1
