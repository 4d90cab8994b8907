"""Where a test's database lives.

`make test` keeps every database in a SQLite file under the test's tmp_path. With
TEST_DATABASE_URL set to a PostgreSQL server (`make test-postgres`, and `.ci/run`), the
same tests run on PostgreSQL: each SQLite path a test names becomes a database of its own,
created for it on that server (a copy of an empty, migrated template, which is fast), so a
test that reopens "the same file" reopens the same database.
"""

import asyncio
import contextlib
import hashlib
import os
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from storage import Storage

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
# What a constraint or trigger refusing a statement raises, on either backend.
REFUSED_BY_DATABASE = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
# Set by .ci/run: a test that needs PostgreSQL fails instead of being skipped.
REQUIRE_POSTGRES = os.environ.get("TEST_REQUIRE_POSTGRES") == "1"
_RUN = uuid.uuid4().hex[:8]  # reruns against a long-lived server never collide
_lock = threading.Lock()
_created: dict[str, str] = {}
_template: str | None = None


def on_postgres() -> bool:
    return SERVER_URL.startswith(("postgresql://", "postgres://"))


def require_postgres() -> str:
    """The server's URL, for tests that only mean something on PostgreSQL."""
    if not on_postgres():
        if REQUIRE_POSTGRES:
            pytest.fail("TEST_DATABASE_URL is not a PostgreSQL server")
        pytest.skip("needs PostgreSQL: run `make test-postgres`")
    return SERVER_URL


def url_of(database: str) -> str:
    """The server's URL with another database name."""
    parts = urlsplit(SERVER_URL)
    return urlunsplit(parts._replace(path="/" + database))


def _run(coroutine_factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # Tests call this from inside their own event loop: the server is asked from a thread
    # with a loop of its own.
    error: list[BaseException] = []

    def work() -> None:
        try:
            asyncio.run(coroutine_factory())
        except BaseException as caught:  # re-raised in the caller's thread
            error.append(caught)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if error:
        raise error[0]


def create_database(template: str | None = None) -> str:
    """A new, empty database on the server (a copy of `template` when given): its URL."""
    import asyncpg

    name = f"t_{_RUN}_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        conn = await asyncpg.connect(SERVER_URL)
        try:
            copy = f" TEMPLATE {template}" if template else " TEMPLATE template0"
            await conn.execute(f"CREATE DATABASE {name}{copy}")
        finally:
            await conn.close()

    _run(create)
    return url_of(name)


def _migrated_template() -> str:
    """An empty database with every migration applied, copied for each test."""
    global _template
    if _template is None:
        url = create_database()

        async def migrate() -> None:
            store = Storage(url)
            await store.open()
            await store.close()

        _run(migrate)
        _template = urlsplit(url).path.lstrip("/")
    return _template


def database_for(path: Path) -> Path | str:
    """What a test opens for the SQLite file `path`: the file itself, or on PostgreSQL the
    database standing for it (the same one each time the same path is named)."""
    if not on_postgres():
        return path
    key = hashlib.sha256(str(path).encode()).hexdigest()
    with _lock:
        if key not in _created:
            _created[key] = create_database(_migrated_template())
        return _created[key]


def database_url_for(path: Path) -> str:
    """`database_for` as a DATABASE_URL setting."""
    found = database_for(path)
    return found if isinstance(found, str) else f"sqlite:///{found}"


async def outside_rows(path: Path, query: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of `query` (with `?` placeholders), read on a connection of its own, as an
    operator would from outside the bot; [] while the database cannot be read yet."""
    found = database_for(path)
    if isinstance(found, str):
        import asyncpg

        from storage.postgres import to_postgres

        server = await asyncpg.connect(found)
        try:
            return [tuple(row) for row in await server.fetch(to_postgres(query), *params)]
        finally:
            await server.close()
    try:
        with contextlib.closing(sqlite3.connect(found, timeout=1)) as file:
            return [tuple(row) for row in file.execute(query, params).fetchall()]
    except sqlite3.Error:
        return []


@contextlib.asynccontextmanager
async def two_processes(path: Path) -> AsyncIterator[tuple[Storage, Storage]]:
    """Two storages on one PostgreSQL database, each with its own pool and sessions: two
    processes, as far as the database can tell (their transactions run at the same time)."""
    require_postgres()
    location = database_for(path)
    one, two = Storage(location), Storage(location)
    await one.open()
    try:
        await two.open()
        try:
            yield one, two
        finally:
            await two.close()
    finally:
        await one.close()
