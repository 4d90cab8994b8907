"""Fixtures shared by the unit tests' modules."""

import asyncio

import pytest

from handlers.types import Reply
from tests.flow_walk import collect


@pytest.fixture(scope="session")
def walked_replies(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Reply]]:
    """Every reply of the walk of every flow (tests/flow_walk.py), walked once a session."""
    return asyncio.run(collect(tmp_path_factory.mktemp("walk") / "walk.sqlite3"))
