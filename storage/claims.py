"""Which process is driving a payment, a collection or a funded purchase right now.

Each service keeps a set of what it is paying in this process (its `in_flight`), so that its
own reconciler never submits a payment twice. With several processes (PostgreSQL), that is
not enough: the leader's reconciler would take a payment another process is in the middle of
paying for one abandoned by a dead process, and pay it again. So whoever drives one holds a
claim on it for the whole call: on PostgreSQL a session advisory lock on a connection of the
process's own, which the server lets go of the moment the process dies (SIGKILL included);
on SQLite, one process, nothing to add to the services' own sets.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from enum import IntEnum

import asyncpg

log = logging.getLogger(__name__)


class ClaimKind(IntEnum):
    """The high 16 bits of the advisory-lock key: one range per kind, far from the other
    keys the bot takes (migrations, the leader)."""

    PAYMENT = 0x5E01
    COLLECTION = 0x5E02
    PURCHASE = 0x5E03


def claim_key(kind: ClaimKind, row_id: int) -> int:
    if not 0 < row_id < 1 << 48:
        raise ValueError(f"row id out of range for a claim: {row_id}")
    return (int(kind) << 48) | row_id


class Claims:
    """One process (SQLite): every claim is granted; the services' own sets do the work."""

    @contextlib.asynccontextmanager
    async def hold(self, kind: ClaimKind, row_id: int) -> AsyncIterator[bool]:
        """`async with claims.hold(kind, id) as held:` — False when another process is
        driving it (then leave it alone); released when the block is left."""
        yield True

    async def close(self) -> None:
        """Nothing held outside this process."""


class PostgresClaims(Claims):
    """Session advisory locks on one dedicated connection, opened when first needed.

    Advisory locks are re-entrant within a session: two tasks of this process may both hold
    one, which is why the services keep their in-process sets in front of this.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the connection

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            if self._conn is not None:
                log.warning("claims connection lost; the claims it held were let go")
            self._conn = await asyncpg.connect(self._url)
        return self._conn

    @contextlib.asynccontextmanager
    async def hold(self, kind: ClaimKind, row_id: int) -> AsyncIterator[bool]:
        key = claim_key(kind, row_id)
        async with self._lock:
            conn = await self._connection()
            held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", key))
        try:
            yield held
        finally:
            if held:
                await self._release(conn, key)

    async def _release(self, conn: asyncpg.Connection, key: int) -> None:
        async with self._lock:
            if conn is not self._conn or conn.is_closed():
                return  # that session ended: the server released its locks with it
            try:
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
            except (asyncpg.PostgresError, OSError) as error:
                log.warning("claim release failed (%s); the session's end lets it go", error)

    async def close(self) -> None:
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None and not conn.is_closed():
                await conn.close()
