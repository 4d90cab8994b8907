"""The SQLite database: one writer connection behind a lock, one reader, numbered migrations.

Writes run in `BEGIN IMMEDIATE` transactions, so two processes on the same file (the bot and
the admin command line) queue on SQLite's lock instead of failing half-way. WAL lets readers
run beside the writer; `synchronous=FULL` makes every commit durable before we answer anyone.
Reads go through aiosqlite; writes run inline and commit in groups (see `Database.write`).
"""

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

Clock = Callable[[], datetime]
Params = tuple[Any, ...] | dict[str, Any]


class Row(Protocol):
    """A result row on either backend (sqlite3.Row, asyncpg.Record): by name or position."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> Iterable[str]: ...


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


def migrations(backend: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, name, sql) of every file in storage/migrations/<backend>, in order: the same
    numbers on both backends, each in its own dialect."""
    found = []
    for entry in resources.files("storage.migrations").joinpath(backend).iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Connection:
    """What repositories run statements on: every statement parameterised (`?`), the same
    SQL text on both backends. On SQLite, the reader (aiosqlite, off the event loop) and the
    writer (inline, see InlineConnection); on PostgreSQL, storage/postgres.py.

    `for_update` ends a SELECT whose rows this transaction will change: on PostgreSQL, where
    several transactions write at once, it locks them (locks are taken payment first, then
    user); SQLite has one writer at a time and no such clause. `skip_locked` is the same
    with SKIP LOCKED: rows another transaction holds are left out rather than waited for.
    """

    for_update = ""
    skip_locked = ""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows changed."""
        raise NotImplementedError

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; returns the new row id, or None when ON CONFLICT skipped it."""
        raise NotImplementedError

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        raise NotImplementedError

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class AioConnection(Connection):
    """Reads through aiosqlite: a long query never stalls the event loop."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        cursor = await self._conn.execute(sql, params)
        row_id = cursor.lastrowid if cursor.rowcount > 0 else None
        await cursor.close()
        return row_id

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))


class InlineConnection(Connection):
    """Writes run right here, on the event loop, without a thread hop per statement.

    A write transaction is a handful of indexed statements (tens of microseconds each) and
    one fsync at COMMIT. Run through a worker thread, every statement would wait for a turn
    of a busy event loop while holding SQLite's write lock, and under load writers queued
    behind each other for hundreds of milliseconds (docs/performance.md). Inline, a whole
    transaction runs between two turns of the loop.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        cursor = self._conn.execute(sql, params)
        return cursor.lastrowid if cursor.rowcount > 0 else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()


class SingleStatementConnection(Connection):
    """Each statement is a transaction of its own (through `Database.write`): for writes
    that are one statement (a conversation step, a user's name, a message marked sent)."""

    def __init__(self, database: "Database") -> None:
        self._database = database

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._database.write(single_statement=True) as conn:
            return await conn.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        async with self._database.write(single_statement=True) as conn:
            return await conn.insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._database.write(single_statement=True) as conn:
            return await conn.fetch_all(sql, params)


async def _open_reader(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 10000")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _open_writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        # Another process (the admin command line) holds the write lock for a few
        # milliseconds at most; waiting for it inline is cheaper than failing.
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA foreign_keys = ON")
        await _switch_to_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")  # every COMMIT waits for the disk
        # Each write transaction runs in a savepoint (see `Database.write`), and SQLite copies
        # every page a savepoint changes to a sub-journal, a temporary file by default: in
        # memory, the statements of a callback's transaction cost a third less.
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


async def _switch_to_wal(conn: sqlite3.Connection) -> None:
    # Changing the journal mode ignores the busy timeout: when another process is opening
    # the same new file at this very moment, wait for it a little.
    for attempt in range(100):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            await asyncio.sleep(0.05)


def _pending_migrations(conn: sqlite3.Connection) -> int:
    """How many migrations this file lacks, read without taking the write lock."""
    try:
        applied = {row[0] for row in conn.execute("SELECT number FROM schema_migrations")}
    except sqlite3.OperationalError:  # no such table: a new file
        return len(migrations())
    return sum(1 for number, _, _ in migrations() if number not in applied)


class Database:
    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: sqlite3.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._batch: asyncio.Future[None] | None = None
        self._committer: asyncio.Task[None] | None = None
        self._commit_thread: ThreadPoolExecutor | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _open_writer(self.path)
        self._commit_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-commit")
        try:
            self._migrate(self._writer)
            self._reader = await _open_reader(self.path)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        await self.flush()
        if self._reader is not None:
            await self._reader.close()
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
        if self._commit_thread is not None:
            self._commit_thread.shutdown(wait=False)
            self._commit_thread = None

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        # Up to date (every opener after the first): a read, no write lock to wait for. The
        # wait would block the event loop, and a transaction of this loop holding the lock
        # could never finish (a second Storage in the bot's process, as tests open).
        if _pending_migrations(conn) == 0:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in conn.execute("SELECT number FROM schema_migrations")}
            for number, name, sql in migrations():
                if number in applied:
                    continue
                for statement in _split_statements(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    (number, name, utc_now().isoformat()),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def write(self, single_statement: bool = False) -> "WriteTransaction":
        """One write transaction: atomic, and durable once the block is left.

        Group commit: transactions run one after the other, each in a savepoint of a shared
        SQLite transaction, and one COMMIT (one fsync) makes a whole batch durable; each
        caller resumes only after the COMMIT of its batch. The body's statements run inline
        (InlineConnection) and the body must not wait on anything else (no network call in
        a transaction): then the lock is only ever waited for during a COMMIT, and a batch
        is everything written during one turn of the event loop or queued meanwhile. A
        single statement needs no savepoint: SQLite undoes a failed statement by itself.
        """
        if self._writer is None:
            raise RuntimeError("database is not open")
        return WriteTransaction(self, self._writer, single_statement)

    def _join_batch(self, writer: sqlite3.Connection) -> asyncio.Future[None]:
        """The batch under way, begun now if there is none (the caller holds the lock):
        its future is settled by the batch's COMMIT."""
        if self._batch is None:
            writer.execute("BEGIN IMMEDIATE")
            self._batch = asyncio.get_running_loop().create_future()
            self._committer = asyncio.create_task(self._commit_batch())
        return self._batch

    async def _commit_batch(self) -> None:
        await asyncio.sleep(0)  # whoever else writes during this turn joins the batch
        writer, thread = self._writer, self._commit_thread
        assert writer is not None and thread is not None
        async with self._lock:
            batch, self._batch = self._batch, None
            assert batch is not None
            # COMMIT in a thread of its own: its fsync (and now and then a WAL checkpoint,
            # tens of milliseconds) must not stall the event loop, where a stall bunches the
            # Bot API calls paced behind it. Writers wait for the lock meanwhile and make up
            # the next batch.
            done = asyncio.get_running_loop().run_in_executor(thread, writer.execute, "COMMIT")
            try:
                await asyncio.wait([done])  # a failed COMMIT is settled below, not raised
            except asyncio.CancelledError:
                await asyncio.wait([done])  # the connection is the COMMIT's until it ends
                self._settle(batch, done)
                raise
            self._settle(batch, done)

    def _settle(self, batch: asyncio.Future[None], done: asyncio.Future[Any]) -> None:
        error = done.exception()
        if error is None:
            batch.set_result(None)
            return
        writer = self._writer
        if writer is not None and writer.in_transaction:
            writer.execute("ROLLBACK")
        batch.set_exception(error)
        batch.exception()  # seen here: awaiting writers get it too

    async def flush(self) -> None:
        """Wait until everything written so far is committed (shutdown)."""
        if self._committer is not None:
            await asyncio.shield(self._committer)

    def single(self) -> Connection:
        """Statements that each commit on their own (see SingleStatementConnection)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        return SingleStatementConnection(self)

    def read(self) -> Connection:
        """Committed data only, read off the event loop."""
        if self._reader is None:
            raise RuntimeError("database is not open")
        return AioConnection(self._reader)

    async def ping(self) -> bool:
        try:
            return bool(await self.read().fetch_value("SELECT 1") == 1)
        except (sqlite3.Error, ValueError, RuntimeError):
            return False

    async def schema_version(self) -> int:
        value = await self.read().fetch_value("SELECT max(number) FROM schema_migrations")
        return int(value or 0)


class WriteTransaction:
    """`async with database.write() as conn:` (see `Database.write`).

    A class rather than an @asynccontextmanager generator: every callback, conversation step
    and sent message goes through here, and the generator's machinery cost more than the
    savepoint itself.
    """

    __slots__ = ("_batch", "_database", "_savepoint", "_writer")

    def __init__(self, database: Database, writer: sqlite3.Connection, single: bool) -> None:
        self._database = database
        self._writer = writer
        self._savepoint = not single
        self._batch: asyncio.Future[None] | None = None

    async def __aenter__(self) -> Connection:
        database, writer = self._database, self._writer
        await database._lock.acquire()
        try:
            self._batch = database._join_batch(writer)
            if self._savepoint:
                # One name for every savepoint: they never nest (the lock), and the same
                # text is compiled once by the connection's statement cache.
                writer.execute("SAVEPOINT w")
        except BaseException:
            database._lock.release()
            raise
        return InlineConnection(writer)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: object
    ) -> None:
        try:
            if self._savepoint:
                if kind is not None:
                    self._writer.execute("ROLLBACK TO w")
                self._writer.execute("RELEASE w")
        finally:
            self._database._lock.release()
        if kind is None:
            assert self._batch is not None
            await asyncio.shield(self._batch)  # raises if the batch could not be committed


async def lock_user(conn: Connection, user_id: int) -> None:
    """Hold the user's row until this transaction ends (PostgreSQL; nothing on SQLite, whose
    one writer already serialises everything). The user's ledger entries and queued messages
    are then written one transaction at a time, so their ids follow commit order: a balance
    head read after the lock is the latest, and a message never overtakes an earlier one of
    a transaction still in flight. Lock order: payment first, then user."""
    if conn.for_update:
        await conn.execute("SELECT id FROM users WHERE id = ?" + conn.for_update, (user_id,))


def placeholders(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)
