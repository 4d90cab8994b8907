"""The PostgreSQL database (DATABASE_URL=postgresql://…): a pool of asyncpg connections.

The repositories' SQL is the same text as on SQLite, with `?` placeholders: they are turned
into PostgreSQL's `$1, $2…` once per distinct statement. Unlike SQLite's single writer,
several transactions (of this process and of others) write at once: each runs on its own
connection in READ COMMITTED, and the rows a transaction will change are read with
`Connection.for_update` (payment first, then user, always in that order).

Migrations (storage/migrations/postgresql/) run in one transaction under an advisory lock,
so when several processes start together one migrates and the others wait, then find
nothing left to do.
"""

import logging
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

import asyncpg

from storage.database import Connection, Params, Row, migrations, utc_now

log = logging.getLogger(__name__)

# The lock a transaction takes on rows it will change. Not FOR UPDATE: inserting a row that
# refers to another (a payment to its user, a ledger entry to its payment) takes FOR KEY
# SHARE on it, which FOR UPDATE waits for; two confirmations of one user then each held
# KEY SHARE and waited for the other's (deadlock detected, 9 of 10 concurrent payments).
# We never change a key, and FOR NO KEY UPDATE lets KEY SHARE be.
ROW_LOCK = " FOR NO KEY UPDATE"

# pg_advisory_xact_lock keys: one number per purpose, the same in every process.
MIGRATION_LOCK = 0x53454E50_0001  # "SENP" + 1


@lru_cache(maxsize=2048)
def to_postgres(sql: str) -> str:
    """`?` placeholders → `$1…$n`, leaving quoted text alone."""
    out: list[str] = []
    number = 0
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        elif char == "?" and not quoted:
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=512)
def _returning_id(sql: str) -> str:
    return to_postgres(sql) + " RETURNING id"


def _rows_changed(status: str) -> int:
    # asyncpg answers a command with its tag: "UPDATE 3", "INSERT 0 1", "DELETE 0".
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _numeric(text: str) -> int | Decimal:
    # sum() of BIGINT columns is NUMERIC in PostgreSQL: whole FCFA stay Python ints.
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else value


async def _prepare_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=str, decoder=_numeric, format="text"
    )


def _positional(params: Params) -> tuple[Any, ...]:
    if isinstance(params, dict):
        raise TypeError("named parameters are not used with PostgreSQL; pass a tuple")
    # PostgreSQL's text cannot hold NUL (SQLite's can): a NUL someone typed or sent (a name,
    # a note, a raw body) is kept as U+FFFD rather than failing the whole transaction.
    if any(type(value) is str and "\x00" in value for value in params):
        return tuple(
            value.replace("\x00", "\ufffd") if type(value) is str else value for value in params
        )
    return params


class PostgresConnection(Connection):
    """Statements on one connection (inside a transaction) or on the pool (each statement
    committed on its own)."""

    def __init__(
        self,
        conn: "asyncpg.Connection | asyncpg.pool.PoolConnectionProxy | asyncpg.Pool",
        for_update: str = "",
        skip_locked: str = "",
    ) -> None:
        self._conn = conn
        self.for_update = for_update
        self.skip_locked = skip_locked

    async def execute(self, sql: str, params: Params = ()) -> int:
        status = await self._conn.execute(to_postgres(sql), *_positional(params))
        return _rows_changed(status)

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        # Every table written through insert() has an `id` column; ON CONFLICT DO NOTHING
        # returns no row, as SQLite's skipped insert has no row id.
        value = await self._conn.fetchval(_returning_id(sql), *_positional(params))
        return None if value is None else int(value)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        rows = await self._conn.fetch(to_postgres(sql), *_positional(params))
        return cast(list[Row], rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        row = await self._conn.fetchrow(to_postgres(sql), *_positional(params))
        return cast(Row | None, row)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        return await self._conn.fetchval(to_postgres(sql), *_positional(params))


class PostgresDatabase:
    """The same surface as storage.database.Database: write(), single(), read()."""

    backend = "postgresql"

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.url,
            min_size=1,
            max_size=self._pool_size,
            init=_prepare_connection,
            # Statement cache per connection: the repositories' SQL is a fixed set of texts.
            statement_cache_size=512,
        )
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _migrate(self) -> None:
        pool = self._require_pool()
        async with pool.acquire() as conn, conn.transaction():
            # Every process starting at once queues here; the first migrates, the others
            # then find every number applied. The lock ends with the transaction.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (number BIGINT PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in await conn.fetch("SELECT number FROM schema_migrations")}
            for number, name, sql in migrations("postgresql"):
                if number in applied:
                    continue
                log.info("applying migration %s", name)
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (number, name, applied_at) VALUES ($1, $2, $3)",
                    number,
                    name,
                    utc_now().isoformat(),
                )

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    def write(self, single_statement: bool = False) -> "PostgresTransaction":
        """One transaction on a connection of its own, committed when the block is left."""
        return PostgresTransaction(self._require_pool())

    def single(self) -> Connection:
        """Statements that each commit on their own."""
        return PostgresConnection(self._require_pool())

    def read(self) -> Connection:
        """Committed data only."""
        return PostgresConnection(self._require_pool())

    async def flush(self) -> None:
        """Every transaction is committed when its block is left: nothing waits here."""

    async def ping(self) -> bool:
        try:
            return bool(await self.read().fetch_value("SELECT 1") == 1)
        except (TimeoutError, asyncpg.PostgresError, OSError, RuntimeError):
            return False

    async def schema_version(self) -> int:
        value = await self.read().fetch_value("SELECT max(number) FROM schema_migrations")
        return int(value or 0)


class PostgresTransaction:
    """`async with database.write() as conn:` a transaction on a pooled connection."""

    __slots__ = ("_conn", "_pool", "_transaction")

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None
        self._transaction: asyncpg.transaction.Transaction | None = None

    async def __aenter__(self) -> Connection:
        conn = await self._pool.acquire()
        try:
            transaction = conn.transaction()
            await transaction.start()
        except BaseException:
            await self._pool.release(conn)
            raise
        self._conn, self._transaction = conn, transaction
        return PostgresConnection(conn, for_update=ROW_LOCK, skip_locked=ROW_LOCK + " SKIP LOCKED")

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: object
    ) -> None:
        conn, transaction = self._conn, self._transaction
        assert conn is not None and transaction is not None
        try:
            if kind is None:
                await transaction.commit()
            else:
                await transaction.rollback()
        finally:
            await self._pool.release(conn)
