"""Moving from SQLite to PostgreSQL: `python -m bot admin migrate-to-postgres` (issue 17).

Every table of a fully migrated SQLite file is copied, ids included, into an empty PostgreSQL
database in ONE transaction: a failure anywhere leaves the target as empty as it was, so a
rerun starts clean. The source is only read (a read-only connection, one read transaction:
one committed state of it). The two schemas are equal (tests/integration/test_schema_parity),
so values go over as they are. Afterwards, still inside the transaction: every identity
sequence continues after the largest copied id, the row counts of both sides are compared,
and every wallet's entries must sum to its last balance on both sides. A row in `transfers`
records the copy with a digest of every row copied: a rerun on the same source finds it and
changes nothing; a target holding anything else is refused.
"""

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from storage.database import migrations, utc_now
from storage.store import Storage, is_postgres_url
from storage.timefmt import to_db

# pg_advisory_xact_lock key (see storage/postgres.py): two copies started at once run one
# after the other, and the second finds the first one's work.
TRANSFER_LOCK = 0x53454E50_0013
# Not data of the source: the migrator's own table, and this copy's record.
NOT_COPIED = ("schema_migrations", "transfers")
BATCH = 5_000
# One text for both sides: per user, the sum of their entries and their last balance.
LEDGER_CHECK = (
    "SELECT user_id, sum(amount), (SELECT l.balance_after FROM ledger l"
    " WHERE l.user_id = e.user_id ORDER BY l.id DESC LIMIT 1)"
    " FROM ledger e GROUP BY user_id ORDER BY user_id"
)


class TransferRefused(Exception):
    """Nothing was copied, and the target is as it was: the message says why."""


@dataclass(frozen=True)
class TransferResult:
    already_done: bool  # the target held this very copy already: nothing was done
    tables: int
    rows: int
    wallets: int  # users whose ledger was checked
    seconds: float
    copied_at: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def migrate_to_postgres(source: Path, target_url: str) -> TransferResult:
    """Copy the SQLite file `source` into the PostgreSQL database `target_url` (migrated
    first, by opening it as the bot does); TransferRefused when it cannot be done."""
    if not is_postgres_url(target_url):
        raise TransferRefused("the target must be a postgresql:// URL")
    started = time.monotonic()
    with _source(source) as sqlite:
        tables = _tables_in_order(sqlite)
        try:
            return await _into(target_url, sqlite, source, tables, started)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # The message names the server's complaint, never the URL (it has the password).
            raise TransferRefused(f"PostgreSQL: {error}") from error


async def _into(
    target_url: str, sqlite: sqlite3.Connection, source: Path, tables: list[Table], started: float
) -> TransferResult:
    store = Storage(target_url)  # applies PostgreSQL's migrations, as the bot would
    await store.open()
    await store.close()
    pg = await asyncpg.connect(target_url)
    try:
        async with pg.transaction():
            await pg.execute("SELECT pg_advisory_xact_lock($1)", TRANSFER_LOCK)
            done = await _earlier_copy(pg, sqlite, tables)
            if done is not None:
                return done
            return await _copy(pg, sqlite, source, tables, started)
    finally:
        await pg.close()


@contextlib.contextmanager
def _source(path: Path) -> Iterator[sqlite3.Connection]:
    """The SQLite file, read-only, inside one read transaction, its schema fully migrated."""
    if not path.is_file():
        raise TransferRefused(f"no SQLite database at {path}")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN")  # every read below sees the same committed state
        _require_migrated(conn, path)
        yield conn
    except sqlite3.DatabaseError as error:
        raise TransferRefused(f"cannot read {path}: {error}") from error
    finally:
        conn.close()


def _name_of(path: Path) -> str:
    return str(path.resolve())


def _require_migrated(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file whose schema is not this version's: the copy goes column by column
    into tables that this version's PostgreSQL migrations made."""
    known = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()[0]
    if not known:
        raise TransferRefused(f"{path} is not a database of this bot (no schema_migrations)")
    applied = {row[0] for row in conn.execute("SELECT number FROM schema_migrations")}
    expected = {number for number, _, _ in migrations("sqlite")}
    if missing := sorted(expected - applied):
        raise TransferRefused(
            f"{path} lacks migration(s) {', '.join(map(str, missing))}: start this version"
            " of the bot on it once (it migrates the file), stop it, then run this again"
        )
    if newer := sorted(applied - expected):
        raise TransferRefused(
            f"{path} has migration(s) {', '.join(map(str, newer))} this version does not"
            " know: run the copy with the version of the bot that made them"
        )


def _tables_in_order(conn: sqlite3.Connection) -> list[Table]:
    """Every data table, each after the tables its foreign keys point to."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        if row[0] not in NOT_COPIED
    ]
    parents = {
        name: {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({quoted(name)})")} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise TransferRefused("the tables' foreign keys form a cycle: no order to copy in")
        ordered += ready
    return [Table(name, _columns(conn, name)) for name in ordered]


def _columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    return tuple(row[1] for row in conn.execute(f"PRAGMA table_info({quoted(table)})"))


def _batches(conn: sqlite3.Connection, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    columns = ", ".join(map(quoted, table.columns))
    cursor = conn.execute(f"SELECT {columns} FROM {quoted(table.name)} ORDER BY rowid")
    while batch := cursor.fetchmany(BATCH):
        yield batch


def _digest_of(digest: "hashlib._Hash", table: Table, rows: list[tuple[Any, ...]]) -> None:
    for row in rows:
        digest.update(repr((table.name, row)).encode())


def fingerprint(conn: sqlite3.Connection, tables: list[Table]) -> str:
    """A digest of every row of every table: which state of the source a copy is of."""
    digest = hashlib.sha256()
    for table in tables:
        for batch in _batches(conn, table):
            _digest_of(digest, table, batch)
    return digest.hexdigest()


async def _earlier_copy(
    pg: asyncpg.Connection, sqlite: sqlite3.Connection, tables: list[Table]
) -> TransferResult | None:
    """None when the target is empty; the earlier copy when it holds this very source;
    TransferRefused when it holds anything else."""
    present = {
        row[0]
        for row in await pg.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    }
    if missing := sorted({t.name for t in tables} - present):
        raise TransferRefused(f"the PostgreSQL database has no table {', '.join(missing)}")
    occupied = [
        name
        for name in sorted(present - {"schema_migrations"})
        if await pg.fetchval(f"SELECT EXISTS (SELECT 1 FROM {quoted(name)})")
    ]
    if not occupied:
        return None
    copies = await pg.fetch("SELECT * FROM transfers ORDER BY id")
    if copies:
        mine = fingerprint(sqlite, tables)
        for copy in copies:
            if copy["fingerprint"] == mine:
                return TransferResult(
                    True, copy["table_count"], copy["row_count"], 0, 0.0, copy["copied_at"]
                )
    raise TransferRefused(_not_empty(occupied, copies))


def _not_empty(occupied: list[str], copies: list[asyncpg.Record]) -> str:
    text = (
        "the PostgreSQL database is not empty (rows in "
        + ", ".join(occupied)
        + "): the copy goes only into a new, empty database"
    )
    if copies:
        last = copies[-1]
        text += (
            f"; it holds a copy of {last['source']} made at {last['copied_at']}, of another"
            " state of that file (did the bot run on SQLite since?)"
        )
    return text


async def _copy(
    pg: asyncpg.Connection,
    sqlite: sqlite3.Connection,
    source: Path,
    tables: list[Table],
    started: float,
) -> TransferResult:
    digest = hashlib.sha256()
    rows = 0
    for table in tables:
        rows += await _copy_table(pg, sqlite, table, digest)
    await _reset_sequences(pg, tables)
    await _check_counts(pg, sqlite, tables)
    wallets = await _check_ledger(pg, sqlite)
    copied_at = to_db(utc_now())
    await pg.execute(
        "INSERT INTO transfers (source, fingerprint, table_count, row_count, copied_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        _name_of(source),
        digest.hexdigest(),
        len(tables),
        rows,
        copied_at,
    )
    return TransferResult(
        False, len(tables), rows, wallets, round(time.monotonic() - started, 2), copied_at
    )


async def _copy_table(
    pg: asyncpg.Connection, sqlite: sqlite3.Connection, table: Table, digest: "hashlib._Hash"
) -> int:
    """The rows as they are, with their ids. The tables' own triggers stay off meanwhile:
    they judge a NEW row against the state of today (a payout entry needs its collection
    still 'created'), and these rows were judged when they were written; the checks after
    the copy test what they guard (every balance)."""
    name = quoted(table.name)
    await pg.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
    copied = 0
    try:
        for batch in _batches(sqlite, table):
            _digest_of(digest, table, batch)
            await pg.copy_records_to_table(table.name, records=batch, columns=table.columns)
            copied += len(batch)
    except asyncpg.PostgresError as error:
        # The message names the table and constraint; its detail (the row) may hold codes.
        raise TransferRefused(f"copying {table.name} failed: {error}") from error
    await pg.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
    return copied


async def _reset_sequences(pg: asyncpg.Connection, tables: list[Table]) -> None:
    """New rows get ids after the copied ones (tables without an identity id are left)."""
    for table in tables:
        if "id" not in table.columns:
            continue
        await pg.execute(
            f"SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence($1, 'id') AS s,"
            f" (SELECT max(id) FROM {quoted(table.name)}) AS m) AS found"
            " WHERE s IS NOT NULL AND m IS NOT NULL",
            quoted(table.name),
        )


async def _check_counts(
    pg: asyncpg.Connection, sqlite: sqlite3.Connection, tables: list[Table]
) -> None:
    for table in tables:
        count = f"SELECT count(*) FROM {quoted(table.name)}"
        theirs = sqlite.execute(count).fetchone()[0]
        ours = await pg.fetchval(count)
        if theirs != ours:
            raise TransferRefused(
                f"check failed: {table.name} has {theirs} rows in SQLite, {ours} copied"
            )


async def _check_ledger(pg: asyncpg.Connection, sqlite: sqlite3.Connection) -> int:
    """Every wallet's entries sum to its last balance, on both sides, the same on both."""
    before = {row[0]: (int(row[1]), int(row[2])) for row in sqlite.execute(LEDGER_CHECK)}
    after = {row[0]: (int(row[1]), int(row[2])) for row in await pg.fetch(LEDGER_CHECK)}
    for side, wallets in (("SQLite", before), ("PostgreSQL", after)):
        for user_id, (total, last) in wallets.items():
            if total != last:
                raise TransferRefused(
                    f"check failed: in {side}, user #{user_id}'s entries sum to {total}"
                    f" but their last balance is {last}"
                )
    if before != after:
        raise TransferRefused("check failed: the wallets' balances differ after the copy")
    return len(after)
