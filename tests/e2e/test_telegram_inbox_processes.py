"""Two real bot processes on one PostgreSQL database, both in webhook mode, each behind its
own port (as behind a reverse proxy): an update is handled once whichever process gets it,
a user's updates one at a time and in order whichever process handles them, and an update
whose process is killed mid-way is handled by the other once the lease has run out.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram, FakeUser
from tests.databases import database_url_for, outside_rows, require_postgres
from tests.e2e.harness import SECRET, SIM_KEY, TOKEN
from tests.e2e.test_telegram_inbox import (
    ASK_METER,
    BAD_REFERENCE,
    Poster,
    answered,
    conversation,
    text_update,
    wait_until,
)

WEBHOOK_SECRET = "tginbox-processes-secret-0123456789"
LEASE_SECONDS = 2


@dataclass
class Pair:
    tg: FakeTelegram
    bots: list[BotProcess]
    urls: list[str]
    workdir: Path

    async def rows(self) -> list[tuple[Any, ...]]:
        """The Telegram inbox, read from outside: (message_id, status, claimed_by,
        attempts, handled_at)."""
        return await outside_rows(
            self.workdir / "bot.sqlite3",
            "SELECT message_id, status, claimed_by, attempts, handled_at FROM inbox"
            " WHERE channel = 'telegram' ORDER BY id",
        )

    def pid_of(self, claimant: str) -> int:
        return int(claimant.split(":")[-2])


def env_for(workdir: Path, tg_url: str, sim_url: str, port: int) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": tg_url,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "DEXCHANGE_API_KEY": SIM_KEY,
        "DEXCHANGE_BASE_URL": sim_url,
        "CALLBACK_SECRET": SECRET,
        "DATABASE_URL": database_url_for(workdir / "bot.sqlite3"),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TELEGRAM_MESSAGES_PER_SECOND": "0",
        "TELEGRAM_CHAT_MESSAGES_PER_SECOND": "0",
        "INBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "DAILY_REPORT_HOUR": "",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    require_postgres()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        bots = [
            BotProcess(tmp_path, env_for(tmp_path, tg.base_url, sim_server.url, free_port()), name)
            for name in ("bot-a", "bot-b")
        ]
        try:
            for bot in bots:
                await bot.start()
            urls = [bot.env["TELEGRAM_WEBHOOK_URL"] for bot in bots]
            yield Pair(tg, bots, urls, tmp_path)
        finally:
            for bot in bots:
                await bot.stop()


async def test_one_update_posted_to_both_processes_is_handled_once(pair: Pair) -> None:
    awa = pair.tg.user(6101, "Awa")
    update = text_update(7_100_001, awa, "woyofal")
    async with httpx.AsyncClient() as client:
        poster = Poster(client, WEBHOOK_SECRET)
        statuses = await asyncio.gather(*(poster.post(url, update) for url in pair.urls * 2))
    assert statuses == [200] * 4
    await wait_until(lambda: answered(pair.tg, awa) != [], timeout=15)
    await asyncio.sleep(1.5)  # time for a second answer, were there one
    assert answered(pair.tg, awa) == ["woyofal"]
    [(message_id, status, _, attempts, _)] = await pair.rows()
    assert (message_id, status, attempts) == ("7100001", "handled", 1)


def replies_at(tg: FakeTelegram, user: FakeUser) -> list[tuple[str, float]]:
    """What each sendMessage to the user answers, with when it reached the fake (epoch)."""
    offset = time.time() - asyncio.get_running_loop().time()
    seen = []
    for call in tg.calls_to("sendMessage"):
        if str(call.params.get("chat_id")) != str(user.id):
            continue
        text = str(call.params.get("text", ""))
        found = BAD_REFERENCE.search(text)
        label = found.group(1) if found else ("woyofal" if ASK_METER in text else None)
        if label is not None:
            seen.append((label, call.time + offset))
    return seen


async def test_a_burst_across_both_processes_keeps_each_user_in_order(pair: Pair) -> None:
    # The load: 100 users × 20 messages, each user's alternating between processes.
    users = [pair.tg.user(6200 + i, f"User{i}") for i in range(100)]
    expected = conversation(20)
    plans = {
        user.id: [
            text_update(8_100_000 + i * 100 + n, user, text) for n, text in enumerate(expected)
        ]
        for i, user in enumerate(users)
    }
    async with httpx.AsyncClient() as client:
        poster = Poster(client, WEBHOOK_SECRET)
        # Each user's updates alternate between the two processes.
        sent = await asyncio.gather(*(poster.user_in_order(pair.urls, plans[u.id]) for u in users))
    assert {status for statuses in sent for status in statuses} == {200}
    await wait_until(
        lambda: all(len(answered(pair.tg, u)) >= len(expected) for u in users), timeout=240
    )
    await asyncio.sleep(0.5)
    wrong = {u.id: answered(pair.tg, u) for u in users if answered(pair.tg, u) != expected}
    assert wrong == {}

    rows = {row[0]: row for row in await pair.rows()}
    assert len(rows) == 100 * 20
    assert {row[1] for row in rows.values()} == {"handled"}
    assert {row[3] for row in rows.values()} == {1}  # nothing taken twice
    handlers = {row[2] for row in rows.values()}
    assert len(handlers) == 2, handlers  # both processes handled some
    # One at a time: each reply of a user reached Telegram after the previous update of
    # theirs was marked handled (whichever process handled either).
    overlaps = []
    for i, user in enumerate(users):
        replies = replies_at(pair.tg, user)
        for n in range(1, len(expected)):
            previous = rows[str(8_100_000 + i * 100 + n - 1)]
            done = datetime.fromisoformat(previous[4]).timestamp()
            if replies[n][1] < done:
                overlaps.append((user.id, n, replies[n][1] - done))
    assert overlaps == []


async def test_a_killed_holder_s_update_is_handled_by_the_other_process(pair: Pair) -> None:
    awa = pair.tg.user(6301, "Awa")
    # The answer hangs: whoever claims the update holds it, mid-way, when killed.
    pair.tg.set_latency("sendMessage", 30)
    async with httpx.AsyncClient() as client:
        poster = Poster(client, WEBHOOK_SECRET)
        assert await poster.post(pair.urls[0], text_update(7_100_101, awa, "woyofal")) == 200

    async def holder() -> str | None:
        rows = await pair.rows()
        return rows[0][2] if rows and rows[0][1] == "pending" else None

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while (claimant := await holder()) is None:
        assert loop.time() < deadline, "never claimed"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # into the handler, its sendMessage under way
    [victim] = [
        bot for bot in pair.bots if bot.process and bot.process.pid == pair.pid_of(claimant)
    ]
    [survivor] = [bot for bot in pair.bots if bot is not victim]
    victim.kill()
    await victim.wait_exit()
    killed_at = loop.time()
    pair.tg.set_latency("sendMessage", 0)

    await wait_until(lambda: answered(pair.tg, awa) != [], timeout=15)
    assert loop.time() - killed_at >= LEASE_SECONDS - 1.0  # not before the lease ran out
    await asyncio.sleep(1.0)
    assert answered(pair.tg, awa) == ["woyofal"]
    [(_, status, claimed_by, attempts, _)] = await pair.rows()
    assert status == "handled" and attempts == 2
    assert survivor.process is not None and pair.pid_of(claimed_by) == survivor.process.pid
