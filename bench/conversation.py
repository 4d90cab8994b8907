"""Conversation throughput: N users buying Woyofal at once through the real bot.

The bot runs as its own process (`python -m bot run`: python-telegram-bot polling, storage,
workers); the fake Telegram Bot API (rate limits off) and the DEXCHANGE simulator run here.
Every simulated user walks the whole purchase (/start, Woyofal, meter, amount, confirm) and
waits for each answer before the next step. Two runs: paced (the users together offer
`--rate` updates per second, each on a steady schedule) and saturated (no pause at all: the
bot's capacity). Prints updates per second and the time from an update to the bot's answer.

    .venv/bin/python -m bench.conversation [--users 100] [--purchases 3] [--rate 200]
"""

import argparse
import asyncio
import time

from bench.common import (
    SIM_KEY,
    TOKEN,
    bot_process,
    credit,
    describe,
    git_revision,
    machine,
    quiet_collector,
    workdir,
)
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.telegram import BotMessage, FakeTelegram, FakeUser

REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


def reply_arrival(tg: FakeTelegram, chat_id: int, since: float) -> float:
    """When the bot's first answer to this chat after `since` reached the fake."""
    first = None
    for call in reversed(tg.calls):
        if call.time < since:
            break
        if call.method in REPLY_METHODS and call.params.get("chat_id") == chat_id:
            first = call.time
    assert first is not None, "no answer recorded"
    return first


async def all_codes_delivered(tg: FakeTelegram, people: list[FakeUser], each: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while True:
        done = sum(
            1
            for person in people
            for message in tg.messages(person)
            if "Recharge Woyofal réussie" in (message.text or "")
        )
        if done >= each * len(people):
            return
        if loop.time() > deadline:
            raise AssertionError(f"only {done} codes delivered of {each * len(people)}")
        await asyncio.sleep(0.2)


STEPS = 5  # updates in one purchase
# --cancel: the users cancel at the confirmation: the conversation alone, no payment work.
CANCEL_AT_CONFIRMATION = False
# --dexchange-rate N: the bot keeps to N DEXCHANGE calls a minute (production: 100), so the
# payments trail behind the conversation; the run does not wait for their codes.
DEXCHANGE_RATE = 0
Step = tuple[float, float]  # (when the update was sent, ms until the bot's answer)


def summarise(steps: list[Step], elapsed: float | None) -> str:
    if elapsed is None:
        starts = [at for at, _ in steps]
        elapsed = max(starts) - min(starts)
    return (
        f"{len(steps)} updates in {elapsed:.1f} s = {len(steps) / elapsed:.0f} updates/s; "
        f"update -> reply: {describe([ms for _, ms in steps])}"
    )


def steady(steps: list[Step], ramp: float) -> list[Step]:
    """The updates sent once every user had started and before any had finished: the
    offered rate holds only there (users join over one purchase's duration)."""
    starts = sorted(at for at, _ in steps)
    return [step for step in steps if starts[0] + ramp <= step[0] <= starts[-1] - ramp]


class Pace:
    """When a user takes the next step: at once (saturation), or on a steady schedule that
    adds up to the offered rate over all users, like people tapping at their own speed.
    Users start spread over a whole purchase, so that they are at different steps at any
    moment (in lockstep, they would all confirm at once: a burst, not a rate)."""

    def __init__(self, interval: float, offset: float) -> None:
        self.interval = interval
        self.next_at = time.perf_counter() + offset

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        delay = self.next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        self.next_at = max(self.next_at, time.perf_counter() - self.interval) + self.interval


async def purchase(
    tg: FakeTelegram, user: FakeUser, meter: str, latencies: list[Step], pace: Pace
) -> None:
    loop = asyncio.get_running_loop()

    async def step(action, expect: str) -> BotMessage:
        await pace.wait()
        since = tg.mark()
        sent = loop.time()
        await action()
        answer = await tg.wait_for_message(user, expect, since=since, timeout=30)
        # Timed at the fake Telegram: from the update's arrival there to the bot's answer
        # arriving there (this process's own scheduling delays are not the bot's).
        answered = reply_arrival(tg, user.id, sent)
        latencies.append((sent, (answered - sent) * 1000))
        return answer

    menu = await step(lambda: tg.send_text(user, "/start"), "Que voulez-vous faire")
    await step(lambda: tg.press(user, menu, "g:pay:woyofal"), "compteur Woyofal")
    await step(lambda: tg.send_text(user, meter), "Quel montant")
    summary = await step(lambda: tg.send_text(user, "5000"), "Confirmez-vous")
    if CANCEL_AT_CONFIRMATION:
        await step(lambda: tg.press(user, summary, "✖️ Annuler"), "Opération annulée")
    else:
        await step(lambda: tg.press(user, summary, "✅ Confirmer et payer"), "Paiement envoyé")


async def customer(
    tg: FakeTelegram,
    person: FakeUser,
    index: int,
    purchases: int,
    pace: Pace,
    first: int,
    latencies: list[Step],
) -> None:
    for n in range(purchases):
        meter = f"{70_000_000 + first + index * 10 + n}"
        if n == 0 and index % 10 == 0:
            meter = "07061270877"  # some get their code at once
        await purchase(tg, person, meter, latencies, pace)


async def main(users: int, purchases: int, offered_rate: float) -> None:
    folder = workdir()
    results: list[str] = []
    sim = Simulator(
        SimulatorConfig(
            api_key=SIM_KEY, rate_per_minute=None, callback_delay=0.2, initial_balance=10**12
        )
    )
    async with (
        FakeTelegram(token=TOKEN) as tg,
        LoopbackServer(sim.app) as sim_server,
    ):
        bot = bot_process(
            folder,
            tg.base_url,
            sim_server.url,
            TELEGRAM_MESSAGES_PER_SECOND="0",
            TELEGRAM_CHAT_MESSAGES_PER_SECOND="0",
            **({"DEXCHANGE_RATE_PER_MINUTE": str(DEXCHANGE_RATE)} if DEXCHANGE_RATE else {}),
        )
        await bot.start()
        try:
            people = [tg.user(10_000 + i, f"User{i}") for i in range(users)]
            # every simulated user has credit, like a real customer
            await credit(folder, [person.id for person in people], 10_000_000)
            first = 0
            for label, rate in (("paced", offered_rate), ("saturated", 0.0)):
                latencies: list[Step] = []
                interval = users / rate if rate else 0.0

                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        customer(
                            tg,
                            p,
                            i,
                            purchases,
                            Pace(interval, STEPS * interval * i / users),
                            first,
                            latencies,
                        )
                        for i, p in enumerate(people)
                    )
                )
                elapsed = time.perf_counter() - started
                # The payments finish in the background; every one must reach its user.
                if not CANCEL_AT_CONFIRMATION and not DEXCHANGE_RATE:
                    await all_codes_delivered(tg, people, purchases * (2 if first else 1))
                first += 1_000_000
                offered = f"offered {rate:.0f} updates/s" if rate else "no pause between steps"
                results.append(f"{label} ({offered}): {summarise(latencies, elapsed)}")
                if rate:
                    window = steady(latencies, STEPS * interval)
                    results.append(f"  steady state: {summarise(window, None)}")
        finally:
            await bot.stop()
    print(f"machine: {machine()}; revision {git_revision()}")
    print(f"{users} concurrent users, {purchases} Woyofal purchases each, per run:")
    for line in results:
        print(f"  {line}")
    expected = 0 if CANCEL_AT_CONFIRMATION else 2 * users * purchases
    if DEXCHANGE_RATE:
        print(
            f"payments confirmed: {expected}; paid at the simulator by the end, at "
            f"{DEXCHANGE_RATE} calls/minute: {sim.state.pay_calls}"
        )
    else:
        print(f"payments at the simulator: {sim.state.pay_calls} (expected {expected})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--purchases", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200, help="offered updates/s, paced run")
    parser.add_argument(
        "--cancel", action="store_true", help="cancel at the confirmation (no payments)"
    )
    parser.add_argument(
        "--dexchange-rate", type=int, default=0, help="DEXCHANGE calls/minute (0: no limit)"
    )
    args = parser.parse_args()
    quiet_collector()
    CANCEL_AT_CONFIRMATION = args.cancel
    DEXCHANGE_RATE = args.dexchange_rate
    asyncio.run(main(args.users, args.purchases, args.rate))
