"""Money rule 7 held by the database itself: whatever SQL reaches the ledger, a payment's
entries never give a wallet more than it had before the payment, a settlement or release
is never negative, and entries are never rewritten (hypothesis, real SQLite file)."""

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from storage import Storage
from storage.models import LedgerKind, NewPayment, Service
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


async def a_payment(path: Path, credit: int) -> tuple[int, int]:
    storage = Storage(path)
    await storage.open()
    try:
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
    finally:
        await storage.close()


def attempt(
    conn: sqlite3.Connection, user: int, payment: int | None, kind: str, amount: int
) -> None:
    balance = conn.execute(
        "SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = ?", (user,)
    ).fetchone()[0]
    try:
        with conn:
            conn.execute(
                "INSERT INTO ledger (user_id, kind, amount, balance_after, payment_id, actor,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'sql', '2026-11-30T00:00:00.000000Z')",
                (user, kind, amount, balance + amount, payment),
            )
    except sqlite3.IntegrityError:
        pass  # refused by the database: what this test is about


async def scenario(example: tuple[int, list[tuple[str, int, bool]]], folder: Path) -> None:
    credit, attempts = example
    path = folder / "l.sqlite3"
    user, payment = await a_payment(path, credit)
    with sqlite3.connect(path) as conn:
        for kind, amount, tied in attempts:
            attempt(conn, user, payment if tied else None, kind, amount)
            rows: list[Any] = conn.execute(
                "SELECT kind, amount FROM ledger WHERE payment_id = ? ORDER BY id", (payment,)
            ).fetchall()
            assert sum(amount for _, amount in rows) <= 0, "a payment gave back more than it took"
            assert all(amount >= 0 for kind, amount in rows if kind in ("settle", "release"))
            assert all(amount < 0 for kind, amount in rows if kind in ("reserve", "redebit"))
            assert not rows or rows[0][0] == "reserve", "an entry came before the reservation"
            untied = conn.execute(
                "SELECT count(*) FROM ledger WHERE payment_id IS NULL"
                " AND kind NOT IN ('credit', 'adjustment')"
            ).fetchone()[0]
            assert untied == 0, "a payment's kind of entry without its payment"
        try:
            with conn:
                conn.execute("UPDATE ledger SET amount = amount + 1")
            raise AssertionError("an entry was rewritten")
        except sqlite3.IntegrityError:
            pass


@examples(150)
@given(st.tuples(st.integers(min_value=0, max_value=50_000), ATTEMPTS))
def test_no_sql_makes_a_payment_give_back_more_than_it_reserved(example) -> None:
    in_a_fresh_folder(scenario, example)


def test_the_guard_refuses_the_forms_a_bug_would_take(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    user, payment = asyncio.run(a_payment(path, 20_000))
    with sqlite3.connect(path) as conn:
        attempt(conn, user, payment, "reserve", -10_100)
        attempt(conn, user, payment, "settle", 10_200)  # more than reserved: refused
        attempt(conn, user, payment, "settle", -500)  # a settlement that takes: refused
        attempt(conn, user, payment, "settle", 100)  # the fee given back: fine
        attempt(conn, user, payment, "release", 10_100)  # released after a settle: refused
        rows = conn.execute(
            "SELECT kind, amount FROM ledger WHERE payment_id = ? ORDER BY id", (payment,)
        ).fetchall()
    assert rows == [("reserve", -10_100), ("settle", 100)]
