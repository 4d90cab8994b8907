"""The leader election on a real PostgreSQL server, in one process (issue 17).

Two `LeaderElection`s, each on its own `LeaderConnection`, stand for two bot processes:
exactly one leads; when its session ends (closed, or killed by the server as when its
process dies) the other takes over and the old one stops its work first. NOTIFY sent on a
pool after a commit reaches the listeners of the other connection.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import asyncpg
import pytest

from bot.workers.leadership import LeaderElection
from storage import Storage
from storage.pg_signals import LeaderConnection, Notifications
from storage.postgres import PostgresDatabase
from tests.databases import create_database, require_postgres

INTERVAL = 0.1


@dataclass
class Contender:
    """One process's side of the election, with a log of its leader work."""

    name: str
    lock: LeaderConnection
    events: list[str] = field(default_factory=list)
    election: LeaderElection | None = None

    async def elected(self) -> None:
        self.events.append("elected")

    async def deposed(self) -> None:
        self.events.append("deposed")

    @property
    def leading(self) -> bool:
        assert self.election is not None
        return self.election.leading


def contender(url: str, name: str) -> Contender:
    who = Contender(name, LeaderConnection(url, timeout=1.0))
    who.election = LeaderElection(
        who.lock, on_elected=who.elected, on_deposed=who.deposed, interval=INTERVAL, name=name
    )
    return who


@pytest.fixture
async def url() -> str:
    require_postgres()
    return create_database()


@pytest.fixture
async def pair(url: str) -> AsyncIterator[tuple[Contender, Contender]]:
    first, second = contender(url, "first"), contender(url, "second")
    try:
        yield first, second
    finally:
        for who in (first, second):
            assert who.election is not None
            await who.election.stop()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds until `condition()` holds; fails past `timeout`."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        assert loop.time() - start < timeout, "condition not met in time"
        await asyncio.sleep(0.01)
    return loop.time() - start


def start(*contenders: Contender) -> None:
    for who in contenders:
        assert who.election is not None
        who.election.start()


async def test_one_of_two_leads(pair: tuple[Contender, Contender]) -> None:
    first, second = pair
    start(first)
    await until(lambda: first.leading)
    start(second)
    await asyncio.sleep(INTERVAL * 5)  # several tries of the lock, all refused
    assert first.leading and not second.leading
    assert first.events == ["elected"] and second.events == []


async def test_a_closed_leader_hands_over(pair: tuple[Contender, Contender]) -> None:
    first, second = pair
    start(first)
    await until(lambda: first.leading)
    start(second)
    await asyncio.sleep(INTERVAL * 3)
    assert first.election is not None
    await first.election.stop()  # a process stopping: its work stops, then its lock goes
    assert first.events == ["elected", "deposed"]
    taken = await until(lambda: second.leading)
    print(f"handed over in {taken:.3f} s")
    assert second.events == ["elected"] and not first.leading


async def test_a_leader_whose_session_dies_stops_and_another_takes_over(
    url: str, pair: tuple[Contender, Contender]
) -> None:
    first, second = pair
    start(first, second)
    await until(lambda: first.leading or second.leading)
    await asyncio.sleep(INTERVAL * 3)
    leader, other = (first, second) if first.leading else (second, first)
    assert not other.leading
    both_led = False

    async def watch() -> None:
        nonlocal both_led
        while True:
            both_led = both_led or (first.leading and second.leading)
            await asyncio.sleep(0.002)

    watcher = asyncio.create_task(watch())
    # What PostgreSQL does when the leader's process is killed: it ends the session.
    admin = await asyncpg.connect(url)
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND objid = $1 AND database ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())",
            0x53454E50_0002 & 0xFFFFFFFF,
        )
    finally:
        await admin.close()
    assert ended == 1
    await until(lambda: "deposed" in leader.events)
    # Then its process dies for good; the other takes over.
    assert leader.election is not None
    await leader.election.stop()
    taken = await until(lambda: other.leading)
    print(f"taken over in {taken:.3f} s")
    assert other.events == ["elected"]
    watcher.cancel()
    assert not both_led


async def test_a_failed_start_gives_the_lock_back(pair: tuple[Contender, Contender]) -> None:
    first, second = pair
    failures = 0

    async def refused() -> None:
        nonlocal failures
        failures += 1
        first.events.append("elected")
        raise RuntimeError("setWebhook refused")

    assert first.election is not None
    first.election = LeaderElection(
        first.lock, on_elected=refused, on_deposed=first.deposed, interval=INTERVAL
    )
    start(first)
    await until(lambda: failures >= 1)
    start(second)
    await until(lambda: second.leading)
    assert first.events[:2] == ["elected", "deposed"] and not first.leading


async def test_a_notify_after_commit_reaches_the_other_connection(url: str) -> None:
    listener = LeaderConnection(url)
    heard: list[str] = []
    listener.listen("outbox", heard.append)
    await listener.connect()
    storage = Storage(url)
    await storage.open()
    try:
        assert isinstance(storage.database, PostgresDatabase)
        notifications = Notifications(storage.database)
        notifications.publish("outbox")
        notifications.publish("outbox")  # a burst: one NOTIFY
        await until(lambda: len(heard) >= 1)
        await notifications.close()
        await asyncio.sleep(0.2)
        assert heard == [notifications.origin]
    finally:
        await storage.close()
        await listener.close()


async def test_begin_leads_at_once_when_alone(pair: tuple[Contender, Contender]) -> None:
    first, second = pair
    assert first.election is not None and second.election is not None
    await first.election.begin()
    assert first.leading and first.events == ["elected"]  # no wait for the loop
    await second.election.begin()
    assert not second.leading and second.events == []
    await asyncio.sleep(INTERVAL * 3)
    assert first.leading and not second.leading


async def test_a_nudged_standby_tries_the_lock_at_once(url: str) -> None:
    """A leader that stops says so (NOTIFY senpay_leader): the standby does not wait for
    its next round, here half a minute away."""
    first, second = contender(url, "first"), contender(url, "second")
    for who in (first, second):
        who.election = LeaderElection(
            who.lock, on_elected=who.elected, on_deposed=who.deposed, interval=30, name=who.name
        )
    assert first.election is not None and second.election is not None
    try:
        await first.election.begin()
        await second.election.begin()
        await asyncio.sleep(0.2)  # the standby is in its pause
        await first.election.stop()
        second.election.nudge()
        taken = await until(lambda: second.leading, timeout=2.0)
        print(f"\nthe nudged standby led {taken:.3f} s after")
    finally:
        await first.election.stop()
        await second.election.stop()
