"""Real processes share Telegram's budget (issue 17): four children, each with its own
PacedRateLimiter and database pool, send at once through the fake Telegram server, which
enforces Telegram's limits (30 messages a second, one a second per chat) and answers 429
beyond them. Alone, each would send at the full 30 a second."""

import asyncio
import sys
from pathlib import Path

from fakes.process import clean_environment
from fakes.telegram import FakeTelegram
from tests.databases import database_for, require_postgres

TOKEN = "123456:TEST-TOKEN"
CHILDREN = 4  # the four processes
OWN_CHATS = 30  # per child
SHARED_CHAT = 5000  # every child writes to it twice

# One "process": its own pool on the database, its own limiter, its own Bot.
CHILD = """
import asyncio, sys
from telegram.ext import ExtBot
from bot.channels.telegram.ratelimit import PacedRateLimiter
from storage import Storage
from storage.budgets import SharedBudgets

async def main(url, base_url, number, own, shared_chat, use_shared):
    storage = Storage(url)
    await storage.open()
    budgets = SharedBudgets(storage.database) if use_shared == "1" else None
    bot = ExtBot(TOKEN, base_url=base_url, rate_limiter=PacedRateLimiter(30, 1, shared=budgets))
    await bot.initialize()
    chats = [10_000 * (number + 1) + i for i in range(own)] + [shared_chat] * 2
    try:
        await asyncio.gather(*(bot.send_message(chat, f"{number}:{chat}") for chat in chats))
    finally:
        await bot.shutdown()
        await storage.close()
    print("sent", len(chats), flush=True)

url, base_url, number, own, shared_chat, use_shared = sys.argv[1:]
asyncio.run(main(url, base_url, int(number), int(own), int(shared_chat), use_shared))
"""


async def run_children(url: str, tg: FakeTelegram, *, shared: bool) -> list[str]:
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            f"TOKEN = {TOKEN!r}\n" + CHILD,
            url,
            tg.base_url,
            str(number),
            str(OWN_CHATS),
            str(SHARED_CHAT),
            "1" if shared else "0",
            env=clean_environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for number in range(CHILDREN)
    ]
    outputs = []
    for child in children:
        out, err = await asyncio.wait_for(child.communicate(), timeout=60)
        assert child.returncode == 0, err.decode()[-2000:]
        outputs.append(out.decode().strip())
    return outputs


async def test_processes_sharing_the_budget_get_no_429(tmp_path: Path) -> None:
    require_postgres()
    url = database_for(tmp_path / "budgets.sqlite3")
    assert isinstance(url, str)
    async with FakeTelegram(token=TOKEN, bot_username="senpay_test_bot") as tg:
        for number in range(CHILDREN):
            for i in range(OWN_CHATS):
                tg.user(10_000 * (number + 1) + i, f"U{number}-{i}")
        everyones = tg.user(SHARED_CHAT, "Partagé")
        tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)

        outputs = await run_children(url, tg, shared=True)

        assert outputs == [f"sent {OWN_CHATS + 2}"] * CHILDREN
        assert tg.count_429 == 0  # the four kept to one budget
        assert len(tg.messages(everyones)) == 2 * CHILDREN
