"""Several writers at once on one PostgreSQL database: what SQLite's single writer gave for
free must hold when processes write together (storage/database.lock_user). Two Storage
objects stand for two processes: each has its own pool, so their transactions really run
at the same time."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import Storage
from storage.ledger import InsufficientBalance
from storage.models import LedgerKind, OutboxKind
from tests.databases import database_for, require_postgres, two_processes
from tests.integration.test_payment_state_properties import examples, in_a_fresh_folder


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Storage, Storage]]:
    async with two_processes(tmp_path / "two.sqlite3") as storages:
        yield storages


async def test_a_message_never_overtakes_one_of_a_transaction_in_flight(
    two: tuple[Storage, Storage],
) -> None:
    one, other = two
    async with one.transaction() as tx:
        user = await tx.users.ensure("telegram", "1")
    first_added = asyncio.Event()
    let_first_commit = asyncio.Event()

    async def first() -> None:
        async with one.transaction() as tx:
            await tx.outbox.add(user.id, OutboxKind.NOTICE, {"n": 1})
            first_added.set()
            await let_first_commit.wait()

    async def second() -> None:
        async with other.transaction() as tx:
            await tx.outbox.add(user.id, OutboxKind.NOTICE, {"n": 2})

    writer = asyncio.create_task(first())
    await first_added.wait()
    follower = asyncio.create_task(second())
    try:
        await asyncio.sleep(0.3)
        # Without the user's lock the second message commits now, under a higher id, and
        # the notifier sends it before the first one exists for it.
        heads = await other.read.outbox.heads_due(one.clock(), limit=10)
        assert [message.payload for message in heads] == []
        assert not follower.done(), "a message committed while another was in flight"
    finally:
        let_first_commit.set()
        await asyncio.gather(writer, follower)
    heads = await other.read.outbox.heads_due(one.clock(), limit=10)
    assert [message.payload for message in heads] == [{"n": 1}]


MOVES = st.lists(
    st.tuples(st.sampled_from([0, 1]), st.integers(min_value=-3_000, max_value=3_000)),
    min_size=2,
    max_size=30,
)


async def ledger_race(moves: list[tuple[int, int]], folder: Path) -> None:
    location = database_for(folder / "ledger.sqlite3")
    stores = [Storage(location), Storage(location)]
    for store in stores:
        await store.open()
    try:
        async with stores[0].transaction() as tx:
            user = await tx.users.ensure("telegram", "1")

        async def move(side: int, amount: int) -> None:
            kind = LedgerKind.CREDIT if amount >= 0 else LedgerKind.ADJUSTMENT
            try:
                async with stores[side].transaction() as tx:
                    await tx.ledger.add(user.id, kind, amount, actor="test")
            except InsufficientBalance:
                pass  # refused as it should be: the balance would go below zero

        # Every move at once, half on each "process": no deadlock (the gather ends),
        # and the chain of balances stays whole.
        await asyncio.wait_for(asyncio.gather(*(move(s, a) for s, a in moves)), timeout=30)
        ledger = stores[1].read.ledger
        assert await ledger.balance(user.id) == await ledger.sum_of_entries(user.id)
        entries = sorted(await ledger.entries(user.id, limit=100), key=lambda e: e.id)
        running = 0
        for entry in entries:
            running += entry.amount
            assert entry.balance_after == running >= 0
    finally:
        for store in stores:
            await store.close()


@examples(25)
@given(MOVES)
def test_two_processes_writing_one_ledger_keep_it_whole(moves: list[tuple[int, int]]) -> None:
    require_postgres()
    in_a_fresh_folder(ledger_race, moves)
