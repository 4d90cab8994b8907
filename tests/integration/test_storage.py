"""Storage against a real SQLite file: migrations, guarded transitions, outbox."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage import Storage
from storage.database import Database, migrations
from storage.models import NewPayment, OutboxKind, PaymentStatus, ProviderUpdate, Service
from tests.databases import REFUSED_BY_DATABASE, on_postgres

S = PaymentStatus


async def make_payment(storage: Storage, key: str = "quote-1", amount: int = 1000):
    async with storage.transaction() as tx:
        user = await tx.users.upsert("telegram", "42", "42", "awa", "Awa")
        return await tx.payments.create(
            NewPayment(
                user_id=user.id,
                idempotency_key=key,
                service=Service.WOYOFAL,
                reference="07061270877",
                amount=amount,
                fee=10,
                external_id=f"EXT-{key}",
            )
        )


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    for _ in range(2):  # opening again applies nothing twice
        store = Storage(path)
        await store.open()
        assert await store.database.schema_version() == max(n for n, _, _ in migrations())
        await store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(migrations())


async def test_two_processes_opening_at_once_migrate_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    stores = [Storage(path) for _ in range(3)]
    await asyncio.gather(*(store.open() for store in stores))
    for store in stores:
        await store.close()


async def test_opening_an_up_to_date_file_takes_no_write_lock(tmp_path: Path) -> None:
    """A second opener (the admin command line, a test's second Storage) of a file whose
    migrations are all applied must not wait for the write lock: in the same event loop as
    a transaction that holds it, its synchronous BEGIN IMMEDIATE waited out the busy timeout
    and failed "database is locked" (seen in test_agents.py's second Storage)."""
    path = tmp_path / "db.sqlite3"
    first = Storage(path)
    await first.open()
    try:
        async with first.transaction() as tx:
            await tx.users.upsert("telegram", "42", "42", "awa", "Awa")
            second = Storage(path)
            await asyncio.wait_for(second.open(), timeout=2)  # within the lock, at once
            await second.close()
    finally:
        await first.close()


async def test_same_idempotency_key_finds_the_same_payment(storage: Storage) -> None:
    first, created = await make_payment(storage)
    again, created_again = await make_payment(storage)
    assert created and not created_again
    assert again.id == first.id and again.external_id == first.external_id


async def test_total_is_amount_plus_fee_by_constraint(storage: Storage) -> None:
    payment, _ = await make_payment(storage)
    assert payment.total == payment.amount + payment.fee
    with pytest.raises(REFUSED_BY_DATABASE):
        async with storage.transaction() as tx:
            await tx.payments.create(
                NewPayment(payment.user_id, "k2", Service.WOYOFAL, "1234567", 0, 0, "E2")
            )


async def test_transitions_are_guarded(storage: Storage) -> None:
    payment, _ = await make_payment(storage)
    async with storage.transaction() as tx:
        assert await tx.payments.transition(payment.id, S.SUCCESS, "test") is None  # from CREATED
        moved = await tx.payments.transition(payment.id, S.SUBMITTED, "test")
        assert moved is not None and moved.status is S.SUBMITTED and moved.attempts == 1
        done = await tx.payments.transition(
            payment.id, S.SUCCESS, "test", ProviderUpdate(S.SUCCESS, "TID1", ["1" * 20], fee=10)
        )
        assert done is not None and done.codes == ["1" * 20] and done.completed_at is not None
        for target in S:
            assert await tx.payments.transition(payment.id, target, "late") is None
    final = await storage.read.payments.get(payment.id)
    assert final is not None and final.status is S.SUCCESS and final.provider_tx_id == "TID1"
    events = await storage.read.payments.events(payment.id)
    assert [e[1] for e in events] == ["created", "submitted", "success"]


async def test_a_rolled_back_transaction_leaves_nothing(storage: Storage) -> None:
    payment, _ = await make_payment(storage)
    with pytest.raises(RuntimeError):
        async with storage.transaction() as tx:
            await tx.payments.transition(payment.id, S.SUBMITTED, "test")
            await tx.outbox.add(payment.user_id, OutboxKind.PROCESSING, payment_id=payment.id)
            raise RuntimeError("crash mid-transaction")
    current = await storage.read.payments.get(payment.id)
    assert current is not None and current.status is S.CREATED
    assert await storage.read.outbox.for_payment(payment.id) == []


async def test_outbox_dedupes_per_payment_and_kind(storage: Storage) -> None:
    payment, _ = await make_payment(storage)
    async with storage.transaction() as tx:
        first = await tx.outbox.add(payment.user_id, OutboxKind.SUCCESS, payment_id=payment.id)
        second = await tx.outbox.add(payment.user_id, OutboxKind.SUCCESS, payment_id=payment.id)
        other = await tx.outbox.add(payment.user_id, OutboxKind.PROCESSING, payment_id=payment.id)
    assert first is not None and second is None and other is not None
    assert len(await storage.read.outbox.for_payment(payment.id)) == 2


async def test_outbox_heads_keep_order_per_user(storage: Storage) -> None:
    now = storage.clock()
    async with storage.transaction() as tx:
        a = await tx.users.upsert("telegram", "1", "1")
        b = await tx.users.upsert("telegram", "2", "2")
        a1 = await tx.outbox.add(a.id, OutboxKind.NOTICE, {"n": 1})
        b1 = await tx.outbox.add(b.id, OutboxKind.NOTICE, {"n": 1})
        a2 = await tx.outbox.add(a.id, OutboxKind.NOTICE, {"n": 2})
    heads = await storage.read.outbox.heads_due(now + timedelta(seconds=1))
    assert [m.id for m in heads] == [a1, b1]
    # A user whose head is being delivered is left out: nothing of theirs goes twice.
    heads = await storage.read.outbox.heads_due(now + timedelta(seconds=1), skip_users=[a.id])
    assert [m.id for m in heads] == [b1]
    async with storage.transaction() as tx:
        assert a1 is not None
        # a1 postponed: a2 must wait behind it, whatever its own due time.
        await tx.outbox.retry_later(a1, now + timedelta(minutes=5), "429")
    heads = await storage.read.outbox.heads_due(now + timedelta(seconds=1))
    assert [m.id for m in heads] == [b1]
    async with storage.transaction() as tx:
        await tx.outbox.mark_sent(a1)
    heads = await storage.read.outbox.heads_due(now + timedelta(seconds=1))
    assert [m.id for m in heads] == [a2, b1] or [m.id for m in heads] == [b1, a2]


async def test_users_are_upserted_and_found_by_username(storage: Storage) -> None:
    async with storage.transaction() as tx:
        first = await tx.users.upsert("telegram", "7", "7", "Fatou_S", "Fatou")
        again = await tx.users.upsert("telegram", "7", "7", "fatou_s", "Fatou Sow")
    assert first.id == again.id and again.display_name == "Fatou Sow"
    found = await storage.read.users.by_username("telegram", "@FATOU_S")
    assert found is not None and found.id == first.id


async def test_sql_stays_parameterised_for_hostile_text(storage: Storage) -> None:
    hostile = "x'); DROP TABLE payments; --"
    async with storage.transaction() as tx:
        user = await tx.users.upsert("telegram", hostile, hostile, hostile, hostile)
        await tx.conversations.save(user.id, "menu", {"text": hostile}, "tok")
    assert await storage.read.users.by_username("telegram", hostile) is not None
    conversation = await storage.read.conversations.get(user.id)
    assert conversation is not None and conversation.data == {"text": hostile}
    assert await storage.read.payments.open_payments() == []


async def test_group_commit_keeps_each_transaction_atomic_and_durable(storage: Storage) -> None:
    """Concurrent writers share one COMMIT; a failing one leaves no trace and harms no other,
    and each writer finds its data committed as soon as its block is over."""

    async def writer(n: int) -> None:
        async with storage.transaction() as tx:
            user = await tx.users.upsert("telegram", f"u{n}", f"u{n}")
            await tx.conversations.save(user.id, "menu", {"n": n}, "tok")
            if n % 3 == 0:
                raise RuntimeError("this one fails half-way")
        seen = await storage.read.conversations.get(user.id)  # the reader: committed data
        assert seen is not None and seen.data == {"n": n}

    results = await asyncio.gather(*(writer(n) for n in range(30)), return_exceptions=True)
    failed = [n for n, result in enumerate(results) if isinstance(result, RuntimeError)]
    assert failed == list(range(0, 30, 3))
    assert all(result is None for n, result in enumerate(results) if n % 3)
    for n in range(30):
        user = await storage.read.users.by_external_id("telegram", f"u{n}")
        assert (user is None) == (n % 3 == 0)


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "sqlite-only.sqlite3")  # SQLite's own locking, on any run
    await store.open()
    yield store
    await store.close()


async def test_a_write_that_cannot_begin_fails_and_leaves_the_next_one_free(
    sqlite_storage: Storage,
) -> None:
    """Another process (the admin command line) holding SQLite's write lock too long makes a
    write fail at its start; the writers behind it must not be stuck on our own lock."""
    storage = sqlite_storage
    assert isinstance(storage.database, Database) and storage.database._writer is not None
    storage.database._writer.execute("PRAGMA busy_timeout = 50")  # not the 5 s of production
    other = sqlite3.connect(storage.database.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with storage.transaction() as tx:
                await tx.users.upsert("telegram", "7", "7")
        other.execute("ROLLBACK")
        async with asyncio.timeout(5):
            async with storage.transaction() as tx:
                user = await tx.users.upsert("telegram", "7", "7")
    finally:
        other.close()
    assert await storage.read.users.get(user.id) is not None


async def test_a_failed_transaction_leaves_the_row_ids_others_were_given(storage: Storage) -> None:
    """Transactions that share a COMMIT with a failed one keep the rows they were told of."""
    payment, _ = await make_payment(storage)

    async def writer(n: int) -> int | None:
        async with storage.transaction() as tx:
            row_id = await tx.outbox.add(payment.user_id, OutboxKind.NOTICE, {"n": n})
            if n % 4 == 1:
                raise RuntimeError("this one fails after its insert")
        return row_id

    results = await asyncio.gather(*(writer(n) for n in range(24)), return_exceptions=True)
    for n, result in enumerate(results):
        if n % 4 == 1:
            assert isinstance(result, RuntimeError)
            continue
        assert isinstance(result, int)
        message = await storage.read.outbox.get(result)
        assert message is not None and message.payload == {"n": n}
    assert len(await storage.read.outbox.for_user(payment.user_id)) == 18


async def test_a_nul_in_text_does_not_fail_the_transaction(storage: Storage) -> None:
    """PostgreSQL's text cannot hold NUL; a name with one is kept with U+FFFD in its place
    there (SQLite keeps it as is) instead of failing the transaction (found by hypothesis)."""
    async with storage.transaction() as tx:
        user = await tx.users.upsert("telegram", "9", "9", "a\x00b", "Awa\x00")
    found = await storage.read.users.get(user.id)
    assert found is not None
    assert found.display_name == ("Awa\ufffd" if on_postgres() else "Awa\x00")
