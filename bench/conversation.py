"""Conversation throughput: N users buying Woyofal at once through the real bot.

The bot runs as its own process (`python -m bot run`: python-telegram-bot polling, storage,
workers); the fake Telegram Bot API (rate limits off) and the DEXCHANGE simulator run here.
Every simulated user walks the whole purchase (/start, Woyofal, meter, amount, confirm) and
waits for each answer before the next step, like a person tapping fast. Prints updates per
second and the time from an update to the bot's answer.

    .venv/bin/python -m bench.conversation [--users 100] [--purchases 3]
"""

import argparse
import asyncio
import time

from bench.common import SIM_KEY, TOKEN, bot_process, describe, git_revision, machine, workdir
from bot.http_serve import LoopbackServer
from bot.simulator import Simulator, SimulatorConfig
from tests.fake_telegram import FakeTelegram, FakeUser


async def purchase(tg: FakeTelegram, user: FakeUser, meter: str, latencies: list[float]) -> None:
    async def step(action, expect: str) -> None:
        since = tg.mark()
        started = time.perf_counter()
        await action()
        await tg.wait_for_message(user, expect, since=since, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)

    await step(lambda: tg.send_text(user, "/start"), "Que voulez-vous faire")
    menu = tg.last_message(user)
    assert menu is not None
    await step(lambda: tg.press(user, menu, "g:pay:woyofal"), "compteur Woyofal")
    await step(lambda: tg.send_text(user, meter), "Quel montant")
    await step(lambda: tg.send_text(user, "5000"), "Confirmez-vous")
    summary = tg.last_message(user)
    assert summary is not None
    await step(lambda: tg.press(user, summary, "✅ Confirmer et payer"), "Paiement envoyé")
    await tg.wait_for_message(user, "Recharge Woyofal réussie", timeout=60)


async def main(users: int, purchases: int) -> None:
    folder = workdir()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY, rate_per_minute=None, callback_delay=0.2))
    async with (
        FakeTelegram(token=TOKEN, record_calls=False) as tg,
        LoopbackServer(sim.app) as sim_server,
    ):
        bot = bot_process(
            folder,
            tg.base_url,
            sim_server.url,
            TELEGRAM_MESSAGES_PER_SECOND="0",
            TELEGRAM_CHAT_MESSAGES_PER_SECOND="0",
        )
        await bot.start()
        try:
            people = [tg.user(10_000 + i, f"User{i}") for i in range(users)]
            latencies: list[float] = []

            async def customer(person: FakeUser, index: int) -> None:
                for n in range(purchases):
                    meter = f"{70_000_000 + index * 10 + n}"
                    if n == 0 and index % 10 == 0:
                        meter = "07061270877"  # some get their code at once
                    await purchase(tg, person, meter, latencies)

            started = time.perf_counter()
            await asyncio.gather(*(customer(p, i) for i, p in enumerate(people)))
            elapsed = time.perf_counter() - started
        finally:
            await bot.stop()
    updates = len(latencies)
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"{users} concurrent users x {purchases} Woyofal purchases: {updates} updates "
        f"in {elapsed:.1f} s = {updates / elapsed:.0f} updates/s"
    )
    print(f"update -> reply: {describe(latencies)}")
    print(f"payments at the simulator: {sim.state.pay_calls} (expected {users * purchases})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--purchases", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.purchases))
