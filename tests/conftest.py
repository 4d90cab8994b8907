"""Shared fixtures: real SQLite files in a temporary folder."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage
from tests.databases import database_for


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(database_for(tmp_path / "bot.sqlite3"))
    await store.open()
    yield store
    await store.close()


def _sqlite_threads() -> set[int]:
    import threading

    return {
        thread.ident or 0
        for thread in threading.enumerate()
        if "_connection_worker_thread" in thread.name and thread.is_alive()
    }


@pytest.fixture(autouse=True)
def no_leaked_database_connections():
    """Every SQLite connection a test opens is closed by its end: a leaked one keeps a
    thread alive and hangs the interpreter at exit."""
    before = _sqlite_threads()
    yield
    import time

    deadline = time.monotonic() + 2
    while (_sqlite_threads() - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    leaked = _sqlite_threads() - before
    assert not leaked, f"{len(leaked)} SQLite connection(s) left open by this test"
