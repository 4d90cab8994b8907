"""Kill -9 at the worst moments of a mobile-money collection, of "pay the rest" and of a
refund: on restart one collection, credited (or debited) once, and the customer told once.

Like tests/e2e/test_crash_recovery.py, the bot runs as a real process (`python -m bot run`)
against the fake Telegram Bot API and the DEXCHANGE simulator, both in this test's process.
A `Gate` in front of the simulator holds chosen calls unanswered and unseen by it: the bot
has committed what it sends and waits for an answer, the moment it is killed.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram, FakeUser
from storage import Storage
from storage.models import CollectionStatus, LedgerKind, PaymentStatus
from tests.databases import database_for, outside_rows
from tests.e2e.chat import Chat
from tests.e2e.funding_chat import ASK_NUMBER, SUMMARY, WAVE_OK, confirm, open_funding, to_summary
from tests.e2e.harness import SIM_KEY, TOKEN, Refusal, fake_refused_nothing, fund
from tests.e2e.test_crash_recovery import PRESS_ANSWERED_AGAIN, bot_env

INIT = "/api/v1/transaction/init"
PAY = "/api/v1/billing/pay"
INQUIRY = "/api/v1/billing/inquiry"
WAVE_SLOW = "770000004"  # recorded at once, answered after slow_seconds, then a SUCCESS
FUNDED = "✅ Votre compte est rechargé de 5 000 FCFA"
PAYING = "Nous payons maintenant votre achat"
CODE = "1283 9300 9320 9223"  # meter 07061270877's code in the simulator
ADMIN_ID = 9101
REFUNDED = (
    "💸 4 000 FCFA ont été envoyés sur votre mobile money (770000000). Nouveau solde : 6 000 FCFA."
)


class Gate:
    """ASGI middleware before the simulator: a request to a held path never reaches it; it
    waits, unanswered, until its client goes away (killed, or given up), then gets a 503."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.holding: set[str] = set()
        self.held: list[str] = []
        self._arrived = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.holding:
            await self.app(scope, receive, send)
            return
        self.held.append(scope["path"])
        self._arrived.set()
        while (await receive())["type"] != "http.disconnect":
            pass
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def wait_held(self, path: str, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while path not in self.held:
                self._arrived.clear()
                await self._arrived.wait()


@dataclass
class World:
    tg: FakeTelegram
    sim: Simulator
    gate: Gate
    bot: BotProcess
    workdir: Path
    expect_refusals: set[Refusal] = field(default_factory=set)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    sim = Simulator(
        SimulatorConfig(
            api_key=SIM_KEY,
            callback_delay=0.5,
            sync_callback_delay=0.3,
            slow_seconds=2.0,
            collection_delay=0.5,
            callback_retry_initial=0.3,
            callback_retry_max=1.0,
        )
    )
    gate = Gate(sim.app)
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(gate) as sim_server:
        env = bot_env(tmp_path, tg.base_url, sim_server.url, free_port())
        env["ADMIN_TELEGRAM_IDS"] = str(ADMIN_ID)
        bot = BotProcess(tmp_path, env)
        world = World(tg, sim, gate, bot, tmp_path)
        try:
            yield world
        finally:
            await bot.stop()
        fake_refused_nothing(tg, world.expect_refusals)


@dataclass
class Books:
    """What the database holds for one customer, read from outside like an operator would."""

    collections: list[tuple[CollectionStatus, int, str]]  # status, amount, external id
    moves: list[tuple[LedgerKind, int]]  # oldest first, the test's setup credit left out
    payments: list[tuple[PaymentStatus, str]]  # status, external id


async def books(world: World, telegram_id: int) -> Books:
    storage = Storage(database_for(world.workdir / "bot.sqlite3"))
    await storage.open()
    try:
        user = await storage.read.users.by_external_id("telegram", str(telegram_id))
        assert user is not None
        collections = await storage.read.collections.for_user(user.id)
        entries = await storage.read.ledger.entries(user.id, 50)
        payments = await storage.read.payments.for_user(user.id, limit=50)
    finally:
        await storage.close()
    return Books(
        [(c.status, c.amount, c.external_id) for c in collections],
        [(e.kind, e.amount) for e in reversed(entries) if e.kind is not LedgerKind.CREDIT],
        [(p.status, p.external_id) for p in payments],
    )


async def wait_rows(world: World, what: str, query: str, *params: str) -> None:
    """Until `query` finds a row in the bot's database, watched from outside."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        rows = await outside_rows(world.workdir / "bot.sqlite3", query, *params)
        if rows:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} never came:\n{world.bot.logs()}")


async def wait_collection(world: World, status: str) -> None:
    query = "SELECT id FROM collections WHERE status = ?"
    await wait_rows(world, f"a collection {status}", query, status)


async def crash(world: World) -> None:
    world.bot.kill()
    await world.bot.wait_exit()


def said(tg: FakeTelegram, user: FakeUser, text: str) -> int:
    return sum(1 for message in tg.messages(user) if text in (message.text or ""))


def init_ids(sim: Simulator) -> set[str]:
    return {str(body.get("externalTransactionId")) for body in sim.state.init_requests}


def pay_ids(sim: Simulator) -> set[str]:
    return {str(body.get("externalTransactionId")) for body in sim.state.pay_requests}


async def test_killed_after_the_collection_commit_before_the_init_call(world: World) -> None:
    tg, sim, gate = world.tg, world.sim, world.gate
    awa = Chat(tg, tg.user(3301, "Awa"))
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    gate.holding = {INIT}  # the init call waits at DEXCHANGE's door: never seen by it
    await world.bot.start()
    await confirm(awa, await to_summary(awa, await open_funding(awa)))
    await gate.wait_held(INIT)
    await wait_collection(world, "submitted")
    await crash(world)
    assert sim.state.init_calls == 0 and (await books(world, 3301)).moves == []
    gate.holding = set()
    await world.bot.start()
    await awa.wait_for(FUNDED, timeout=15)
    await asyncio.sleep(1.0)  # time for any duplicate to show up
    seen = await books(world, 3301)
    [(status, amount, external_id)] = seen.collections
    assert (status, amount) == (CollectionStatus.SUCCESS, 5000)
    assert sim.state.init_calls == 1 and init_ids(sim) == {external_id}
    assert sim.state.credits == 1
    assert seen.moves == [(LedgerKind.FUNDING, 5000)]
    assert said(tg, awa.user, FUNDED) == 1


async def test_killed_after_the_init_call_before_its_answer_is_stored(world: World) -> None:
    tg, sim = world.tg, world.sim
    bob = Chat(tg, tg.user(3302, "Bob"))
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    await world.bot.start()
    await confirm(bob, await to_summary(bob, await open_funding(bob), number=WAVE_SLOW))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while sim.state.init_calls < 1:  # recorded by DEXCHANGE; its answer takes 2 s
        assert loop.time() < deadline, "no init call reached the simulator"
        await asyncio.sleep(0.02)
    await crash(world)
    assert len(sim.state.by_external_id) == 1 and (await books(world, 3302)).moves == []
    await world.bot.start()
    await bob.wait_for(FUNDED, timeout=15)
    await asyncio.sleep(1.0)
    seen = await books(world, 3302)
    [(status, amount, external_id)] = seen.collections
    assert (status, amount) == (CollectionStatus.SUCCESS, 5000)
    # Any retry went under the same id (and met a 409): one collection at DEXCHANGE.
    assert init_ids(sim) == {external_id} and list(sim.state.by_external_id) == [external_id]
    assert sim.state.credits == 1
    assert seen.moves == [(LedgerKind.FUNDING, 5000)]
    assert said(tg, bob.user, FUNDED) == 1


async def test_killed_after_the_success_while_the_purchase_is_paid(world: World) -> None:
    tg, sim, gate = world.tg, world.sim, world.gate
    dia = Chat(tg, tg.user(3303, "Dia"))
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    await world.bot.start()
    await dia.start_flow("woyofal")
    await dia.say("07061270877", "Quel montant")
    summary = await dia.say("5000", "Il manque 5 050 FCFA")
    wallets = (await dia.press(summary, "📲 Payer le reste")).last
    numbers = (await dia.press(wallets, "Wave")).last
    gate.holding = {PAY}  # the purchase's pay call waits at DEXCHANGE's door
    await confirm(dia, await dia.say(WAVE_OK, SUMMARY))
    await gate.wait_held(PAY)
    await dia.wait_for(PAYING)
    # The notice recorded as sent: a kill before that would send it again, by design
    # (DESIGN.md: delivered at least once), and this test is not about that moment.
    nothing_pending = "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE status = ?)"
    await wait_rows(world, "an empty outbox", nothing_pending, "pending")
    assert ASK_NUMBER in numbers.text
    await crash(world)
    assert sim.state.pay_calls == 0
    assert (await books(world, 3303)).moves == [
        (LedgerKind.FUNDING, 5050),
        (LedgerKind.RESERVE, -5050),
    ]
    gate.holding = set()
    await world.bot.start()
    await dia.wait_for(CODE, timeout=15)
    await asyncio.sleep(1.0)
    seen = await books(world, 3303)
    assert [status for status, _, _ in seen.collections] == [CollectionStatus.SUCCESS]
    [(status, external_id)] = seen.payments
    assert status is PaymentStatus.SUCCESS and pay_ids(sim) == {external_id}
    assert sim.state.pay_calls == 1 and sim.state.debits == 1 and sim.state.init_calls == 1
    assert seen.moves == [
        (LedgerKind.FUNDING, 5050),
        (LedgerKind.RESERVE, -5050),
        (LedgerKind.SETTLE, 0),
    ]
    assert said(tg, dia.user, CODE) == 1 and said(tg, dia.user, PAYING) == 1


async def test_killed_after_the_success_before_the_bill_is_paid(world: World) -> None:
    tg, sim, gate = world.tg, world.sim, world.gate
    ndeye = Chat(tg, tg.user(3305, "Ndeye"))
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    await world.bot.start()
    await ndeye.start_flow("senelec")
    summary = await ndeye.say("210278816", "Il manque 105 545 FCFA")
    wallets = (await ndeye.press(summary, "📲 Payer le reste")).last
    numbers = (await ndeye.press(wallets, "Wave")).last
    assert ASK_NUMBER in numbers.text
    # Once funded, a bill is looked up again before it is paid: that lookup waits at the
    # door, so the kill comes after the success's commit, before any payment exists.
    gate.holding = {INQUIRY}
    await confirm(ndeye, await ndeye.say(WAVE_OK, SUMMARY))
    await gate.wait_held(INQUIRY)
    await ndeye.wait_for(PAYING)
    nothing_pending = "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE status = ?)"
    await wait_rows(world, "an empty outbox", nothing_pending, "pending")
    await crash(world)
    seen = await books(world, 3305)
    assert seen.moves == [(LedgerKind.FUNDING, 105_545)] and seen.payments == []
    gate.holding = set()
    await world.bot.start()
    await ndeye.wait_for("Facture Senelec payée", timeout=15)
    await asyncio.sleep(1.0)
    seen = await books(world, 3305)
    [(status, external_id)] = seen.payments
    assert status is PaymentStatus.SUCCESS and pay_ids(sim) == {external_id}
    assert sim.state.pay_calls == 1 and sim.state.debits == 1 and sim.state.init_calls == 1
    assert seen.moves == [
        (LedgerKind.FUNDING, 105_545),
        (LedgerKind.RESERVE, -105_545),
        (LedgerKind.SETTLE, 0),
    ]
    assert said(tg, ndeye.user, "Facture Senelec payée") == 1
    assert said(tg, ndeye.user, PAYING) == 1


async def test_a_refund_killed_after_its_commit_before_the_init_call(world: World) -> None:
    tg, sim, gate = world.tg, world.sim, world.gate
    storage = Storage(database_for(world.workdir / "bot.sqlite3"))
    await storage.open()
    try:
        await fund(storage, 3304, 10_000)
    finally:
        await storage.close()
    fatou = tg.user(3304, "Fatou")
    admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
    world.expect_refusals.add(PRESS_ANSWERED_AGAIN)
    gate.holding = {INIT}
    await world.bot.start()
    summary = await admin.say("/refund 3304 4 000 wave 770000000", "Confirmez-vous l'envoi")
    await admin.press(summary, "✅ Rembourser")
    await gate.wait_held(INIT)
    await crash(world)
    assert sim.state.init_calls == 0
    assert (await books(world, 3304)).moves == [(LedgerKind.PAYOUT, -4000)]
    gate.holding = set()
    await world.bot.start()
    await tg.wait_for_message(fatou, REFUNDED, timeout=15)
    await asyncio.sleep(1.0)
    seen = await books(world, 3304)
    [(status, amount, external_id)] = seen.collections
    assert (status, amount) == (CollectionStatus.SUCCESS, 4000)
    assert sim.state.init_calls == 1 and init_ids(sim) == {external_id}
    assert sim.state.debits == 1  # one payout out of the operator's DEXCHANGE balance
    assert seen.moves == [(LedgerKind.PAYOUT, -4000)]
    assert said(tg, fatou, REFUNDED) == 1
