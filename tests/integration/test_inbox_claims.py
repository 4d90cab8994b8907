"""Inbox claims on a real database: a process takes a user's head message under a lease;
another process leaves that user alone until the message is done or the lease runs out.
On PostgreSQL, two claims at the same moment never take the same user's head."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Storage
from tests.databases import database_for, two_processes

TG = "telegram"
LEASE = timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def storage(tmp_path: Path, clock: Clock) -> AsyncIterator[Storage]:
    store = Storage(database_for(tmp_path / "inbox.sqlite3"), clock)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def fill(storage: Storage, messages: dict[str, int]) -> dict[str, int]:
    """Users by external id, each with `n` messages "<user>.<i>"; their user ids."""
    ids = {}
    async with storage.transaction() as tx:
        for who, count in messages.items():
            user = await tx.users.ensure(TG, who)
            ids[who] = user.id
            for i in range(count):
                await tx.inbox.store(TG, f"{who}.{i}", user.id, {"n": i})
    return ids


async def claim(storage: Storage, claimant: str, limit: int = 10) -> list[str]:
    async with storage.transaction() as tx:
        heads = await tx.inbox.claim(TG, claimant, LEASE, limit)
    return [head.message_id for head in heads]


async def test_a_claimed_head_is_nobody_elses_until_done(storage: Storage) -> None:
    await fill(storage, {"awa": 2, "modou": 1})
    assert await storage.read.inbox.claimable(TG)
    assert await claim(storage, "a") == ["awa.0", "modou.0"]
    # The other process finds nothing: both heads are held, awa's second waits behind hers.
    assert await claim(storage, "b") == []
    assert not await storage.read.inbox.claimable(TG)
    assert not await storage.single.inbox.finish(1, "b")  # not b's to finish
    first = await storage.read.inbox.heads(TG)
    assert await storage.single.inbox.finish(first[0].id, "a")
    assert await claim(storage, "b") == ["awa.1"]
    assert await storage.read.inbox.pending_count(TG) == 2  # awa.1 (b), modou.0 (a)


async def test_a_lease_that_runs_out_is_taken_over(storage: Storage, clock: Clock) -> None:
    await fill(storage, {"awa": 1})
    assert await claim(storage, "a") == ["awa.0"]
    clock.now += LEASE - timedelta(seconds=1)
    assert await claim(storage, "b") == []
    # a renews while it handles: still its own a while later.
    [head] = await storage.read.inbox.heads(TG)
    assert await storage.single.inbox.renew([head.id], "a", LEASE) == 1
    clock.now += timedelta(seconds=2)
    assert await claim(storage, "b") == []
    # a dies: its lease runs out and b takes the message, counting a second attempt.
    clock.now += LEASE
    async with storage.transaction() as tx:
        [taken] = await tx.inbox.claim(TG, "b", LEASE, 10)
    assert (taken.message_id, taken.attempts) == ("awa.0", 2)
    assert await storage.single.inbox.renew([head.id], "a", LEASE) == 0  # lost
    assert not await storage.single.inbox.finish(head.id, "a")
    assert await storage.single.inbox.finish(head.id, "b")
    assert await storage.read.inbox.pending_count(TG) == 0


async def test_a_released_message_waits_for_its_retry_time(storage: Storage, clock: Clock) -> None:
    await fill(storage, {"awa": 1})
    assert await claim(storage, "a") == ["awa.0"]
    [head] = await storage.read.inbox.heads(TG)
    await storage.single.inbox.release(head.id, "a", clock.now + timedelta(seconds=2))
    assert await claim(storage, "b") == []
    clock.now += timedelta(seconds=2)
    assert await claim(storage, "b") == ["awa.0"]
    await storage.single.inbox.release(head.id, "b", None)  # a clean stop: at once
    assert await claim(storage, "a") == ["awa.0"]


async def test_a_claim_leaves_out_the_users_given_and_keeps_to_its_limit(
    storage: Storage,
) -> None:
    ids = await fill(storage, {"awa": 1, "modou": 1, "fatou": 1})
    async with storage.transaction() as tx:
        heads = await tx.inbox.claim(TG, "a", LEASE, 1, skip_users={ids["awa"]})
    assert [head.message_id for head in heads] == ["modou.0"]
    assert await claim(storage, "a") == ["awa.0", "fatou.0"]


async def test_two_claims_at_once_skip_what_the_other_holds(tmp_path: Path) -> None:
    """On PostgreSQL: while one process's claim is not committed yet, another's skips the
    heads it locked (SKIP LOCKED) instead of waiting or taking them too."""
    async with two_processes(tmp_path / "claims.sqlite3") as (one, two):
        await fill(one, {"awa": 2, "modou": 2})
        async with one.transaction() as tx:
            first = await tx.inbox.claim(TG, "one", LEASE, 1)
            # Not committed: awa's head is locked. The other process claims meanwhile.
            second = await asyncio.wait_for(claim(two, "two"), 5)
        assert [head.message_id for head in first] == ["awa.0"]
        assert second == ["modou.0"]
        assert await claim(two, "two") == []  # awa's head: now leased to one
