"""Moving from SQLite to PostgreSQL (issue 17): a real SQLite file filled through the
repositories, copied into a real PostgreSQL database, then read back through the same
repositories; reruns, occupied targets and a copy failing half-way."""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from storage import Storage
from storage.models import (
    CollectionStatus,
    Direction,
    FeePaidBy,
    LedgerKind,
    MoneyMethod,
    NewCollection,
    NewPayment,
    OutboxKind,
    PaymentStatus,
    ProviderUpdate,
    Service,
)
from storage.transfer import TransferRefused, migrate_to_postgres
from tests.databases import create_database, require_postgres

CODE = "1283 9300 9320 9223"


@dataclass(frozen=True)
class Filled:
    path: Path
    users: list[int]
    payment_id: int
    collection_id: int


async def fill(path: Path) -> Filled:
    """Two wallets, a paid Woyofal purchase with its events and message, and a payout that
    failed and came back (its ledger entries no longer match their collection's state: a
    copy that re-ran the insert triggers would refuse them)."""
    store = Storage(path)
    await store.open()
    try:
        async with store.transaction() as tx:
            awa = await tx.users.upsert("telegram", "1001", "1001", "awa", "Awa")
            moussa = await tx.users.upsert("telegram", "1002", "1002", None, "Moussa")
            await tx.ledger.add(awa.id, LedgerKind.CREDIT, 20_000, actor="cli")
            await tx.ledger.add(moussa.id, LedgerKind.CREDIT, 8_000, actor="cli")
        async with store.transaction() as tx:
            new = NewPayment(awa.id, "key-1", Service.WOYOFAL, "07061270877", 5000, 0, "SP-1")
            payment, _ = await tx.payments.create(new)
            await tx.ledger.add(
                awa.id, LedgerKind.RESERVE, -5000, actor="confirm", payment_id=payment.id
            )
            await tx.payments.transition(payment.id, PaymentStatus.SUBMITTED, "pay")
            paid = ProviderUpdate(PaymentStatus.SUCCESS, provider_tx_id="TX-1", codes=[CODE])
            await tx.payments.transition(payment.id, PaymentStatus.SUCCESS, "callback", paid)
            await tx.outbox.add(awa.id, OutboxKind.SUCCESS, {"codes": [CODE]}, payment.id)
        collection_id = await failed_payout(store, moussa.id)
    finally:
        await store.close()
    return Filled(path, [awa.id, moussa.id], payment.id, collection_id)


async def failed_payout(store: Storage, user_id: int) -> int:
    async with store.transaction() as tx:
        collection, _ = await tx.collections.create(
            NewCollection(
                user_id=user_id,
                direction=Direction.OUT,
                idempotency_key="refund-1",
                external_id="COL-refund-1",
                service_code="WAVE_SN_CASHIN",
                method=MoneyMethod.WAVE,
                number="771234567",
                amount=3000,
                fee_paid_by=FeePaidBy.OPERATOR,
                actor="cli",
            )
        )
        await tx.ledger.add(
            user_id, LedgerKind.PAYOUT, -3000, actor="cli", collection_id=collection.id
        )
        await tx.collections.transition(collection.id, CollectionStatus.SUBMITTED, "init")
    async with store.transaction() as tx:
        await tx.collections.transition(collection.id, CollectionStatus.FAILED, "callback")
        await tx.ledger.add(
            user_id, LedgerKind.PAYOUT_RETURN, 3000, actor="callback", collection_id=collection.id
        )
    return collection.id


async def rows_in(url: str) -> dict[str, int]:
    """Every table's row count (schema_migrations aside)."""
    conn = await asyncpg.connect(url)
    try:
        names = [
            row[0]
            for row in await conn.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_name != 'schema_migrations'"
            )
        ]
        count = 'SELECT count(*) FROM "{}"'  # names read from the catalogue just above
        return {name: await conn.fetchval(count.format(name)) for name in names}
    finally:
        await conn.close()


async def test_every_row_arrives_and_reads_the_same_through_the_repositories(
    tmp_path: Path,
) -> None:
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    target = create_database()  # empty: the copy migrates it

    done = await migrate_to_postgres(filled.path, target)

    assert not done.already_done and done.wallets == 2
    counts = await rows_in(target)
    assert done.rows == sum(counts.values()) - counts["transfers"] and counts["transfers"] == 1
    assert counts["users"] == 2 and counts["payments"] == 1 and counts["outbox"] == 1
    assert counts["payment_events"] == 3 and counts["ledger"] == 5 and counts["collections"] == 1
    before, after = Storage(filled.path), Storage(target)
    await before.open()
    await after.open()
    try:
        for user_id in filled.users:
            assert await after.read.users.get(user_id) == await before.read.users.get(user_id)
            assert await after.read.ledger.balance(user_id) == await before.read.ledger.balance(
                user_id
            )
            assert await after.read.ledger.entries(user_id) == await before.read.ledger.entries(
                user_id
            )
        payment = await after.read.payments.get(filled.payment_id)
        assert payment == await before.read.payments.get(filled.payment_id)
        assert payment is not None and payment.codes == [CODE]
        assert await after.read.collections.get(
            filled.collection_id
        ) == await before.read.collections.get(filled.collection_id)
        assert await after.read.ledger.balance(filled.users[0]) == 15_000
        assert await after.read.ledger.balance(filled.users[1]) == 8_000

        # The sequences continue after the copied ids, and the triggers are back on.
        async with after.transaction() as tx:
            new = NewPayment(
                filled.users[1], "key-2", Service.SENELEC, "123456789012", 900, 0, "SP-2"
            )
            fresh, created = await tx.payments.create(new)
            someone = await tx.users.upsert("telegram", "1003", "1003", None, "Fatou")
            entry = await tx.ledger.add(filled.users[0], LedgerKind.CREDIT, 500, actor="cli")
        assert created and fresh.id == filled.payment_id + 1
        assert someone.id == max(filled.users) + 1
        assert entry is not None and entry.id == 6 and entry.balance_after == 15_500
        conn = await asyncpg.connect(target)
        try:
            with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="never changed"):
                await conn.execute("UPDATE ledger SET note = 'x' WHERE id = 1")
        finally:
            await conn.close()
    finally:
        await before.close()
        await after.close()


async def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    target = create_database()
    first = await migrate_to_postgres(filled.path, target)
    counts = await rows_in(target)

    again = await migrate_to_postgres(filled.path, target)

    assert again.already_done and (again.tables, again.rows) == (first.tables, first.rows)
    assert again.copied_at == first.copied_at
    assert await rows_in(target) == counts


async def test_a_source_changed_since_its_copy_is_refused(tmp_path: Path) -> None:
    """The bot ran on SQLite after the copy: the copy is of another state, not done again."""
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    target = create_database()
    await migrate_to_postgres(filled.path, target)
    counts = await rows_in(target)
    store = Storage(filled.path)
    await store.open()
    try:
        async with store.transaction() as tx:
            await tx.users.set_language(filled.users[0], "en")
    finally:
        await store.close()

    with pytest.raises(TransferRefused, match=r"not empty.*another state of that file"):
        await migrate_to_postgres(filled.path, target)
    assert await rows_in(target) == counts


async def test_a_target_with_other_rows_is_refused_and_left_alone(tmp_path: Path) -> None:
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    target = create_database()
    other = Storage(target)
    await other.open()
    try:
        async with other.transaction() as tx:
            await tx.users.upsert("telegram", "9999", "9999", None, "Someone else")
    finally:
        await other.close()

    with pytest.raises(TransferRefused, match=r"not empty \(rows in users\)"):
        await migrate_to_postgres(filled.path, target)

    counts = await rows_in(target)
    assert counts["users"] == 1 and sum(counts.values()) == 1


async def test_a_copy_failing_half_way_leaves_the_target_empty(tmp_path: Path) -> None:
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    # An event of a payment that does not exist (SQLite checks foreign keys only when asked):
    # PostgreSQL refuses it after users, payments and more were copied.
    with sqlite3.connect(filled.path) as file:
        file.execute(
            "INSERT INTO payment_events (payment_id, to_status, source, created_at)"
            " VALUES (999, 'created', 'test', '2026-11-30T12:00:00.000000Z')"
        )
    file.close()
    target = create_database()

    with pytest.raises(TransferRefused, match=r"copying payment_events failed.*foreign key"):
        await migrate_to_postgres(filled.path, target)
    assert set((await rows_in(target)).values()) == {0}

    with sqlite3.connect(filled.path) as file:
        file.execute("DELETE FROM payment_events WHERE payment_id = 999")
    file.close()
    done = await migrate_to_postgres(filled.path, target)  # the rerun starts clean
    assert not done.already_done and (await rows_in(target))["payment_events"] == 3


async def test_a_source_not_fully_migrated_is_refused(tmp_path: Path) -> None:
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    with sqlite3.connect(filled.path) as file:
        (last,) = file.execute("SELECT max(number) FROM schema_migrations").fetchone()
        file.execute("DELETE FROM schema_migrations WHERE number = ?", (last,))
    file.close()
    target = create_database()

    with pytest.raises(TransferRefused, match=f"lacks migration\\(s\\) {last}: start this"):
        await migrate_to_postgres(filled.path, target)
    with pytest.raises(TransferRefused, match="no SQLite database at"):
        await migrate_to_postgres(tmp_path / "missing.sqlite3", target)


async def test_a_wallet_whose_entries_do_not_add_up_is_not_copied(tmp_path: Path) -> None:
    """The checks after the copy: a ledger the source's trigger would have refused (forced
    in here with the trigger dropped) is copied, found wrong, and rolled back."""
    require_postgres()
    filled = await fill(tmp_path / "bot.sqlite3")
    with sqlite3.connect(filled.path) as file:
        file.execute("DROP TRIGGER ledger_running_sum")
        file.execute(
            "INSERT INTO ledger (user_id, kind, amount, balance_after, actor, created_at)"
            " VALUES (?, 'credit', 100, 99999, 'test', '2026-11-30T12:00:00.000000Z')",
            (filled.users[1],),
        )
    file.close()
    target = create_database()

    with pytest.raises(
        TransferRefused,
        match=f"check failed: in SQLite, user #{filled.users[1]}'s entries sum to 8100"
        " but their last balance is 99999",
    ):
        await migrate_to_postgres(filled.path, target)
    assert set((await rows_in(target)).values()) == {0}
