"""WhatsApp delivery at Meta's paces, with Telegram's beside it: the outbox drained by the
real bot process (`python -m bot run`, WhatsApp and Telegram enabled, default pacing) to
the fake WhatsApp (fakes/whatsapp, enforcing 80 messages/s for the number — 130429 beyond —
and each recipient's pace, 3 at once then one every 6 s — 131056 beyond) and to the fake
Telegram (30/s overall, 1/s per chat).

Everything is queued in the bot's database before it starts:
- phase 1: T notices to Telegram chats, due at once: Telegram's pace alone;
- phase 2, held back until phase 1 is delivered and then released in one UPDATE: T more
  Telegram notices, M notices to each of R WhatsApp recipients (inside their 24-hour
  window: free text; a quarter known by number only, half by number and BSUID, a quarter
  by BSUID alone), and A Woyofal results (code, buttons) to one agent.
The fake posts the statuses of what it accepts to the bot's webhook (each twice, out of
order), as Meta does.

Prints the WhatsApp rate achieved (first to last accepted message to the R recipients) vs
WHATSAPP_MESSAGES_PER_SECOND, the 130429 and 131056 counts, the agent's pace, Telegram's
rate alone and beside WhatsApp, and anything lost or duplicated.

    .venv/bin/python -m bench.whatsapp_delivery [--recipients 500] [--per-recipient 4]
        [--agent-results 30] [--telegram 600] [--py-spy FILE]

With `--py-spy FILE`, py-spy (when installed) samples the bot during phase 2 and writes
collapsed stacks to FILE.
"""

import argparse
import asyncio
import gc
import itertools
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    SIM_KEY,
    TOKEN,
    bot_process,
    cpu_seconds,
    git_revision,
    machine,
    quiet_collector,
    sampler,
    whatsapp_env,
    workdir,
)
from bot.channels.whatsapp.templates import by_name
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.telegram import FakeTelegram
from fakes.whatsapp import ApiCall, FakeWhatsApp, WaUser
from storage import Storage
from storage.models import NewPayment, OutboxKind, PaymentStatus, ProviderUpdate, Role, Service
from storage.timefmt import to_db

S = PaymentStatus
PATH = "/whatsapp/webhook"
RATE = 80.0  # WHATSAPP_MESSAGES_PER_SECOND's default, which the bot runs with here
HELD = datetime(2099, 1, 1, tzinfo=UTC)  # phase 2, until released
TELEGRAM_BASE = 60_000
AGENT_PHONE = "221778888888"


def recipients(wa: FakeWhatsApp, count: int) -> list[WaUser]:
    """WhatsApp users as Meta shows them, each having written a moment ago (the window
    open: the notices go as free text)."""
    users = []
    for n in range(count):
        phone = f"22176{2_000_000 + n:07d}"
        bsuid = None if n % 4 == 0 else f"SN.{8_000_000_000_000 + n}"
        user = wa.user(phone, f"Client {n}", bsuid=bsuid, with_number=n % 4 != 3)
        user.last_inbound = wa.now()
        users.append(user)
    return users


async def queue(
    storage: Storage,
    wa_users: Sequence[WaUser],
    per_recipient: int,
    agent: WaUser,
    agent_results: int,
    telegram: int,
    chats: int,
) -> None:
    """Both phases' messages, phase 2 held back (HELD) until released."""
    now = storage.clock()
    async with storage.transaction() as tx:
        people = [
            await tx.users.upsert("telegram", str(TELEGRAM_BASE + n), str(TELEGRAM_BASE + n))
            for n in range(chats)
        ]
        for label, due in (("tg1", None), ("tg2", HELD)):
            for n in range(telegram):
                user_id = people[n % chats].id
                payload = {"text": f"{label} {n}"}
                await tx.outbox.add(user_id, OutboxKind.NOTICE, payload, not_before=due)
        ids = []
        for wa_user in wa_users:
            shown = wa_user.phone if wa_user.with_number else None
            row = await tx.users.upsert_identity(
                "whatsapp", wa_user.bsuid, shown, wa_user.name, now
            )
            ids.append(row.id)
        # Round the recipients, as a day's results and notices would come.
        for k in range(per_recipient):
            for n, user_id in enumerate(ids):
                text = f"wa {n}.{k}"
                await tx.outbox.add(user_id, OutboxKind.NOTICE, {"text": text}, not_before=HELD)
        row = await tx.users.upsert_identity("whatsapp", None, agent.phone, agent.name, now)
        await tx.users.set_role(row.id, Role.AGENT)
        for n in range(agent_results):
            payment, _ = await tx.payments.create(
                NewPayment(
                    user_id=row.id,
                    idempotency_key=f"bench-agent-{n}",
                    service=Service.WOYOFAL,
                    reference="07061270877",
                    amount=1000 + 100 * n,
                    fee=10,
                    external_id=f"BENCHWA{n:08d}",
                    client_label=f"Client {n + 1}",
                )
            )
            await tx.payments.transition(payment.id, S.SUBMITTED, "bench")
            await tx.payments.transition(payment.id, S.PROCESSING, "bench")
            code = f"{4000_0000_0000_0000_0000 + n:020d}"
            update = ProviderUpdate(S.SUCCESS, provider_tx_id=f"TIDWA{n:07d}", codes=[code])
            await tx.payments.transition(payment.id, S.SUCCESS, "bench", update)
            await tx.outbox.add(row.id, OutboxKind.SUCCESS, {}, payment.id, not_before=HELD)


def pending(database: Path) -> dict[str, int]:
    """Messages not yet delivered, by channel (phase 2's, held, included)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute(
            "SELECT u.channel, count(*) FROM outbox o JOIN users u ON u.id = o.user_id"
            " WHERE o.status = 'pending' GROUP BY u.channel"
        ).fetchall()
    return {channel: count for channel, count in rows}


def release(database: Path) -> None:
    """Phase 2: every held message due now (the bot's notifiers find them within a second)."""
    with sqlite3.connect(database, timeout=10) as db:
        db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at = ?",
            (to_db(datetime.now(UTC)), to_db(HELD)),
        )


async def drained(database: Path, channels: dict[str, int], stall: float = 30.0) -> None:
    """Until pending counts of `channels` fall to the given floors (or stop moving)."""
    loop = asyncio.get_running_loop()
    last, seen = loop.time(), None
    while True:
        await asyncio.sleep(1)
        counts = await asyncio.to_thread(pending, database)
        left = {name: counts.get(name, 0) for name in channels}
        if all(left[name] <= floor for name, floor in channels.items()):
            return
        if left != seen:
            last, seen = loop.time(), left
        elif loop.time() - last > stall:
            print(f"stalled with {left} pending")
            return


def rate(times: Sequence[float]) -> tuple[float, float]:
    """(messages a second from the first to the last, span in seconds)."""
    if len(times) < 2:
        return float("nan"), 0.0
    span = max(times) - min(times)
    return (len(times) - 1) / span, span


def telegram_line(label: str, times: list[float], texts: Counter[str], count: int) -> str:
    per_second, span = rate(times)
    lost = count - len(texts)
    twice = sum(n - 1 for n in texts.values())
    return (
        f"Telegram {label}: {len(times)} sent in {span:.1f} s = {per_second:.2f} msg/s; "
        f"lost {lost}, duplicated {twice}"
    )


def whatsapp_to(call: ApiCall) -> str:
    return str(call.body.get("to"))


async def main(
    recipients_count: int,
    per_recipient: int,
    agent_results: int,
    telegram: int,
    profile: str | None,
) -> None:
    folder = workdir()
    database = folder / "bench.sqlite3"
    chats = max(1, telegram // 2)
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    async with (
        FakeTelegram(token=TOKEN) as tg,
        LoopbackServer(sim.app) as sim_server,
        FakeWhatsApp(templates=by_name()) as wa,
    ):
        for n in range(chats):
            tg.user(TELEGRAM_BASE + n, f"U{n}")
        tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        wa_users = recipients(wa, recipients_count)
        agent = wa.user(AGENT_PHONE, "Ousmane")
        agent.last_inbound = wa.now()
        storage = Storage(database)
        await storage.open()
        await queue(storage, wa_users, per_recipient, agent, agent_results, telegram, chats)
        await storage.close()
        # The fakes keep every call, message and status: a collection of that young heap
        # stalled this loop 50-90 ms, which the fake Telegram then timed as late answers (the
        # bot's pacer waits for them: Telegram's pace fell 0.5-1 %) and bunched arrivals (a
        # 429). Nothing made here is cyclic garbage worth collecting within the run.
        gc.disable()
        bot = bot_process(folder, tg.base_url, sim_server.url, **whatsapp_env(wa))
        await bot.start()
        wa.set_webhook(f"http://127.0.0.1:{bot.port}{PATH}")
        assert bot.process is not None
        try:
            await drained(database, {"telegram": telegram})
            spy = sampler(bot.process.pid, profile) if profile else None
            cpu_before = cpu_seconds(bot.process.pid)
            started = time.perf_counter()
            await asyncio.to_thread(release, database)
            await drained(database, {"telegram": 0, "whatsapp": agent_results}, stall=60)
            cpu = cpu_seconds(bot.process.pid) - cpu_before
            wall = time.perf_counter() - started
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            await drained(database, {"whatsapp": 0}, stall=60)  # the agent's tail
            await asyncio.sleep(2)  # let a duplicate show itself
            await wa.wait_until_idle(timeout=30)
        finally:
            await bot.stop()
    sent = [c for c in tg.calls_to("sendMessage") if c.ok]
    texts = Counter(str(c.params.get("text")) for c in sent)
    accepted = [c for c in wa.calls_to("messages") if c.ok]
    to_many = [c.time for c in accepted if whatsapp_to(c) != AGENT_PHONE]
    to_agent = sorted(c.time for c in accepted if whatsapp_to(c) == AGENT_PHONE)
    wa_texts = Counter(
        str(c.body.get("text", {}).get("body")) for c in accepted if c.body.get("type") == "text"
    )
    notices = sum(1 for text in wa_texts if text.startswith("wa "))
    wa_twice = sum(n - 1 for n in wa_texts.values())
    achieved, span = rate(to_many)
    steady, _ = rate([t for t in to_many if t >= min(to_many, default=0) + 1])
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"WhatsApp: {len(to_many)} messages to {recipients_count} recipients "
        f"({per_recipient} each) in {span:.1f} s = {achieved:.1f} msg/s, "
        f"{achieved / RATE * 100:.0f} % of the configured {RATE:.0f}/s "
        f"(after the first second: {steady:.1f} msg/s, {steady / RATE * 100:.0f} %); "
        f"lost {recipients_count * per_recipient - notices}, duplicated {wa_twice}"
    )
    gaps = [b - a for a, b in itertools.pairwise(to_agent)]
    paced = gaps[2:]  # after the burst of 3
    print(
        f"agent: {len(to_agent)} messages for {agent_results} results in "
        f"{(to_agent[-1] - to_agent[0]) if len(to_agent) > 1 else 0:.1f} s; after the "
        f"burst one every {sum(paced) / max(1, len(paced)):.2f} s "
        f"(shortest {min(paced, default=float('nan')):.2f} s)"
    )
    print(
        f"130429: {wa.refused[130429]}, 131056: {wa.refused[131056]} (all refusals: "
        f"{dict(wa.refused)}); failed statuses: {dict(wa.failed)}; "
        f"status webhooks posted: {len(wa.webhook_attempts)}"
    )
    for label, name in (("tg1 ", "alone"), ("tg2 ", "beside WhatsApp")):
        times = [c.time for c in sent if str(c.params.get("text")).startswith(label)]
        mine = Counter({text: n for text, n in texts.items() if text.startswith(label)})
        print(telegram_line(name, times, mine, telegram))
    print(f"Telegram 429 answers: {tg.count_429}")
    print(
        f"bot process CPU while phase 2 went ({len(to_many)} + Telegram's {telegram}): "
        f"{cpu:.1f} s in {wall:.1f} s ({cpu / wall * 100:.0f} % of one core)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--per-recipient", type=int, default=4)
    parser.add_argument("--agent-results", type=int, default=30)
    parser.add_argument("--telegram", type=int, default=600, help="Telegram messages a phase")
    parser.add_argument("--py-spy", dest="profile", help="collapsed stacks of the bot here")
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(
        main(
            args.recipients,
            args.per_recipient,
            args.agent_results,
            args.telegram,
            args.profile,
        )
    )
