"""WhatsApp webhook ingestion: signed webhook POSTs, one user message each, to the bot's
real HTTP server at WHATSAPP_WEBHOOK_PATH.

The bot runs as its own process (`python -m bot run`) with WhatsApp and Telegram enabled,
its Graph API the fake WhatsApp (fakes/whatsapp, Meta's paces on) and its Bot API the fake
Telegram, both in this process. The bodies are Meta's, built and signed before the clock
starts: N messages with distinct wamids from U users (a quarter known by number only, half
by number and BSUID, a quarter by BSUID alone), texts as customers type them, and a share
of redeliveries (the same bytes again, a few to a few hundred POSTs after the first, as
Meta resends when unsure). C keep-alive connections (bare HTTP/1.1 on asyncio streams:
this process shares the two cores with the bot, so it must cost little) POST them as fast
as the bot acknowledges, each timed from the write to the 200 (stored and committed).

Meanwhile the bot handles what it stored (marks it read, answers at WhatsApp's pace); with
`--statuses` the fake also posts the statuses of those answers (sent, delivered, each twice
and out of order) to the same webhook, as Meta does.

Afterwards the inbox is read from the bot's database: every distinct wamid must be there
exactly once (none lost, none twice), with no body set aside as unreadable.

    .venv/bin/python -m bench.whatsapp_ingest [--messages 10000] [--users 2000]
        [--duplicates 0.05] [--connections 32] [--statuses] [--py-spy FILE]

With `--py-spy FILE`, py-spy (when installed) samples the bot while the POSTs go, and
writes collapsed stacks to FILE.
"""

import argparse
import asyncio
import random
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import (
    SIM_KEY,
    TOKEN,
    RawHttpClient,
    bot_process,
    cpu_seconds,
    describe,
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
from fakes.whatsapp import SIGNATURE_HEADER, FakeWhatsApp, WaUser
from fakes.whatsapp.webhook import USER_AGENT, encode

PATH = "/whatsapp/webhook"
TEXTS = ("menu", "Bonjour", "solde", "aide", "Woyofal", "bonjour 🙏", "Menu", "historique")


@dataclass(frozen=True)
class Post:
    wamid: str
    sender: str  # the user's phone number
    body: bytes
    headers: str  # the extra header lines: Meta's signature and user agent


def people(wa: FakeWhatsApp, count: int) -> list[WaUser]:
    """Users as Meta shows them: by number only (from before BSUIDs), by number and BSUID,
    or by BSUID alone (a username, no visible number)."""
    users = []
    for n in range(count):
        phone = f"22177{1_000_000 + n:07d}"
        bsuid = None if n % 4 == 0 else f"SN.{7_000_000_000_000 + n}"
        users.append(wa.user(phone, f"Client {n}", bsuid=bsuid, with_number=n % 4 != 3))
    return users


def posts(wa: FakeWhatsApp, users: Sequence[WaUser], count: int, seed: int) -> list[Post]:
    """One signed notification a message, as the fake would post it, each wamid distinct."""
    rng = random.Random(seed)
    now = int(time.time())
    made = []
    for n in range(count):
        user = users[rng.randrange(len(users))]
        wamid = f"wamid.HBgM{user.phone}FQIAEhgg{n:020X}{rng.getrandbits(40):010X}"
        message = {
            **user.sender(),
            "id": wamid,
            "timestamp": str(now),
            "type": "text",
            "text": {"body": rng.choice(TEXTS)},
        }
        body = encode(
            wa.business.notification([wa.business.messages_value([user.contact()], [message])])
        )
        headers = f"{SIGNATURE_HEADER}: {wa.sign(body)}\r\nUser-Agent: {USER_AGENT}\r\n"
        made.append(Post(wamid, user.phone, body, headers))
    return made


def with_redeliveries(first: list[Post], share: float, seed: int) -> list[Post]:
    """The posts in order, with `share` of them posted again a little later (1 to 300 posts
    on: some while the first is still in flight, most after its 200)."""
    rng = random.Random(seed + 1)
    keyed = [(float(n), post) for n, post in enumerate(first)]
    for n in rng.sample(range(len(first)), round(len(first) * share)):
        keyed.append((n + rng.randint(1, 300) + 0.5, first[n]))
    keyed.sort(key=lambda item: item[0])
    return [post for _, post in keyed]


def inbox_counts(database: str) -> tuple[Counter[str], int, int]:
    """(times each wamid is in the inbox, bodies set aside as unreadable, WhatsApp users)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        stored = Counter(
            {
                wamid: count
                for wamid, count in db.execute(
                    "SELECT message_id, count(*) FROM inbox WHERE channel = 'whatsapp'"
                    " GROUP BY message_id"
                )
            }
        )
        rejects = db.execute("SELECT count(*) FROM webhook_rejects").fetchone()[0]
        users = db.execute("SELECT count(*) FROM users WHERE channel = 'whatsapp'").fetchone()[0]
    return stored, rejects, users


async def main(
    messages: int,
    users: int,
    duplicates: float,
    connections: int,
    statuses: bool,
    seed: int,
    profile: str | None,
) -> None:
    folder = workdir()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    async with (
        FakeTelegram(token=TOKEN, record_calls=False) as tg,
        LoopbackServer(sim.app) as sim_server,
        FakeWhatsApp(templates=by_name(), record_calls=False) as wa,
    ):
        senders = people(wa, users)
        first = posts(wa, senders, messages, seed)
        order = with_redeliveries(first, duplicates, seed)
        bot = bot_process(folder, tg.base_url, sim_server.url, **whatsapp_env(wa))
        await bot.start()
        if statuses:
            wa.set_webhook(f"http://127.0.0.1:{bot.port}{PATH}")
        try:
            queue = iter(order)
            latencies: list[float] = []
            answers: Counter[int] = Counter()

            async def client() -> None:
                http = RawHttpClient("127.0.0.1", bot.port)
                await http.connect()
                for post in queue:  # shared: each post is taken by one client
                    started = time.perf_counter()
                    status = await http.post(PATH, post.body, post.headers)
                    latencies.append((time.perf_counter() - started) * 1000)
                    answers[status] += 1
                await http.close()

            assert bot.process is not None
            spy = sampler(bot.process.pid, profile) if profile else None
            cpu_before = cpu_seconds(bot.process.pid)
            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(connections)))
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(bot.process.pid) - cpu_before
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            answered = len(wa.sent)
            stored, rejects, known = inbox_counts(str(folder / "bench.sqlite3"))
        finally:
            await bot.stop()
    distinct = {post.wamid for post in first}
    lost = len(distinct - stored.keys())
    twice = sum(count - 1 for count in stored.values() if count > 1)
    strangers = len(stored.keys() - distinct)
    acks = answers[200]
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"{len(order)} webhook POSTs ({messages} messages from {users} users, "
        f"{len(order) - messages} redeliveries) over {connections} connections in "
        f"{elapsed:.2f} s = {acks / elapsed:.0f} acks/s; answers {dict(answers)}"
        + ("; the fake posting statuses too" if statuses else "")
    )
    print(f"POST -> 200: {describe(latencies)}")
    print(
        f"bot process CPU: {cpu:.2f} s = {cpu / len(order) * 1000:.2f} ms per POST "
        f"({cpu / elapsed * 100:.0f} % of one core); answers sent meanwhile: {answered}"
    )
    print(
        f"inbox: {len(stored)} wamids stored of {len(distinct)} distinct; lost: {lost}; "
        f"stored twice: {twice}; unknown: {strangers}; unreadable bodies: {rejects}; "
        f"WhatsApp users: {known} of {len({post.sender for post in first})} who wrote"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--duplicates", type=float, default=0.05, help="share redelivered")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--statuses", action="store_true", help="the fake posts statuses too")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--py-spy", dest="profile", help="collapsed stacks of the bot here")
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(
        main(
            args.messages,
            args.users,
            args.duplicates,
            args.connections,
            args.statuses,
            args.seed,
            args.profile,
        )
    )
