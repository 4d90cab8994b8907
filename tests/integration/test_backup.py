"""`python -m bot admin backup`: a consistent copy of the SQLite file while it is written."""

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from storage import Storage
from storage.backup import BackupRefused, backup_sqlite
from storage.models import LedgerKind

USERS = 5
START = 1_000_000


def latest_balances(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT (SELECT balance_after FROM ledger l WHERE l.user_id = u.id"
            " ORDER BY l.id DESC LIMIT 1) FROM users u ORDER BY u.id"
        ).fetchall()
    return [int(balance or 0) for (balance,) in rows]


async def test_a_copy_taken_under_writes_is_one_committed_state(tmp_path: Path) -> None:
    """Money moves between users, two entries a transaction: in every committed state the
    total is the same, so a copy holding half a transaction would show another total."""
    storage = Storage(tmp_path / "bot.sqlite3")
    await storage.open()
    ids = []
    async with storage.transaction() as tx:
        for n in range(USERS):
            user = await tx.users.ensure("telegram", str(n))
            await tx.ledger.add(user.id, LedgerKind.CREDIT, START, actor="test")
            ids.append(user.id)
    stop = asyncio.Event()
    moves = 0

    async def transfers() -> None:
        nonlocal moves
        while not stop.is_set():
            giver, taker = ids[moves % USERS], ids[(moves + 1) % USERS]
            async with storage.transaction() as tx:
                await tx.ledger.add(giver, LedgerKind.ADJUSTMENT, -7, actor="test")
                await tx.ledger.add(taker, LedgerKind.ADJUSTMENT, 7, actor="test")
            moves += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(transfers())
    try:
        await asyncio.sleep(0.2)
        copies = []
        for n in range(3):
            before = moves
            copy = tmp_path / f"copy-{n}.sqlite3"
            result = await asyncio.to_thread(backup_sqlite, tmp_path / "bot.sqlite3", copy)
            copies.append(copy)
            assert result.target == copy and result.schema_version >= 8
            assert moves > before  # the bot kept writing while the copy was made
    finally:
        stop.set()
        await writer
        await storage.close()
    for copy in copies:
        balances = latest_balances(copy)
        assert len(balances) == USERS and sum(balances) == USERS * START
        copied = Storage(copy)  # the copy opens as a database of its own
        await copied.open()
        try:
            assert await copied.read.ledger.balance(ids[0]) == balances[0]
        finally:
            await copied.close()
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".partial")]


async def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.sqlite3")
    await storage.open()
    await storage.close()  # a stopped bot: no -wal file, the copy works all the same
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"yesterday's backup")
    with pytest.raises(BackupRefused, match="exists already"):
        backup_sqlite(tmp_path / "bot.sqlite3", target)
    assert target.read_bytes() == b"yesterday's backup"
    fresh = backup_sqlite(tmp_path / "bot.sqlite3", tmp_path / "fresh.sqlite3")
    assert fresh.size_bytes > 0
    with pytest.raises(BackupRefused, match="no database"):
        backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "other.sqlite3")
