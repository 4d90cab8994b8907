"""Collections (issue 15) on a real SQLite file: one row per intent, the transition table
(every pair, in the code and in the database), the ledger's collection entries credited
exactly once, a payout never below zero, the daily funded total, the checks that come due.
The expected table is written out here, not read from the code."""

import asyncio
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Storage
from storage.database import _split_statements, migrations
from storage.day_report import day_report
from storage.ledger import InsufficientBalance
from storage.models import (
    CollectionStatus,
    Direction,
    FeePaidBy,
    LedgerKind,
    MoneyAccount,
    MoneyMethod,
    NewCollection,
    NewPayment,
    Service,
)

C = CollectionStatus
AT_DEXCHANGE = (C.SUBMITTED, C.PENDING, C.UNKNOWN)
ALLOWED = {
    (C.CREATED, C.SUBMITTED),
    (C.UNKNOWN, C.SUBMITTED),  # a retry, under the same external id
    (C.SUBMITTED, C.PENDING),
    (C.UNKNOWN, C.PENDING),
    (C.SUBMITTED, C.UNKNOWN),
    (C.CREATED, C.CANCELLED),  # never sent: nothing at DEXCHANGE to wait for
    *((source, final) for source in AT_DEXCHANGE for final in (C.SUCCESS, C.FAILED)),
    *((source, final) for source in AT_DEXCHANGE for final in (C.CANCELLED, C.EXPIRED)),
}
FINAL = {C.SUCCESS, C.FAILED, C.CANCELLED, C.EXPIRED}
PAIRS = [(source, target) for source in C for target in C]
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def new(
    user_id: int,
    key: str = "k1",
    direction: Direction = Direction.IN,
    amount: int = 5000,
    fee: int = 50,
    fee_paid_by: FeePaidBy = FeePaidBy.CUSTOMER,
    method: MoneyMethod = MoneyMethod.WAVE,
) -> NewCollection:
    code = {MoneyMethod.WAVE: "WAVE", MoneyMethod.ORANGE_MONEY: "OM"}.get(method, "FM")
    return NewCollection(
        user_id=user_id,
        direction=direction,
        idempotency_key=key,
        external_id=f"COL-{user_id}-{key}",
        service_code=f"{code}_SN_{'CASHOUT' if direction is Direction.IN else 'CASHIN'}",
        method=method,
        number="771234567",
        amount=amount,
        fee=fee,
        fee_paid_by=fee_paid_by,
    )


async def a_user(storage: Storage, who: str = "1") -> int:
    async with storage.transaction() as tx:
        return (await tx.users.ensure("telegram", who)).id


def force_status(path: Path, collection_id: int, status: C) -> None:
    """Put the row in a state directly, past the guard (the table is the subject)."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER collections_guarded_status")
        conn.execute(
            "UPDATE collections SET status = ?, completed_at = ? WHERE id = ?",
            (
                status.value,
                "2026-11-30T12:00:00.000000Z" if status in FINAL else None,
                collection_id,
            ),
        )
    # The trigger comes back exactly as the migration wrote it.
    sql = next(sql for number, _, sql in migrations() if number == 7)
    statement = next(s for s in _split_statements(sql) if "collections_guarded_status" in s)
    with sqlite3.connect(path) as conn:
        conn.execute(statement)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "c.sqlite3"


# --- one row per intent -------------------------------------------------------------------


async def confirm_ten(path: Path, user_id: int) -> list[tuple[int, bool]]:
    store = Storage(path)
    await store.open()
    try:

        async def confirm() -> tuple[int, bool]:
            async with store.transaction() as tx:
                row, created = await tx.collections.create(new(user_id, "tap-1"))
                return row.id, created

        return list(await asyncio.gather(*(confirm() for _ in range(10))))
    finally:
        await store.close()


async def test_twenty_concurrent_creates_make_one_collection(path: Path) -> None:
    """Twenty confirmations of one intent: ten at once in each of two threads, each with its
    own event loop and connections to one file (two processes' worth of SQLite locking).
    One row, one `created` answer, the same row for all."""
    storage = Storage(path)
    await storage.open()
    try:
        user_id = await a_user(storage)
        both = await asyncio.gather(
            *(asyncio.to_thread(asyncio.run, confirm_ten(path, user_id)) for _ in range(2))
        )
        results = [result for ten in both for result in ten]
        assert len(results) == 20
        assert len({row_id for row_id, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        rows = await storage.read.collections.for_user(user_id, limit=100)
        assert len(rows) == 1 and rows[0].status is C.CREATED
        assert await storage.read.collections.events(rows[0].id) == [(None, "created", "create")]
        # The key is unique per user: another user's same key is another collection.
        other = await a_user(storage, "2")
        async with storage.transaction() as tx:
            _, created = await tx.collections.create(new(other, "tap-1"))
        assert created
        # The same external id under another key is a bug: the table refuses it.
        with pytest.raises(sqlite3.IntegrityError):
            async with storage.transaction() as tx:
                clash = new(user_id, "tap-2")
                await tx.collections.create(
                    NewCollection(**{**clash.__dict__, "external_id": f"COL-{user_id}-tap-1"})
                )
    finally:
        await storage.close()


async def test_create_stores_the_figures_and_the_lookups_find_them(path: Path) -> None:
    storage = Storage(path, Clock())
    await storage.open()
    try:
        user_id = await a_user(storage)
        async with storage.transaction() as tx:
            absorbed, _ = await tx.collections.create(
                new(user_id, "a", fee=100, fee_paid_by=FeePaidBy.OPERATOR)
            )
            charged, _ = await tx.collections.create(new(user_id, "b", fee=100))
            refund, _ = await tx.collections.create(
                new(user_id, "c", direction=Direction.OUT, fee=100)
            )
            await tx.collections.transition(charged.id, C.SUBMITTED, "init")
            await tx.collections.transition(
                charged.id, C.PENDING, "init", provider_tx_id="TX-9", payment_link="https://w/x"
            )
        assert (absorbed.total, absorbed.provider_amount, absorbed.wallet_change) == (
            5000,
            5000,
            5000,
        )
        assert (charged.total, charged.provider_amount, charged.wallet_change) == (
            5100,
            5100,
            5000,
        )
        assert (refund.total, refund.provider_amount, refund.wallet_change) == (5100, 5000, -5100)
        read = storage.read.collections
        found = await read.by_external_id(charged.external_id)
        assert found is not None and found.id == charged.id and found.payment_link == "https://w/x"
        assert (await read.by_provider_tx_id("TX-9")) == found
        assert await read.by_provider_tx_id("TX-0") is None
        assert await read.by_external_id("nope") is None
        assert found.next_check_at == NOON and found.attempts == 1
    finally:
        await storage.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("number", "77123456"),  # 8 digits
        ("number", "77123456a"),
        ("amount", 0),
        ("fee", -1),
        ("method", "paypal"),
        ("service_code", "WAVE_SN_CASHIN"),  # an 'in' needs a *_CASHOUT service
        ("total", 5001),
        ("status", "done"),
    ],
)
async def test_the_table_refuses_what_sql_can_check(path: Path, column: str, value: Any) -> None:
    storage = Storage(path)
    await storage.open()
    await storage.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, created_at, updated_at)"
            " VALUES ('telegram', '1', '1', 'x', 'x')"
        )
        row = {
            "user_id": 1,
            "direction": "in",
            "idempotency_key": "k",
            "external_id": "E",
            "service_code": "WAVE_SN_CASHOUT",
            "method": "wave",
            "number": "771234567",
            "amount": 5000,
            "fee": 0,
            "fee_paid_by": "customer",
            "total": 5000,
            "status": "created",
            "actor": "user",
            "created_at": "x",
            "updated_at": "x",
        }
        insert = "INSERT INTO collections ({}) VALUES ({})"
        conn.execute(insert.format(", ".join(row), ", ".join("?" * len(row))), tuple(row.values()))
        bad = {**row, "idempotency_key": "k2", "external_id": "E2", column: value}
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                insert.format(", ".join(bad), ", ".join("?" * len(bad))), tuple(bad.values())
            )
        # The figures DEXCHANGE is asked for never change once written.
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE collections SET amount = 50000")


# --- the transition table -----------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
async def test_every_move_of_the_table(path: Path, source: C, target: C) -> None:
    storage = Storage(path, Clock())
    await storage.open()
    try:
        user_id = await a_user(storage)
        async with storage.transaction() as tx:
            row, _ = await tx.collections.create(new(user_id))
        force_status(path, row.id, source)
        before = await storage.read.collections.get(row.id)
        async with storage.transaction() as tx:
            moved = await tx.collections.transition(row.id, target, "test", provider_tx_id="T")
        after = await storage.read.collections.get(row.id)
        assert before is not None and after is not None
        if (source, target) in ALLOWED:
            assert moved == after and after.status is target
            assert (after.completed_at is not None) == (target in FINAL)
            assert (after.next_check_at is None) == (target in FINAL)
            assert (await storage.read.collections.events(row.id))[-1] == (
                source.value,
                target.value,
                "test",
            )
        else:
            assert moved is None and after == before, "a forbidden move changed the collection"
        # The database holds the same table, whatever SQL runs.
        with sqlite3.connect(path) as conn:
            try:
                conn.execute(
                    "UPDATE collections SET status = ?, completed_at = ? WHERE id = ?",
                    (
                        target.value,
                        "2026-11-30T13:00:00.000000Z" if target in FINAL else None,
                        row.id,
                    ),
                )
                done = True
            except sqlite3.IntegrityError:
                done = False
        current = after.status
        assert done == (current is target or (current, target) in ALLOWED)
    finally:
        await storage.close()


STEPS = st.lists(st.sampled_from(list(C)), min_size=1, max_size=12)


async def walk(folder: Path, steps: list[C]) -> None:
    storage = Storage(folder / "w.sqlite3", Clock())
    await storage.open()
    try:
        user_id = await a_user(storage)
        async with storage.transaction() as tx:
            row, _ = await tx.collections.create(new(user_id))
        status = C.CREATED
        for target in steps:
            async with storage.transaction() as tx:
                moved = await tx.collections.transition(row.id, target, "walk")
            assert (moved is not None) == ((status, target) in ALLOWED)
            if moved is not None:
                assert status not in FINAL, f"{status} is final and moved to {target}"
                status = target
            stored = await storage.read.collections.get(row.id)
            assert stored is not None and stored.status is status
        events = await storage.read.collections.events(row.id)
        assert [to for _, to, _ in events][-1] == status.value
        assert sum(1 for _, to, _ in events if C(to) in FINAL) <= 1
    finally:
        await storage.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_no_sequence_of_transitions_changes_a_final_state(steps: list[C]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(walk(Path(folder), steps))


# --- the ledger: funding exactly once, payouts never below zero ----------------------------


@pytest.fixture
async def storage(path: Path) -> AsyncIterator[Storage]:
    store = Storage(path, Clock())
    await store.open()
    yield store
    await store.close()


async def succeeded(storage: Storage, user_id: int, key: str = "k1") -> int:
    async with storage.transaction() as tx:
        row, _ = await tx.collections.create(new(user_id, key))
        await tx.collections.transition(row.id, C.SUBMITTED, "init")
        await tx.collections.transition(row.id, C.SUCCESS, "callback", provider_tx_id="TX-" + key)
    return row.id


async def test_funding_is_credited_exactly_once(storage: Storage, path: Path) -> None:
    user_id = await a_user(storage)
    collection_id = await succeeded(storage, user_id)
    for _ in range(2):  # the callback and the poll both see SUCCESS
        async with storage.transaction() as tx:
            await tx.ledger.add(
                user_id, LedgerKind.FUNDING, 5000, actor="callback", collection_id=collection_id
            )
    entries = await storage.read.ledger.all_for_collection(collection_id)
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        (LedgerKind.FUNDING, 5000, 5000)
    ]
    assert await storage.read.ledger.balance(user_id) == 5000
    # Past the repository's own check, the database refuses the second one by itself.
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute(
            "INSERT INTO ledger (user_id, kind, amount, balance_after, actor, created_at,"
            " collection_id) VALUES (?, 'funding', 5000, 10000, 'sql', 'x', ?)",
            (user_id, collection_id),
        )
    assert await storage.read.ledger.balance(user_id) == 5000


async def sql_entry(
    path: Path, user_id: int, kind: str, amount: int, collection: int | None
) -> bool:
    with sqlite3.connect(path) as conn:
        balance = conn.execute(
            "SELECT coalesce((SELECT balance_after FROM ledger WHERE user_id = ?"
            " ORDER BY id DESC LIMIT 1), 0)",
            (user_id,),
        ).fetchone()[0]
        try:
            conn.execute(
                "INSERT INTO ledger (user_id, kind, amount, balance_after, actor, created_at,"
                " collection_id) VALUES (?, ?, ?, ?, 'sql', 'x', ?)",
                (user_id, kind, amount, balance + amount, collection),
            )
            return True
        except sqlite3.IntegrityError:
            return False


async def test_a_collection_entry_must_match_its_collection(storage: Storage, path: Path) -> None:
    user_id = await a_user(storage)
    other = await a_user(storage, "2")
    async with storage.transaction() as tx:
        open_one, _ = await tx.collections.create(new(user_id, "open"))
    done = await succeeded(storage, user_id, "done")
    assert not await sql_entry(path, user_id, "funding", 5000, open_one.id), "not a success yet"
    assert not await sql_entry(path, user_id, "funding", 5001, done), "not its amount"
    assert not await sql_entry(path, user_id, "funding", 5050, done), "the fee is not credited"
    assert not await sql_entry(path, other, "funding", 5000, done), "another user's"
    assert not await sql_entry(path, user_id, "funding", 5000, None), "names no collection"
    assert not await sql_entry(path, user_id, "credit", 5000, done), "a credit names none"
    assert not await sql_entry(path, user_id, "payout", -5000, done), "an 'in' pays nothing out"
    assert await sql_entry(path, user_id, "funding", 5000, done)
    assert await storage.read.ledger.balance(user_id) == 5000
    # balance_after is the running sum: an entry cannot claim a balance that is not there.
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="balance plus"):
        conn.execute(
            "INSERT INTO ledger (user_id, kind, amount, balance_after, actor, created_at)"
            " VALUES (?, 'credit', 10, 99999, 'sql', 'x')",
            (user_id,),
        )


async def refund(storage: Storage, user_id: int, key: str, amount: int) -> int:
    async with storage.transaction() as tx:
        row, _ = await tx.collections.create(
            new(user_id, key, direction=Direction.OUT, amount=amount, fee=0)
        )
        return row.id


async def test_a_payout_never_takes_a_wallet_below_zero(storage: Storage, path: Path) -> None:
    user_id = await a_user(storage)
    async with storage.transaction() as tx:
        await tx.ledger.add(user_id, LedgerKind.CREDIT, 3000, actor="admin")
    big = await refund(storage, user_id, "big", 3001)
    with pytest.raises(InsufficientBalance):
        async with storage.transaction() as tx:
            await tx.ledger.add(user_id, LedgerKind.PAYOUT, -3001, actor="admin", collection_id=big)
    await storage.database.flush()  # the refused transaction's batch lets go of the file
    # The database refuses it by itself too, and refuses to send an undebited payout.
    assert not await sql_entry(path, user_id, "payout", -3001, big)
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="debited"):
        conn.execute("UPDATE collections SET status = 'submitted' WHERE id = ?", (big,))
    async with storage.transaction() as tx:
        assert await tx.collections.transition(big, C.CANCELLED, "admin") is not None
    assert await storage.read.ledger.balance(user_id) == 3000

    fits = await refund(storage, user_id, "fits", 3000)
    async with storage.transaction() as tx:
        entry = await tx.ledger.add(
            user_id, LedgerKind.PAYOUT, -3000, actor="admin", collection_id=fits
        )
        assert entry is not None and entry.balance_after == 0
        assert await tx.collections.transition(fits, C.SUBMITTED, "init") is not None
    assert not await sql_entry(path, user_id, "payout", -3000, fits), "debited twice"
    assert not await sql_entry(path, user_id, "payout_return", 3000, fits), "not ended yet"
    async with storage.transaction() as tx:
        await tx.collections.transition(fits, C.FAILED, "callback")
    assert not await sql_entry(path, user_id, "payout_return", 3001, fits), "more than debited"
    for _ in range(2):
        async with storage.transaction() as tx:
            await tx.ledger.add(
                user_id, LedgerKind.PAYOUT_RETURN, 3000, actor="callback", collection_id=fits
            )
    assert not await sql_entry(path, user_id, "payout_return", 3000, fits), "returned twice"
    kinds = [(e.kind, e.amount) for e in await storage.read.ledger.all_for_collection(fits)]
    assert kinds == [(LedgerKind.PAYOUT, -3000), (LedgerKind.PAYOUT_RETURN, 3000)]
    assert await storage.read.ledger.balance(user_id) == 3000
    assert await storage.read.ledger.sum_of_entries(user_id) == 3000


async def test_a_successful_payout_gives_nothing_back(storage: Storage, path: Path) -> None:
    user_id = await a_user(storage)
    async with storage.transaction() as tx:
        await tx.ledger.add(user_id, LedgerKind.CREDIT, 5000, actor="admin")
    paid = await refund(storage, user_id, "paid", 2000)
    async with storage.transaction() as tx:
        await tx.ledger.add(user_id, LedgerKind.PAYOUT, -2000, actor="cli", collection_id=paid)
        await tx.collections.transition(paid, C.SUBMITTED, "init")
        await tx.collections.transition(paid, C.SUCCESS, "callback")
    assert not await sql_entry(path, user_id, "payout_return", 2000, paid)
    assert await storage.read.ledger.balance(user_id) == 3000


# --- the daily total, checks due, admin listings, metrics, the saved number ----------------


async def test_the_daily_funded_total(path: Path) -> None:
    clock = Clock(datetime(2026, 11, 29, 23, 59, tzinfo=UTC))
    storage = Storage(path, clock)
    await storage.open()
    try:
        user_id = await a_user(storage)
        other = await a_user(storage, "2")
        async with storage.transaction() as tx:
            await tx.collections.create(new(user_id, "yesterday", amount=70_000))
        clock.now = NOON
        outcomes = {
            "ok": (C.SUBMITTED, C.SUCCESS),
            "waiting": (C.SUBMITTED, C.PENDING),
            "unsure": (C.SUBMITTED, C.UNKNOWN),
            "new": (),
            "refused": (C.SUBMITTED, C.FAILED),
            "late": (C.SUBMITTED, C.EXPIRED),
            "dropped": (C.CANCELLED,),
        }
        for n, (key, moves) in enumerate(outcomes.items()):
            async with storage.transaction() as tx:
                row, _ = await tx.collections.create(new(user_id, key, amount=1000 * (n + 1)))
                for status in moves:
                    await tx.collections.transition(row.id, status, "test")
        async with storage.transaction() as tx:
            await tx.collections.create(new(other, "theirs", amount=500_000))
            await tx.collections.create(new(user_id, "refund", direction=Direction.OUT, amount=900))
        read = storage.read.collections
        # ok 1000 + waiting 2000 + unsure 3000 + new 4000; fee not counted (customer's side)
        assert await read.funded_today(user_id, NOON) == 10_000
        assert await read.funded_today(user_id) == 10_000  # the storage clock's day
        assert await read.funded_today(user_id, datetime(2026, 11, 30, 0, 0, tzinfo=UTC)) == 10_000
        assert await read.funded_today(user_id, datetime(2026, 11, 29, 0, 0, tzinfo=UTC)) == 70_000
        assert await read.funded_today(user_id, NOON + timedelta(days=1)) == 0
    finally:
        await storage.close()


async def test_due_for_check(storage: Storage) -> None:
    clock = storage.clock
    assert isinstance(clock, Clock)
    user_id = await a_user(storage)
    async with storage.transaction() as tx:
        fresh, _ = await tx.collections.create(new(user_id, "fresh"))  # due at once (created)
        later, _ = await tx.collections.create(new(user_id, "later"))
        await tx.collections.transition(later.id, C.SUBMITTED, "init")
        await tx.collections.transition(
            later.id, C.PENDING, "init", next_check_at=NOON + timedelta(minutes=5)
        )
        done, _ = await tx.collections.create(new(user_id, "done"))
        await tx.collections.transition(done.id, C.SUBMITTED, "init")
        await tx.collections.transition(done.id, C.SUCCESS, "init")
    read = storage.read.collections
    assert [c.id for c in await read.due_for_check(NOON)] == [fresh.id]
    assert [c.id for c in await read.due_for_check(NOON + timedelta(minutes=5))] == [
        fresh.id,
        later.id,
    ]
    async with storage.transaction() as tx:
        await tx.collections.schedule_check(fresh.id, NOON + timedelta(minutes=10))
        await tx.collections.schedule_check(done.id, NOON)  # final: never due again
    assert [c.id for c in await read.due_for_check(NOON + timedelta(minutes=9))] == [later.id]
    due = await read.due_for_check(NOON + timedelta(hours=1), limit=1)
    assert [c.id for c in due] == [later.id]
    again = await read.get(fresh.id)
    assert again is not None and again.checks == 1


async def test_admin_listings_metrics_and_flags(storage: Storage) -> None:
    user_id = await a_user(storage)
    async with storage.transaction() as tx:
        waiting, _ = await tx.collections.create(new(user_id, "w"))
        refused, _ = await tx.collections.create(new(user_id, "r", method=MoneyMethod.ORANGE_MONEY))
        await tx.collections.transition(refused.id, C.SUBMITTED, "init", maybe_sent=True)
        await tx.collections.transition(refused.id, C.FAILED, "callback", message="refusé")
        odd, _ = await tx.collections.create(new(user_id, "o"))
        await tx.collections.transition(odd.id, C.SUBMITTED, "init")
        await tx.collections.transition(odd.id, C.SUCCESS, "callback")
        assert await tx.collections.flag_attention(odd.id, "amount differs: 5200")
        assert not await tx.collections.flag_attention(odd.id, "amount differs: 5200")
        assert not await tx.collections.flag_attention(odd.id, "number differs")
        assert await tx.collections.mark_maybe_sent(waiting.id)
        assert not await tx.collections.mark_maybe_sent(waiting.id)
    read = storage.read.collections
    assert [c.id for c in await read.open_collections()] == [waiting.id]
    assert [c.id for c in await read.failed_collections()] == [odd.id, refused.id]
    flagged = await read.get(odd.id)
    assert flagged is not None and flagged.attention_reason == "amount differs: 5200"
    stored = await read.get(refused.id)
    assert stored is not None and stored.maybe_sent and stored.provider_message == "refusé"
    assert [e[2] for e in await read.events(odd.id)].count("attention") == 2
    assert await read.count_by_method_status() == [
        ("in", "orange_money", "failed", 1),
        ("in", "wave", "created", 1),
        ("in", "wave", "success", 1),
    ]


async def test_a_pay_the_rest_collection_names_its_purchase(storage: Storage) -> None:
    user_id = await a_user(storage)
    async with storage.transaction() as tx:
        payment, _ = await tx.payments.create(
            NewPayment(user_id, "q1", Service.WOYOFAL, "07061270877", 8000, 80, "SP-1")
        )
        rest = new(user_id, "rest", amount=3080)
        await tx.collections.create(
            NewCollection(**{**rest.__dict__, "for_payment_id": payment.id})
        )
    found = await storage.read.collections.for_payment(payment.id)
    assert [(c.amount, c.for_payment_id) for c in found] == [(3080, payment.id)]


async def test_the_saved_money_number(storage: Storage) -> None:
    user_id = await a_user(storage)
    assert await storage.read.users.money_account(user_id) is None
    async with storage.transaction() as tx:
        await tx.users.set_money_account(user_id, MoneyAccount(MoneyMethod.WAVE, "771234567"))
    assert await storage.read.users.money_account(user_id) == MoneyAccount(
        MoneyMethod.WAVE, "771234567"
    )
    async with storage.transaction() as tx:
        await tx.users.set_money_account(user_id, MoneyAccount(MoneyMethod.FREE_MONEY, "761234567"))
    assert await storage.read.users.money_account(user_id) == MoneyAccount(
        MoneyMethod.FREE_MONEY, "761234567"
    )
    with pytest.raises(sqlite3.IntegrityError):
        async with storage.transaction() as tx:
            await tx.users.set_money_account(user_id, MoneyAccount(MoneyMethod.WAVE, "7712"))
    async with storage.transaction() as tx:
        await tx.users.set_money_account(user_id, None)
    assert await storage.read.users.money_account(user_id) is None


# --- the upgrade: a database of migration 6 keeps its ledger -------------------------------


async def test_migration_7_keeps_an_existing_ledger(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        for number, name, sql in migrations():
            if number >= 7:
                continue
            for statement in _split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'x')", (number, name))
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, created_at, updated_at)"
            " VALUES ('telegram', '1', '1', 'x', 'x')"
        )
        conn.execute(
            "INSERT INTO ledger (user_id, kind, amount, balance_after, actor,"
            " created_at) VALUES (1, 'credit', 7000, 7000, 'admin', '2026-11-29T10:00:00.000000Z')"
        )
    storage = Storage(path, Clock())
    await storage.open()
    try:
        assert await storage.database.schema_version() == max(n for n, _, _ in migrations())
        entries = await storage.read.ledger.entries(1)
        assert [(e.kind, e.amount, e.balance_after, e.collection_id) for e in entries] == [
            (LedgerKind.CREDIT, 7000, 7000, None)
        ]
        async with storage.transaction() as tx:
            await tx.ledger.add(1, LedgerKind.CREDIT, 500, actor="admin")
        assert await storage.read.ledger.balance(1) == 7500
    finally:
        await storage.close()


async def test_a_days_report_adds_up_with_fundings_and_refunds(storage: Storage) -> None:
    """opening + credits + payments = closing, always (storage/day_report.py): money that
    came from mobile money or went back to it is a wallet movement of the day too."""
    user_id = await a_user(storage)
    funded = await succeeded(storage, user_id, "in")
    paid_out = await refund(storage, user_id, "out", 1200)
    async with storage.transaction() as tx:
        await tx.ledger.add(user_id, LedgerKind.FUNDING, 5000, actor="cb", collection_id=funded)
        await tx.ledger.add(user_id, LedgerKind.PAYOUT, -1200, actor="cli", collection_id=paid_out)
    report = await day_report(storage.read, user_id, NOON.date(), NOON + timedelta(days=1))
    assert (report.opening, report.closing) == (0, 3800)
    assert report.opening + report.credits + report.payments == report.closing
    assert report.active
