"""The SQLite database: one writer connection behind a lock, one reader, numbered migrations.

Writes run in `BEGIN IMMEDIATE` transactions, so two processes on the same file (the bot and
the admin command line) queue on SQLite's lock instead of failing half-way. WAL lets readers
run beside the writer; `synchronous=FULL` makes every commit durable before we answer anyone.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

Clock = Callable[[], datetime]
Params = tuple[Any, ...] | dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _split_statements(script: str) -> list[str]:
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        raise ValueError(f"incomplete SQL statement in migration: {current[:80]!r}")
    return statements


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every file in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Connection:
    """A thin typed wrapper: every statement parameterised, rows as sqlite3.Row."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows changed."""
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; returns the new row id, or None when OR IGNORE skipped it."""
        cursor = await self._conn.execute(sql, params)
        row_id = cursor.lastrowid if cursor.rowcount > 0 else None
        await cursor.close()
        return row_id

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        rows = await self._conn.execute_fetchall(sql, params)
        return list(rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class LockedConnection(Connection):
    """Autocommit on the writer connection: each statement is its own transaction.

    Each statement takes the writer lock for just its own run, so it can never slip into
    another coroutine's open transaction; use it for writes that are one statement.
    """

    def __init__(self, conn: aiosqlite.Connection, lock: asyncio.Lock) -> None:
        super().__init__(conn)
        self._lock = lock

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await super().execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        async with self._lock:
            return await super().insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return await super().fetch_all(sql, params)


async def _open(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    if read_only:
        conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 10000")
        await conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            await _switch_to_wal(conn)
            await conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _switch_to_wal(conn: aiosqlite.Connection) -> None:
    # Changing the journal mode ignores the busy timeout: when another process is opening
    # the same new file at this very moment, wait for it a little.
    for attempt in range(100):
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            await asyncio.sleep(0.05)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _open(self.path, read_only=False)
        try:
            await self._migrate(self._writer)
            self._reader = await _open(self.path, read_only=True)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            rows = await conn.execute_fetchall("SELECT number FROM schema_migrations")
            applied = {row[0] for row in rows}
            for number, name, sql in migrations():
                if number in applied:
                    continue
                for statement in _split_statements(sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    (number, name, utc_now().isoformat()),
                )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Connection]:
        """One write transaction; commits on success, rolls back on any exception."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield Connection(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    def single(self) -> Connection:
        """Statements that each commit on their own (see LockedConnection)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        return LockedConnection(self._writer, self._lock)

    def read(self) -> Connection:
        """Committed data only; statements run one at a time, outside any write."""
        if self._reader is None:
            raise RuntimeError("database is not open")
        return Connection(self._reader)

    async def ping(self) -> bool:
        try:
            return bool(await self.read().fetch_value("SELECT 1") == 1)
        except (sqlite3.Error, ValueError, RuntimeError):
            return False

    async def schema_version(self) -> int:
        value = await self.read().fetch_value("SELECT max(number) FROM schema_migrations")
        return int(value or 0)


def placeholders(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)
