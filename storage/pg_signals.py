"""PostgreSQL between the bot's processes: who leads, and wake-ups for the leader.

`LeaderConnection` is one asyncpg connection of its own (never from the pool, so the lock
lives exactly as long as it does): a session advisory lock on it says "this process runs the
once-per-deployment workers", and LISTEN on it hears the commits of other processes. When the
process dies PostgreSQL ends the session and frees the lock; another process takes it.

`Notifications` sends `NOTIFY senpay_<topic>` on the pool, right after a commit that gave the
leader something to do. A notification lost (a crash right after the commit) only delays the
work until the leader's next poll.
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

import asyncpg

from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

# Session advisory lock keys share one space with storage.postgres.MIGRATION_LOCK.
LEADER_LOCK = 0x53454E50_0002  # "SENP" + 2
CHANNEL_PREFIX = "senpay_"
# What a dead or unreachable server raises on the dedicated connection.
CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def channel(topic: str) -> str:
    return CHANNEL_PREFIX + topic


class LeaderConnection:
    """The lock and the LISTENs of one process, on a connection of its own."""

    def __init__(self, url: str, *, key: int = LEADER_LOCK, timeout: float = 1.0) -> None:
        self._url = url
        self._key = key
        self._timeout = timeout  # a server that answers no faster is taken for gone
        self._conn: asyncpg.Connection | None = None
        self._listeners: dict[str, Callable[[str], None]] = {}
        self.lost = asyncio.Event()  # set when the connection drops (the lock went with it)

    def listen(self, topic: str, callback: Callable[[str], None]) -> None:
        """Call `callback(payload)` on each NOTIFY senpay_<topic>, from the next connect on."""
        self._listeners[channel(topic)] = callback

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def connect(self) -> None:
        self.lost.clear()
        conn = await asyncpg.connect(self._url, timeout=self._timeout * 5)
        try:
            conn.add_termination_listener(self._terminated)
            for name in self._listeners:
                await conn.add_listener(name, self._heard)
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn

    def _terminated(self, conn: "asyncpg.Connection | asyncpg.pool.PoolConnectionProxy") -> None:
        if conn is self._conn:
            self.lost.set()

    def _heard(
        self,
        conn: "asyncpg.Connection | asyncpg.pool.PoolConnectionProxy",
        pid: int,
        name: str,
        payload: object,
    ) -> None:
        callback = self._listeners.get(name)
        if callback is not None:
            callback(str(payload))

    async def try_lock(self) -> bool:
        """Take the leader's lock if no other session holds it (never waits for it)."""
        conn = self._require()
        sql = "SELECT pg_try_advisory_lock($1)"
        return bool(await conn.fetchval(sql, self._key, timeout=self._timeout))

    async def alive(self) -> bool:
        """The session (and so the lock it holds) is still there, answering in time."""
        if not self.connected:
            return False
        try:
            return bool(await self._require().fetchval("SELECT 1", timeout=self._timeout) == 1)
        except CONNECTION_ERRORS:
            return False

    async def close(self) -> None:
        """End the session: the lock is freed at once (no graceful wait on a dead peer)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await asyncio.wait_for(conn.close(), timeout=self._timeout)
        except CONNECTION_ERRORS:
            pass
        finally:
            if not conn.is_closed():
                conn.terminate()

    def _require(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            raise asyncpg.InterfaceError("the leader connection is closed")
        return self._conn


class Notifications:
    """NOTIFY senpay_<topic> for the leader, sent on the pool after a commit."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database
        # The sender's mark: a process does not wake itself through PostgreSQL.
        self.origin = f"{os.getpid()}-{os.urandom(4).hex()}"
        self._pending: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def publish(self, topic: str) -> None:
        """From a synchronous after-commit callback: the NOTIFY goes out as soon as it can;
        a burst of commits makes one NOTIFY a topic."""
        self._pending.add(topic)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._send(), name="pg-notify")

    async def _send(self) -> None:
        while self._pending:
            topic = self._pending.pop()
            try:
                await self._database.single().execute(
                    "SELECT pg_notify(?, ?)", (channel(topic), self.origin)
                )
            except (*CONNECTION_ERRORS, RuntimeError):
                # The leader's next poll finds the work all the same.
                log.warning("NOTIFY %s not sent; the leader finds the work on its next poll", topic)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, timeout=1.0)
