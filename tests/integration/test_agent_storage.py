"""Saved references, a user's own payments, the day's figures and the daily summary, on a real
SQLite file with a clock the test moves."""

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.services import wallets
from bot.workers.daily_summary import DailySummary
from handlers.engine import ConversationEngine
from handlers.flows import build_registry
from handlers.steps import ConversationConfig
from handlers.types import Incoming, InputKind
from storage import Storage
from storage.day_report import day_report
from storage.models import (
    LedgerKind,
    NewPayment,
    OutboxKind,
    Payment,
    PaymentStatus,
    ProviderUpdate,
    Role,
    Service,
)
from tests.databases import database_for
from tests.unit.test_handlers_engine import Payments

S = PaymentStatus
W = Service.WOYOFAL


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Storage]:
    storage = Storage(database_for(tmp_path / "agents.sqlite3"), clock)
    await storage.open()
    yield storage
    await storage.close()


async def new_user(store: Storage, external_id: str, role: Role = Role.CUSTOMER) -> int:
    async with store.transaction() as tx:
        user = await tx.users.ensure("telegram", external_id)
        await tx.users.set_role(user.id, role)
    return user.id


async def credit(store: Storage, user_id: int, amount: int) -> None:
    async with store.transaction() as tx:
        await tx.ledger.add(user_id, LedgerKind.CREDIT, amount, actor="test")


async def confirm(
    store: Storage,
    user_id: int,
    reference: str,
    amount: int,
    service: Service = W,
    label: str | None = None,
) -> Payment:
    """What the payment service does on confirm: the row, the reserve, then submitted."""
    async with store.transaction() as tx:
        payment, _ = await tx.payments.create(
            NewPayment(
                user_id=user_id,
                idempotency_key=secrets.token_hex(8),
                service=service,
                reference=reference,
                amount=amount,
                fee=amount // 100,
                external_id=f"SP{secrets.token_hex(6)}",
                client_label=label,
            )
        )
        await wallets.reserve(tx, payment)
        submitted = await tx.payments.transition(payment.id, S.SUBMITTED, "test")
    assert submitted is not None
    return submitted


async def finish(
    store: Storage, payment: Payment, status: PaymentStatus, provider_fee: int | None = None
) -> Payment:
    async with store.transaction() as tx:
        before = await tx.payments.get(payment.id)
        update = ProviderUpdate(
            status, f"TID{payment.id:09d}", ["1283930093209223"] if status is S.SUCCESS else []
        )
        if provider_fee is not None:
            update = ProviderUpdate(status, update.provider_tx_id, update.codes, fee=provider_fee)
        after = await tx.payments.transition(payment.id, status, "test", update)
        assert before is not None and after is not None
        await wallets.on_status(tx, before, after)
    return after


async def test_saved_references_are_per_user_and_ordered_by_use(store: Storage) -> None:
    awa, binta = await new_user(store, "1"), await new_user(store, "2")
    await credit(store, awa, 100_000)
    async with store.transaction() as tx:
        home, created = await tx.saved_references.add(awa, W, "07061270877")
        assert created
        again, created = await tx.saved_references.add(awa, W, "07061270877")
        assert not created and again.id == home.id
        shop, _ = await tx.saved_references.add(awa, W, "333333333")
        bill, _ = await tx.saved_references.add(awa, Service.SENELEC, "210278816")
    for _ in range(2):
        await confirm(store, awa, "333333333", 1000)
    await confirm(store, awa, "07061270877", 1000)
    read = store.read
    assert [s.reference for s in await read.saved_references.most_used(awa, W, 5)] == [
        "333333333",
        "07061270877",
    ]
    assert [s.uses for s in await read.saved_references.most_used(awa, W, 1)] == [2]
    assert [s.reference for s in await read.saved_references.for_user(awa)] == [
        "333333333",
        "07061270877",
        "210278816",
    ]
    assert await store.single.saved_references.rename(awa, home.id, "Maison")
    assert await read.saved_references.nickname_taken(awa, W, "MAISON", other_than=shop.id)
    assert not await read.saved_references.nickname_taken(awa, W, "maison", other_than=home.id)
    assert not await read.saved_references.nickname_taken(
        awa, Service.SENELEC, "Maison", other_than=bill.id
    )
    # Someone else's id changes nothing and shows nothing.
    assert await read.saved_references.get(binta, home.id) is None
    assert not await store.single.saved_references.rename(binta, home.id, "Volé")
    assert not await store.single.saved_references.delete(binta, home.id)
    assert (await read.saved_references.get(awa, home.id)) is not None
    assert await store.single.saved_references.delete(awa, home.id)
    assert await read.saved_references.count(awa) == 2


async def test_a_users_payments_are_found_by_user_only(store: Storage) -> None:
    ousmane = await new_user(store, "1", Role.AGENT)
    khady = await new_user(store, "2", Role.AGENT)
    for user in (ousmane, khady):
        await credit(store, user, 100_000)
    his = await confirm(store, ousmane, "07061270877", 5000, label="Fatou 77 123 45 67")
    hers = await confirm(store, khady, "07061270877", 1000, label="100% Fatou")
    payments = store.read.payments
    assert await payments.get_for_user(his.id, khady) is None
    assert (await payments.get_for_user(his.id, ousmane)) == his
    assert [p.id for p in await payments.find_for_user(khady, "07061270877", None)] == [hers.id]
    assert [p.id for p in await payments.find_for_user(ousmane, None, "771234567")] == [his.id]
    assert [p.id for p in await payments.find_for_user(ousmane, None, "FATOU")] == [his.id]
    # LIKE wildcards typed by a user are plain characters.
    assert [p.id for p in await payments.find_for_user(khady, None, "100%")] == [hers.id]
    assert await payments.find_for_user(ousmane, None, "%") == []
    assert await payments.find_for_user(ousmane, None, "_") == []
    assert await payments.last_with_codes(ousmane) is None
    await finish(store, his, S.SUCCESS)
    last = await payments.last_with_codes(ousmane)
    assert last is not None and last.id == his.id
    assert await payments.last_with_codes(khady) is None


async def test_the_days_figures_reconcile_with_the_ledger(store: Storage, clock: Clock) -> None:
    agent = await new_user(store, "1", Role.AGENT)
    other = await new_user(store, "2", Role.AGENT)
    clock.now = datetime(2026, 3, 19, 10, 0, tzinfo=UTC)
    await credit(store, agent, 100_000)
    await credit(store, other, 100_000)
    await finish(store, await confirm(store, other, "07061270877", 9000), S.SUCCESS)
    # Confirmed the evening before, finished after midnight: counted the day it finished.
    clock.now = datetime(2026, 3, 19, 23, 59, tzinfo=UTC)
    late = await confirm(store, agent, "111111111", 2000)
    clock.now = datetime(2026, 3, 20, 0, 1, tzinfo=UTC)
    await finish(store, late, S.SUCCESS)
    clock.now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    await credit(store, agent, 50_000)
    await finish(store, await confirm(store, agent, "07061270877", 5000), S.SUCCESS)
    # A lower provider fee: the agent is charged the lower one (the ledger settles it).
    await finish(
        store,
        await confirm(store, agent, "210278816", 104_500, Service.SENELEC),
        S.SUCCESS,
        provider_fee=1000,
    )
    await finish(store, await confirm(store, agent, "999999999", 1000), S.FAILED)
    open_one = await confirm(store, agent, "123456789", 3000)

    clock.now = datetime(2026, 3, 20, 18, 30, tzinfo=UTC)
    report = await day_report(store.read, agent, date(2026, 3, 20), clock.now)
    lines = {(line.service, line.count, line.amount, line.fees) for line in report.services}
    assert lines == {(W, 2, 7000, 70), (Service.SENELEC, 1, 104_500, 1000)}
    assert (report.count, report.amount, report.fees) == (3, 111_500, 1070)
    assert (report.failed, report.open) == (1, 1)
    assert report.opening == 100_000 - 2020  # the late one was reserved the day before
    assert report.credits == 50_000
    # Today's payment entries: two reserves settled (45 FCFA back on the bill), the failed
    # one released, one held; the late one's settlement (nothing back) is today's too.
    assert report.payments == -(5050 + 105_545) + 45 - 3030
    assert report.opening + report.credits + report.payments == report.closing
    assert report.closing == await store.read.ledger.balance(agent)
    assert report.as_of == clock.now
    # Once every open payment finishes, "payments" is exactly what the successes cost.
    await finish(store, open_one, S.FAILED)
    report = await day_report(store.read, agent, date(2026, 3, 20), clock.now)
    assert report.payments == -(report.total - 2020)  # the late one was held yesterday
    # The day before, seen the next day: over, so no "as of".
    before = await day_report(store.read, agent, date(2026, 3, 19), clock.now)
    assert before.as_of is None and before.count == 0 and before.open == 0
    assert (before.opening, before.credits, before.closing) == (0, 100_000, 100_000 - 2020)


async def test_the_daily_summary_goes_once_to_each_active_agent(
    store: Storage, clock: Clock
) -> None:
    active = await new_user(store, "1", Role.AGENT)
    idle = await new_user(store, "2", Role.AGENT)
    customer = await new_user(store, "3")
    clock.now = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
    for user in (active, idle, customer):
        await credit(store, user, 100_000)
    clock.now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    await finish(store, await confirm(store, active, "07061270877", 5000), S.SUCCESS)
    await finish(store, await confirm(store, customer, "07061270877", 5000), S.SUCCESS)
    woken: list[int] = []
    summary = DailySummary(store, 20, clock=clock, on_outbox=lambda: woken.append(1))

    clock.now = datetime(2026, 3, 20, 19, 59, tzinfo=UTC)
    assert await summary.run_due() == 0
    clock.now = datetime(2026, 3, 20, 20, 0, tzinfo=UTC)
    assert await summary.run_due() == 1
    assert await summary.run_due() == 0
    assert woken == [1]
    # Another process, or the bot after a restart: the dedupe key holds.
    assert await DailySummary(store, 20, clock=clock).run_due() == 0
    notices = [m for m in await store.read.outbox.for_user(active) if m.kind is OutboxKind.NOTICE]
    assert len(notices) == 1
    payload = notices[0].payload
    assert payload["daily"] is True
    assert payload["report"]["day"] == "2026-03-20"
    assert payload["report"]["services"] == [[W.value, 1, 5000, 50]]
    assert payload["report"]["closing"] == 100_000 - 5050
    for user in (idle, customer):
        assert not [m for m in await store.read.outbox.for_user(user) if m.payload.get("daily")]
    # The next day: due again, for who worked that day; turned off: never.
    clock.now = datetime(2026, 3, 21, 8, 0, tzinfo=UTC)
    await finish(store, await confirm(store, idle, "07061270877", 1000), S.SUCCESS)
    assert await summary.run_due() == 0  # before 20:00
    clock.now = datetime(2026, 3, 21, 21, 0, tzinfo=UTC)
    assert await DailySummary(store, None, clock=clock).run_due() == 0
    assert await summary.run_due() == 1


async def test_the_reference_step_offers_at_most_five_saved_first(
    store: Storage, clock: Clock
) -> None:
    user = await new_user(store, "42")
    await credit(store, user, 1_000_000)
    meters = [f"10000000{n}" for n in range(8)]
    for number, meter in enumerate(meters):
        for _ in range(number % 3 + 1):
            await confirm(store, user, meter, 1000)
    async with store.transaction() as tx:
        await tx.saved_references.add(user, W, meters[0])  # used once
        saved, _ = await tx.saved_references.add(user, W, meters[1])  # used twice
        await tx.saved_references.rename(user, saved.id, "Maison")
    engine = ConversationEngine(store, Payments(), ConversationConfig(), build_registry(), clock)
    outcome = await engine.handle(Incoming("telegram", "42", "42", InputKind.TEXT, "/woyofal"))
    [reply] = outcome.replies
    labels = [button.label for row in reply.buttons for button in row]
    # Saved ones first, the most used first; then the latest others; five in all, and Cancel.
    assert labels == [
        f"⭐ Maison · {meters[1]}",
        f"⭐ {meters[0]}",
        meters[7],
        meters[6],
        meters[5],
        "✖️ Annuler",
    ]
    assert all(len(b.payload.encode()) <= 64 for row in reply.buttons for b in row)
    assert "référence enregistrée ou déjà utilisée" in reply.text
