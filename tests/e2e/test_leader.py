"""Several bot processes on one PostgreSQL database: one leader, and wake-ups across them.

Real `python -m bot run` processes (each its own HTTP port) share one database, the fake
Telegram Bot API and the DEXCHANGE simulator of this test. Exactly one of them leads (long
polling, the notifier, the reconciler…); killed with SIGKILL, another takes over and the
work goes on, nothing lost, nothing twice. A commit in a process that does not lead wakes
the leader's notifier at once, through PostgreSQL's NOTIFY.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import ApiError, FakeTelegram, FakeUser
from storage import Storage
from tests.databases import database_for, outside_rows, require_postgres
from tests.e2e.harness import (
    SIM_KEY,
    TOKEN,
    Refusal,
    buy_woyofal,
    fake_refused_nothing,
    fund,
)
from tests.e2e.test_crash_recovery import bot_env

CODE_16 = "1283 9300 9320 9223"  # the simulator's code for meter 07061270877
# The dead leader's long poll is answered "superseded" when the new leader polls.
POLL_SUPERSEDED = ("getUpdates", 409)


@dataclass
class Cluster:
    tg: FakeTelegram
    sim: Simulator
    sim_url: str
    workdir: Path
    bots: list[BotProcess] = field(default_factory=list)
    expect_refusals: set[Refusal] = field(default_factory=lambda: {POLL_SUPERSEDED})

    @property
    def database(self) -> Path:
        return self.workdir / "bot.sqlite3"  # stands for the test's PostgreSQL database

    def bot(self, name: str, port: int, **settings: str) -> BotProcess:
        env = {**bot_env(self.workdir, self.tg.base_url, self.sim_url, port), **settings}
        bot = BotProcess(self.workdir, env, name=name)
        self.bots.append(bot)
        return bot

    def logs(self) -> str:
        return "\n".join(f"===== {bot.name}\n{bot.logs()}" for bot in self.bots)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    require_postgres()
    sim = Simulator(
        SimulatorConfig(
            api_key=SIM_KEY,
            callback_delay=1.0,
            sync_callback_delay=3.0,
            callback_retry_initial=0.3,
            callback_retry_max=1.0,
        )
    )
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        cluster = Cluster(tg, sim, sim_server.url, tmp_path)
        try:
            yield cluster
        finally:
            for bot in cluster.bots:
                await bot.stop()
        fake_refused_nothing(tg, cluster.expect_refusals)


def alive(bot: BotProcess) -> bool:
    return bot.process is not None and bot.process.returncode is None


async def health(bot: BotProcess) -> dict[str, object] | None:
    """The bot's /healthz answer, None when it does not answer."""
    with contextlib.suppress(httpx.HTTPError, ValueError):
        async with httpx.AsyncClient(timeout=2) as client:
            answer = await client.get(f"http://127.0.0.1:{bot.port}/healthz")
            body = answer.json()
            return body if isinstance(body, dict) else None
    return None


async def leaders(bots: list[BotProcess]) -> list[BotProcess]:
    """The living processes that say they lead."""
    found = []
    for bot in bots:
        if alive(bot):
            body = await health(bot)
            if body is not None and body.get("leader") is True:
                found.append(bot)
    return found


async def the_leader(cluster: Cluster, timeout: float = 20) -> tuple[BotProcess, float]:
    """The one process that leads (exactly one says so), and how long it took to see it."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        found = await leaders(cluster.bots)
        assert len(found) <= 1, f"two leaders: {[bot.name for bot in found]}"
        if found:
            return found[0], loop.time() - start
        assert loop.time() - start < timeout, f"no leader in {timeout}s:\n{cluster.logs()}"
        await asyncio.sleep(0.05)


async def leader_gauge(bot: BotProcess) -> float:
    async with httpx.AsyncClient(timeout=2) as client:
        text = (await client.get(f"http://127.0.0.1:{bot.port}/metrics")).text
    [line] = [line for line in text.splitlines() if line.startswith("bot_leader ")]
    return float(line.split()[1])


async def customer(cluster: Cluster, user_id: int, name: str) -> FakeUser:
    storage = Storage(database_for(cluster.database))
    await storage.open()
    try:
        await fund(storage, user_id, 1_000_000)
    finally:
        await storage.close()
    return cluster.tg.user(user_id, name)


async def wait_status(cluster: Cluster, status: str, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        rows = await outside_rows(cluster.database, "SELECT status FROM payments")
        if any(row[0] == status for row in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no payment reached {status}:\n{cluster.logs()}")


def count(tg: FakeTelegram, user: FakeUser, text: str) -> int:
    return sum(1 for message in tg.messages(user) if text in (message.text or ""))


def code_of(sim: Simulator, external_id: str) -> str:
    [transaction] = [
        t for t in sim.state.transactions.values() if t.external_transaction_id == external_id
    ]
    assert transaction.token
    return " ".join(transaction.token[i : i + 4] for i in range(0, 20, 4))


async def test_one_leader_and_another_takes_over_when_it_is_killed(cluster: Cluster) -> None:
    tg = cluster.tg
    for number in range(3):
        await cluster.bot(f"bot{number}", free_port()).start()
    leader, _ = await the_leader(cluster)
    await asyncio.sleep(1.5)  # several election rounds: still exactly one
    assert await leaders(cluster.bots) == [leader]
    assert await leader_gauge(leader) == 1
    for bot in cluster.bots:
        body = await health(bot)
        assert body is not None and body["status"] == "ok"
        if bot is not leader:
            assert body["leader"] is False and await leader_gauge(bot) == 0

    # A payment confirmed (its code in the outbox) just before the leader dies.
    awa = await customer(cluster, 3001, "Awa")
    since = tg.mark()
    await buy_woyofal(tg, awa, "123456789", "3000")  # PROCESSING; code by callback in 1 s
    telegram_down = True

    def refuse(params: object) -> ApiError | None:
        return ApiError(502, "Bad Gateway") if telegram_down else None

    tg.fail_next("sendMessage", 10_000, refuse)
    cluster.expect_refusals.add(502)
    await wait_status(cluster, "success")
    await asyncio.sleep(0.3)
    [(external_id,)] = await outside_rows(cluster.database, "SELECT external_id FROM payments")
    code = code_of(cluster.sim, external_id)
    assert count(tg, awa, code) == 0

    leader.kill()
    await leader.wait_exit()
    telegram_down = False
    successor, took = await the_leader(cluster)
    print(f"\nanother process led {took:.2f} s after the SIGKILL")
    assert successor is not leader and await leader_gauge(successor) == 1

    await tg.wait_for_message(awa, code, timeout=20, since=since)
    # A purchase after the kill: the new leader polls Telegram, pays, delivers the code.
    bob = await customer(cluster, 3002, "Bob")
    await buy_woyofal(tg, bob, "07061270877")
    await tg.wait_for_message(bob, CODE_16, timeout=20)
    await asyncio.sleep(1.5)  # time for any duplicate to show up
    assert count(tg, awa, code) == 1 and count(tg, bob, CODE_16) == 1
    assert cluster.sim.state.debits == 2
    assert await leaders(cluster.bots) == [successor]


async def test_a_commit_elsewhere_wakes_the_leader_at_once(cluster: Cluster) -> None:
    tg, sim = cluster.tg, cluster.sim
    # Neither the notifier's idle look nor the reconciler's poll comes within a minute, and
    # the "code on its way" notice is not due for ten: only a NOTIFY explains a prompt code.
    slow = {
        "NOTIFIER_IDLE_SECONDS": "60",
        "RECONCILE_INTERVAL_SECONDS": "60",
        "PROCESSING_NOTICE_SECONDS": "600",
    }
    port_a, port_b = free_port(), free_port()
    # DEXCHANGE's callbacks go to B, which does not lead: it commits the code there.
    callbacks_to_b = {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port_b}"}
    a = cluster.bot("a", port_a, **slow, **callbacks_to_b)
    b = cluster.bot("b", port_b, **slow, **callbacks_to_b)
    await a.start()
    assert (await the_leader(cluster))[0] is a
    await b.start()
    await asyncio.sleep(1.0)
    assert await leaders(cluster.bots) == [a]

    cheikh = await customer(cluster, 3003, "Cheikh")
    since = tg.mark()
    await buy_woyofal(tg, cheikh, "123456789", "3000")  # A takes it (A polls Telegram)
    await wait_status(cluster, "success")  # the callback's commit, in B
    loop = asyncio.get_running_loop()
    committed = loop.time()
    [callback] = sim.state.callbacks_sent
    assert callback.delivered and f":{port_b}/" in callback.url
    [(external_id,)] = await outside_rows(cluster.database, "SELECT external_id FROM payments")
    code = code_of(sim, external_id)
    await tg.wait_for_message(cheikh, code, timeout=10, since=since)
    print(f"\ncode delivered {loop.time() - committed:.2f} s after the callback's commit in B")
    assert count(tg, cheikh, code) == 1
    assert await leaders(cluster.bots) == [a]


async def end_lock_session(cluster: Cluster) -> int:
    """What PostgreSQL does when it loses the leader's connection: the session ends."""
    import asyncpg

    from storage.pg_signals import LEADER_LOCK

    url = database_for(cluster.database)
    assert isinstance(url, str)
    admin = await asyncpg.connect(url)
    try:
        return int(
            await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype ="
                " 'advisory' AND granted AND objid = $1 AND database = (SELECT oid FROM"
                " pg_database WHERE datname = current_database())",
                LEADER_LOCK & 0xFFFFFFFF,
            )
        )
    finally:
        await admin.close()


async def test_a_leader_that_loses_its_connection_stops_leading(cluster: Cluster) -> None:
    tg = cluster.tg
    for name in ("a", "b"):
        await cluster.bot(name, free_port()).start()
    leader, _ = await the_leader(cluster)
    assert await end_lock_session(cluster) == 1
    loop = asyncio.get_running_loop()
    cut = loop.time()
    while (body := await health(leader)) is None or body["leader"] is not False:
        assert loop.time() - cut < 10, f"still leading:\n{cluster.logs()}"
        await asyncio.sleep(0.01)
    print(f"\nthe old leader stopped leading {loop.time() - cut:.2f} s after its session ended")
    assert await leader_gauge(leader) == 0
    successor, _ = await the_leader(cluster)  # the other, or the old one back: one of them
    print(f"a leader again {loop.time() - cut:.2f} s after")
    # The work goes on with whoever leads: Telegram polled, paid, the code delivered once.
    dia = await customer(cluster, 3004, "Dia")
    await buy_woyofal(tg, dia, "07061270877")
    await tg.wait_for_message(dia, CODE_16, timeout=20)
    await asyncio.sleep(1.5)
    assert count(tg, dia, CODE_16) == 1
    assert await leaders(cluster.bots) == [successor]
