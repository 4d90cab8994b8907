"""Money rule 7 held by the database itself: whatever SQL reaches the ledger, a payment's
entries never give a wallet more than it had before the payment, a settlement or release
is never negative, and entries are never rewritten (hypothesis; a real SQLite file, or a
PostgreSQL database when TEST_DATABASE_URL names a server)."""

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from storage import Storage
from storage.models import LedgerKind, NewPayment, Service
from tests.databases import REFUSED_BY_DATABASE, database_for
from tests.integration.test_payment_state_properties import examples, in_a_fresh_folder

KINDS = ["reserve", "settle", "release", "redebit", "credit", "adjustment"]
ATTEMPTS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=-30_000, max_value=30_000),
        st.booleans(),  # tied to the payment, or not
    ),
    min_size=1,
    max_size=12,
)


async def a_payment(storage: Storage, credit: int) -> tuple[int, int]:
    async with storage.transaction() as tx:
        user = await tx.users.ensure("telegram", "1")
        await tx.ledger.add(user.id, LedgerKind.CREDIT, credit, actor="test")
        payment, _ = await tx.payments.create(
            NewPayment(
                user_id=user.id,
                idempotency_key="k",
                service=Service.WOYOFAL,
                reference="07061270877",
                amount=10_000,
                fee=100,
                external_id="SP1",
            )
        )
    return user.id, payment.id


async def attempt(storage: Storage, user: int, payment: int | None, kind: str, amount: int) -> None:
    """Raw SQL, as a bug would write it, straight to the table (either backend)."""
    try:
        async with storage.database.write() as conn:
            balance = await conn.fetch_value(
                "SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = ?", (user,)
            )
            await conn.execute(
                "INSERT INTO ledger (user_id, kind, amount, balance_after, payment_id, actor,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'sql', '2026-11-30T00:00:00.000000Z')",
                (user, kind, amount, balance + amount, payment),
            )
    except REFUSED_BY_DATABASE:
        pass  # refused by the database: what this test is about


async def payment_rows(storage: Storage, payment: int) -> list[tuple[str, int]]:
    rows = await storage.read.ledger._conn.fetch_all(
        "SELECT kind, amount FROM ledger WHERE payment_id = ? ORDER BY id", (payment,)
    )
    return [(row[0], row[1]) for row in rows]


async def scenario(example: tuple[int, list[tuple[str, int, bool]]], folder: Path) -> None:
    credit, attempts = example
    storage = Storage(database_for(folder / "l.sqlite3"))
    await storage.open()
    try:
        user, payment = await a_payment(storage, credit)
        for kind, amount, tied in attempts:
            await attempt(storage, user, payment if tied else None, kind, amount)
            rows: list[Any] = await payment_rows(storage, payment)
            assert sum(amount for _, amount in rows) <= 0, "a payment gave back more than it took"
            assert all(amount >= 0 for kind, amount in rows if kind in ("settle", "release"))
            assert all(amount < 0 for kind, amount in rows if kind in ("reserve", "redebit"))
            assert not rows or rows[0][0] == "reserve", "an entry came before the reservation"
            untied = await storage.read.ledger._conn.fetch_value(
                "SELECT count(*) FROM ledger WHERE payment_id IS NULL"
                " AND kind NOT IN ('credit', 'adjustment')"
            )
            assert untied == 0, "a payment's kind of entry without its payment"
        try:
            async with storage.database.write() as conn:
                await conn.execute("UPDATE ledger SET amount = amount + 1")
            raise AssertionError("an entry was rewritten")
        except REFUSED_BY_DATABASE:
            pass
    finally:
        await storage.close()


@examples(150)
@given(st.tuples(st.integers(min_value=0, max_value=50_000), ATTEMPTS))
def test_no_sql_makes_a_payment_give_back_more_than_it_reserved(example) -> None:
    in_a_fresh_folder(scenario, example)


async def test_the_guard_refuses_the_forms_a_bug_would_take(tmp_path: Path) -> None:
    storage = Storage(database_for(tmp_path / "g.sqlite3"))
    await storage.open()
    try:
        user, payment = await a_payment(storage, 20_000)
        await attempt(storage, user, payment, "reserve", -10_100)
        await attempt(storage, user, payment, "settle", 10_200)  # more than reserved: refused
        await attempt(storage, user, payment, "settle", -500)  # a settlement that takes: refused
        await attempt(storage, user, payment, "settle", 100)  # the fee given back: fine
        await attempt(storage, user, payment, "release", 10_100)  # released after a settle: refused
        rows = await payment_rows(storage, payment)
    finally:
        await storage.close()
    assert rows == [("reserve", -10_100), ("settle", 100)]
