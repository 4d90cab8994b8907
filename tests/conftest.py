"""Shared fixtures: real SQLite files in a temporary folder."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()
