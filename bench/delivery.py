"""Delivery under Telegram's limits: N outbox messages to many chats through the fake Bot
API enforcing 30 messages/s overall and 1/s per chat, like Telegram.

The messages are queued in the database before the bot starts (python -m bot run, default
pacing); the bot must drain them with no 429, no loss and no duplicate. Prints the
sustained rate, the 429 count, and the lost and duplicated counts.

    .venv/bin/python -m bench.delivery [--messages 10000] [--chats 2000]
"""

import argparse
import asyncio
from collections import Counter

from bench.common import (
    SIM_KEY,
    TOKEN,
    bot_process,
    git_revision,
    machine,
    quiet_collector,
    workdir,
)
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.telegram import FakeTelegram
from storage import Storage
from storage.models import OutboxKind


async def queue_messages(storage: Storage, messages: int, chats: int) -> None:
    async with storage.transaction() as tx:
        users = [
            await tx.users.upsert("telegram", str(60_000 + n), str(60_000 + n))
            for n in range(chats)
        ]
        for n in range(messages):
            await tx.outbox.add(users[n % chats].id, OutboxKind.NOTICE, {"text": f"message {n}"})


async def main(messages: int, chats: int) -> None:
    folder = workdir()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        people = [tg.user(60_000 + n, f"U{n}") for n in range(chats)]
        tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        bot = bot_process(folder, tg.base_url, sim_server.url)
        storage = Storage(folder / "bench.sqlite3")
        await storage.open()
        await queue_messages(storage, messages, chats)
        await storage.close()
        await bot.start()
        loop = asyncio.get_running_loop()
        try:
            # Progress is read from the bot's database (off this loop), not by scanning
            # the fake's call log: a stalled loop here would bunch the arrivals the fake
            # Telegram times, and look like a burst from the bot.
            watcher = Storage(folder / "bench.sqlite3")
            await watcher.open()
            last_progress, left = loop.time(), messages
            while left:
                await asyncio.sleep(2)
                pending = await watcher.read.outbox.pending_count()
                if pending < left:
                    left, last_progress = pending, loop.time()
                elif loop.time() - last_progress > 30:
                    break  # stalled: report what arrived
            await watcher.close()
            await asyncio.sleep(2)  # let any duplicate show itself
        finally:
            await bot.stop()
    sent = [c for c in tg.calls_to("sendMessage") if c.ok]
    texts = Counter(str(c.params.get("text")) for c in sent)
    delivered = len(texts)
    duplicated = sum(count - 1 for count in texts.values())
    span = sent[-1].time - sent[0].time if len(sent) > 1 else float("nan")
    per_chat = Counter(len(tg.messages(person)) for person in people)
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"{messages} messages to {chats} chats: {len(sent)} sent in {span:.1f} s = "
        f"{(len(sent) - 1) / span:.2f} messages/s sustained"
    )
    print(
        f"429 answers: {tg.count_429} {tg.refusals}; lost: {messages - delivered}; "
        f"duplicated: {duplicated}; messages per chat: {dict(per_chat)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=2_000)
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(main(args.messages, args.chats))
