"""Scaling out: SQLite in one process against PostgreSQL with 1, 2 and 4 processes.

Each configuration runs real `python -m bot run` processes (Telegram in webhook mode, each
process on its own HTTP port, all on one DATABASE_URL), the load spread over them request
by request, round-robin, as a reverse proxy would. Two workloads per run, each on a fresh
database: the conversation (M users each sending /start, "woyofal", a meter and an amount as
Telegram webhook updates, each waiting for the bot's answer at the fake Telegram), then
callback ingestion (N payments in PROCESSING, their DEXCHANGE SUCCESS callbacks POSTed from
C keep-alive connections). The configurations run interleaved, in rounds, so that the
machine's drift hits them all alike; the median of the rounds is reported, with its ratio to
SQLite. CPU per request is read from /proc for the bot processes and for the PostgreSQL
server (a throwaway cluster this script starts with `.ci/postgres` and stops at the end),
and gives a projection of throughput on more cores.

    .venv/bin/python -m bench.scaleout [--rounds 3] [--users 100] [--callbacks 2000] [--quick]
"""

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.callbacks import prepare, success_body
from bench.common import (
    SECRET,
    SIM_KEY,
    TOKEN,
    RawHttpClient,
    cpu_seconds,
    git_revision,
    machine,
    percentile,
    quiet_collector,
    workdir,
)
from bot.services import callback_urls
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import CHECKOUT, BotProcess, free_port
from fakes.telegram import BotMessage, FakeTelegram
from storage import Storage
from storage.models import LedgerKind

CONFIGURATIONS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 4))
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
SECRET_HEADER = f"X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\n"
WEBHOOK_PATH = "/telegram/webhook"
PG_PORT = 55517  # a private server, never the shared test server's 55432
CORES = (8, 16)

# The conversation: what each user sends, and what the bot's answer must contain.
FLOW = (
    ("/start", "Que voulez-vous faire"),
    ("woyofal", "compteur Woyofal"),
    ("07061270877", "Quel montant"),
    ("5000", "Confirmez-vous"),
)
CONVERSATION_IDS = 10_000  # Telegram ids of the conversation's users; callbacks use 50 000+


Reading = tuple[float, float, float]  # CPU s so far: bot processes, server, this process


@dataclass
class Figures:
    """One workload of one run."""

    requests: int
    elapsed: float  # s, first request sent to last answered
    latencies: list[float]  # ms
    bot_cpu: float  # s, all the bot processes together
    server_cpu: float  # s, the PostgreSQL cluster (0 on SQLite)
    load_cpu: float  # s, this process: the load, the fake Telegram, the simulator
    errors: list[str] = field(default_factory=list)

    @classmethod
    def between(
        cls,
        requests: int,
        elapsed: float,
        latencies: list[float],
        before: "Reading",
        after: "Reading",
        errors: list[str],
    ) -> "Figures":
        used = [end - start for start, end in zip(before, after, strict=True)]
        return cls(requests, elapsed, latencies, used[0], used[1], used[2], errors)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed

    @property
    def bot_ms(self) -> float:
        return self.bot_cpu / self.requests * 1000

    @property
    def server_ms(self) -> float:
        return self.server_cpu / self.requests * 1000

    @property
    def load_ms(self) -> float:
        return self.load_cpu / self.requests * 1000


# --- the PostgreSQL server --------------------------------------------------------------


def process_cpu(pid: int, children: bool = False) -> float:
    """User + system CPU of a process; with `children`, plus that of its children that
    have exited and were waited for (a PostgreSQL backend's, once its connection closed)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


class PostgresServer:
    """A throwaway cluster (`.ci/postgres`): fsync off, trust authentication, loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="senpay-scaleout-pg-"))
        self.url = ""
        self._databases = itertools.count(1)

    def start(self) -> None:
        script = str(CHECKOUT / ".ci" / "postgres")
        command = [script, "start", str(self.directory), str(self.port)]
        self.url = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        self.url = self.url.strip()

    def stop(self) -> None:
        subprocess.run([str(CHECKOUT / ".ci" / "postgres"), "stop", str(self.directory)])

    @property
    def postmaster(self) -> int:
        return int((self.directory / "data" / "postmaster.pid").read_text().split()[0])

    def cpu(self) -> float:
        """CPU of the whole cluster so far: the postmaster, its live children (backends,
        writer, WAL writer...) and those that exited."""
        root = self.postmaster
        total = process_cpu(root, children=True)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile; its CPU is now in the postmaster's children
            if int(stat.rsplit(")", 1)[1].split()[1]) == root:
                total += process_cpu(int(entry.name))
        return total

    async def create_database(self) -> str:
        name = f"scaleout_{next(self._databases)}"
        connection = await asyncpg.connect(self.url)
        try:
            await connection.execute(f"CREATE DATABASE {name}")
        finally:
            await connection.close()
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    async def drop_database(self, url: str) -> None:
        connection = await asyncpg.connect(self.url)
        try:
            await connection.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")
        finally:
            await connection.close()


# --- one run: N processes on one database ------------------------------------------------


def bot_env(database_url: str, tg_url: str, sim_url: str, port: int) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": tg_url,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Answers and codes go out at once: the bot's work is measured, not Telegram's pace.
        "TELEGRAM_MESSAGES_PER_SECOND": "0",
        "TELEGRAM_CHAT_MESSAGES_PER_SECOND": "0",
        "DEXCHANGE_API_KEY": SIM_KEY,
        "DEXCHANGE_BASE_URL": sim_url,
        "DEXCHANGE_RATE_PER_MINUTE": "1000000",
        "CALLBACK_SECRET": SECRET,
        "DATABASE_URL": database_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DAILY_REPORT_HOUR": "",
        "LOG_LEVEL": "WARNING",
    }


class Replies:
    """The bot's messages as they reach the fake Telegram: the next one of a chat awaited
    with the time it arrived, and a count of all of them."""

    def __init__(self, tg: FakeTelegram) -> None:
        self._loop = asyncio.get_running_loop()
        self._waiting: dict[int, asyncio.Future[tuple[float, str]]] = {}
        self.sent = 0
        self._counted = asyncio.Event()
        self._target = 0
        tg.on_bot_message(self._observe)

    def _observe(self, message: BotMessage, event: str) -> None:
        if event != "sent":
            return
        self.sent += 1
        if self._target and self.sent >= self._target:
            self._counted.set()
        future = self._waiting.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result((self._loop.time(), message.text or ""))

    def expect(self, chat_id: int) -> asyncio.Future[tuple[float, str]]:
        future: asyncio.Future[tuple[float, str]] = self._loop.create_future()
        self._waiting[chat_id] = future
        return future

    async def until_sent(self, count: int, timeout: float) -> bool:
        self._target = count
        if self.sent >= count:
            return True
        self._counted.clear()
        try:
            await asyncio.wait_for(self._counted.wait(), timeout)
        except TimeoutError:
            return False
        return True


class RoundRobin:
    """Keep-alive connections to every process; each request goes to the next process,
    as a reverse proxy would spread them."""

    turn = itertools.count()

    def __init__(self, ports: list[int]) -> None:
        self.clients = [RawHttpClient("127.0.0.1", port) for port in ports]

    async def connect(self) -> None:
        await asyncio.gather(*(client.connect() for client in self.clients))

    def next(self) -> RawHttpClient:
        return self.clients[next(self.turn) % len(self.clients)]

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


def text_update(update_id: int, chat_id: int, text: str) -> bytes:
    """A private text message as Telegram posts it to a webhook."""
    person = {"id": chat_id, "is_bot": False, "first_name": f"U{chat_id}", "language_code": "fr"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": person,
        "chat": {"id": chat_id, "type": "private", "first_name": person["first_name"]},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text), "type": "bot_command"}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


class Meter:
    """CPU of the bot processes and of the server around a measured workload."""

    def __init__(self, pids: list[int], server: PostgresServer | None) -> None:
        self.pids = pids
        self.server = server

    def read(self) -> "Reading":
        bots = sum(cpu_seconds(pid) for pid in self.pids)
        return bots, self.server.cpu() if self.server else 0.0, cpu_seconds(os.getpid())


IDLE_SECONDS = 2.0


async def idle_load(meter: Meter) -> Figures:
    """What the processes and the server burn doing nothing (leader's lock, pollers): a
    floor under every per-request figure, larger with more processes."""
    before = meter.read()
    await asyncio.sleep(IDLE_SECONDS)
    after = meter.read()
    return Figures.between(1, IDLE_SECONDS, [0.0], before, after, [])


async def conversation(
    tg: FakeTelegram, ports: list[int], meter: Meter, users: int, storage: Storage
) -> Figures:
    replies = Replies(tg)
    ids = [CONVERSATION_IDS + n for n in range(users)]
    async with storage.transaction() as tx:  # credit, as an admin would: the amount step checks it
        for telegram_id in ids:
            tg.user(telegram_id, f"U{telegram_id}")
            user = await tx.users.ensure("telegram", str(telegram_id))
            await tx.ledger.add(user.id, LedgerKind.CREDIT, 10**7, actor="bench", note="setup")
    latencies: list[float] = []
    errors: list[str] = []
    update_ids = itertools.count(1_000_000)
    loop = asyncio.get_running_loop()

    async def walk(chat_id: int) -> None:
        proxy = RoundRobin(ports)
        await proxy.connect()
        for text, expected in FLOW:
            reply = replies.expect(chat_id)
            body = text_update(next(update_ids), chat_id, text)
            sent = loop.time()
            status = await proxy.next().post(WEBHOOK_PATH, body, SECRET_HEADER)
            if status != 200:
                errors.append(f"webhook answered {status}")
            try:
                arrived, answer = await asyncio.wait_for(reply, 30)
            except TimeoutError:
                errors.append(f"no answer to {text!r} for {chat_id}")
                break
            latencies.append((arrived - sent) * 1000)
            if expected not in answer:
                errors.append(f"{text!r} answered {answer[:60]!r}")
                break
        await proxy.close()

    before = meter.read()
    started = time.perf_counter()
    await asyncio.gather(*(walk(chat_id) for chat_id in ids))
    elapsed = time.perf_counter() - started
    after = meter.read()
    return Figures.between(len(latencies), elapsed, latencies, before, after, errors)


async def callbacks(
    tg: FakeTelegram, ports: list[int], meter: Meter, count: int, connections: int, url: str
) -> Figures:
    users = min(count, 500)
    for n in range(users):
        tg.user(50_000 + n, f"U{n}")
    storage = Storage(url)
    await storage.open()
    try:
        prepared = await prepare(storage, count, users)
    finally:
        await storage.close()
    replies = Replies(tg)
    queue = list(reversed(prepared))
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        proxy = RoundRobin(ports)
        await proxy.connect()
        while queue:
            external_id, transaction_id, amount = queue.pop()
            body = success_body(external_id, transaction_id, amount)
            path = callback_urls.callback_url("", SECRET, external_id)
            started = time.perf_counter()
            status = await proxy.next().post(path, body)
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= status < 300:
                errors.append(f"callback answered {status}")
        await proxy.close()

    before = meter.read()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    # The CPU a callback costs includes sending its code to the user: counted until the
    # last code reached the fake Telegram.
    if not await replies.until_sent(count, timeout=120):
        errors.append(f"only {replies.sent} codes sent of {count}")
    after = meter.read()
    return Figures.between(count, elapsed, latencies, before, after, errors)


async def one_run(
    backend: str,
    processes: int,
    server: PostgresServer | None,
    sim_url: str,
    args: argparse.Namespace,
) -> dict[str, Figures]:
    folder = workdir()
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        assert server is not None
        url = await server.create_database()
    async with FakeTelegram(token=TOKEN, record_calls=False) as tg:
        bots = [
            BotProcess(folder, bot_env(url, tg.base_url, sim_url, free_port()), f"bot-{n}")
            for n in range(processes)
        ]
        try:
            # One after the other: the first migrates the new database.
            for bot in bots:
                await bot.start()
            await asyncio.sleep(1)  # the leader elected, every process idle
            pids = [bot.process.pid for bot in bots if bot.process is not None]
            meter = Meter(pids, server if backend == "postgresql" else None)
            idle = await idle_load(meter)
            ports = [bot.port for bot in bots]
            storage = Storage(url)
            await storage.open()
            try:
                talk = await conversation(tg, ports, meter, args.users, storage)
            finally:
                await storage.close()
            paid = await callbacks(tg, ports, meter, args.callbacks, args.connections, url)
        finally:
            await asyncio.gather(*(bot.stop() for bot in bots))
    if server is not None and backend == "postgresql":
        await server.drop_database(url)
    return {"conversation": talk, "callbacks": paid, "idle": idle}


# --- the report -------------------------------------------------------------------------


def label(backend: str, processes: int) -> str:
    return f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'} x{processes}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(results: dict[tuple[str, int], list[dict[str, Figures]]], rounds: int) -> None:
    units = {"conversation": "updates/s", "callbacks": "callbacks/s"}
    for workload, unit in units.items():
        base = median([run[workload].rate for run in results[CONFIGURATIONS[0]]])
        print(f"\n{workload} (median of {rounds} rounds; [min-max] of the throughput):")
        print(
            f"  {'configuration':<15} {unit:>12} {'vs SQLite':>9} {'range':>13} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'bot CPU ms':>10} {'server ms':>9} {'load ms':>7} "
            + " ".join(f"{f'{c} cores*':>9}" for c in CORES)
        )
        for configuration in CONFIGURATIONS:
            runs = [run[workload] for run in results[configuration]]
            rates = [figures.rate for figures in runs]
            rate = median(rates)
            bot_ms = median([figures.bot_ms for figures in runs])
            server_ms = median([figures.server_ms for figures in runs])
            load_ms = median([figures.load_ms for figures in runs])
            p50 = median([percentile(figures.latencies, 50) for figures in runs])
            p99 = median([percentile(figures.latencies, 99) for figures in runs])
            if configuration[0] == "sqlite":
                # One process, one event loop: it cannot use more than one core.
                projected = [1000 / bot_ms for _ in CORES]
            else:
                projected = [cores * 1000 / (bot_ms + server_ms) for cores in CORES]
            spread = f"[{min(rates):.0f}-{max(rates):.0f}]"
            print(
                f"  {label(*configuration):<15} {rate:>12.0f} {rate / base:>8.2f}x {spread:>13} "
                f"{p50:>7.1f} {p99:>7.1f} {bot_ms:>10.2f} {server_ms:>9.2f} {load_ms:>7.2f} "
                + " ".join(f"{value:>9.0f}" for value in projected)
            )
            errors = [error for figures in runs for error in figures.errors]
            if errors:
                print(f"    {len(errors)} errors, e.g. {errors[:3]}")
    print("\nidle, before the load (% of one core; median):")
    for configuration in CONFIGURATIONS:
        runs = [run["idle"] for run in results[configuration]]
        bots = median([figures.bot_cpu / figures.elapsed * 100 for figures in runs])
        server = median([figures.server_cpu / figures.elapsed * 100 for figures in runs])
        print(f"  {label(*configuration):<15} bot processes {bots:5.1f} %, server {server:5.1f} %")
    print(
        "\nCPU ms per request: the bot processes together, the PostgreSQL cluster, and this"
        " process\n(load, fake Telegram, simulator), all on the same cores."
    )
    print(
        "\n* projection, not a measurement: cores / (bot CPU + server CPU per request), as if"
        " processes and server\n  spread over every core without contention; SQLite: one"
        " process uses one core at most (1000 / bot CPU ms)."
    )


async def main(args: argparse.Namespace) -> None:
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY, rate_per_minute=None))
    server = PostgresServer(args.pg_port)
    server.start()
    results: dict[tuple[str, int], list[dict[str, Figures]]] = {c: [] for c in CONFIGURATIONS}
    load = os.getloadavg()
    try:
        async with LoopbackServer(sim.app) as sim_server:
            for number in range(1, args.rounds + 1):
                for configuration in CONFIGURATIONS:
                    run = await one_run(*configuration, server, sim_server.url, args)
                    results[configuration].append(run)
                    talk, paid = run["conversation"], run["callbacks"]
                    print(
                        f"round {number} {label(*configuration):<15} "
                        f"conversation {talk.rate:6.0f} updates/s "
                        f"p99 {percentile(talk.latencies, 99):6.1f} ms | "
                        f"callbacks {paid.rate:6.0f}/s "
                        f"p99 {percentile(paid.latencies, 99):6.1f} ms",
                        flush=True,
                    )
    finally:
        server.stop()
    print(f"\nmachine: {machine()}; revision {git_revision()}")
    print(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"conversation: {args.users} users x {len(FLOW)} webhook updates, no pause; "
        f"callbacks: {args.callbacks} over {args.connections} connections"
    )
    report(results, args.rounds)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=100, help="conversation: users at once")
    parser.add_argument("--callbacks", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32, help="callbacks: connections")
    parser.add_argument("--pg-port", type=int, default=PG_PORT)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round, small loads")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.users, args.callbacks, args.connections = 1, 10, 100, 8
    return args


if __name__ == "__main__":
    quiet_collector()
    asyncio.run(main(arguments()))
