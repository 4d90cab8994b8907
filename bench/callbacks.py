"""Callback ingestion: DEXCHANGE callbacks POSTed to the bot's real HTTP server.

The bot runs as its own process (`python -m bot run`); N payments wait in PROCESSING in its
database; this process POSTs their SUCCESS callbacks over loopback HTTP from C keep-alive
connections and times each one until the 2xx (stored, applied, committed). The notifier
meanwhile sends the codes to the fake Telegram, within Telegram's limits.

    .venv/bin/python -m bench.callbacks [--callbacks 5000] [--connections 32]
"""

import argparse
import asyncio
import json
import time

from bench.common import (
    SECRET,
    SIM_KEY,
    TOKEN,
    RawHttpClient,
    bot_process,
    cpu_seconds,
    describe,
    git_revision,
    machine,
    quiet_collector,
    workdir,
)
from bot.services import callback_urls
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.telegram import FakeTelegram
from storage import Storage
from storage.models import NewPayment, PaymentStatus, ProviderUpdate, Service

S = PaymentStatus


async def prepare(storage: Storage, count: int, users: int) -> list[tuple[str, str, int]]:
    """Payments in PROCESSING, as after DEXCHANGE's first answer: (external id, tx id, amount)."""
    far = storage.clock().replace(year=2099)
    prepared = []
    async with storage.transaction() as tx:
        people = [
            await tx.users.upsert("telegram", str(50_000 + n), str(50_000 + n))
            for n in range(users)
        ]
        for n in range(count):
            payment, _ = await tx.payments.create(
                NewPayment(
                    user_id=people[n % users].id,
                    idempotency_key=f"bench-{n}",
                    service=Service.WOYOFAL,
                    reference="07061270877",
                    amount=1000 + n,
                    fee=10,
                    external_id=f"BENCH{n:08d}",
                )
            )
            await tx.payments.transition(payment.id, S.SUBMITTED, "bench")
            await tx.payments.transition(
                payment.id,
                S.PROCESSING,
                "bench",
                ProviderUpdate(S.PROCESSING, provider_tx_id=f"TID{n:09d}"),
                next_check_at=far,  # the reconciler leaves them to the callbacks
            )
            prepared.append((payment.external_id, f"TID{n:09d}", payment.amount))
    return prepared


def success_body(external_id: str, transaction_id: str, amount: int) -> bytes:
    """DEXCHANGE's SUCCESS callback for a prepared payment, its code made of the amount."""
    body = {
        "id": transaction_id,
        "externalTransactionId": external_id,
        "AMOUNT": amount,
        "FEE": 10,
        "STATUS": "SUCCESS",
        "TOKEN": f"{amount:020d}",
    }
    return json.dumps(body).encode()


async def main(count: int, connections: int, users: int) -> None:
    folder = workdir()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY, rate_per_minute=None))
    async with (
        FakeTelegram(token=TOKEN, record_calls=False) as tg,
        LoopbackServer(sim.app) as sim_server,
    ):
        for n in range(users):
            tg.user(50_000 + n, f"U{n}")
        tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        bot = bot_process(folder, tg.base_url, sim_server.url)
        await bot.start()
        try:
            storage = Storage(folder / "bench.sqlite3")
            await storage.open()
            prepared = await prepare(storage, count, users)
            queue: asyncio.Queue[tuple[str, str, int]] = asyncio.Queue()
            for item in prepared:
                queue.put_nowait(item)
            latencies: list[float] = []
            statuses: dict[int, int] = {}

            async def worker() -> None:
                client = RawHttpClient("127.0.0.1", bot.port)
                await client.connect()
                while not queue.empty():
                    external_id, transaction_id, amount = queue.get_nowait()
                    body = success_body(external_id, transaction_id, amount)
                    path = callback_urls.callback_url("", SECRET, external_id)
                    started = time.perf_counter()
                    status = await client.post(path, body)
                    latencies.append((time.perf_counter() - started) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
                await client.close()

            assert bot.process is not None
            cpu_before = cpu_seconds(bot.process.pid)
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(bot.process.pid) - cpu_before
            rows = await storage.read.payments.count_by_service_status()
            await storage.close()
        finally:
            await bot.stop()
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"{count} callbacks over {connections} connections in {elapsed:.2f} s = "
        f"{count / elapsed:.0f} callbacks/s; answers {statuses}"
    )
    print(f"POST -> 2xx: {describe(latencies)}")
    print(
        f"bot process CPU: {cpu:.2f} s = {cpu / count * 1000:.2f} ms per callback "
        f"({cpu / elapsed * 100:.0f} % of one core); "
        f"429 answers from the fake: {tg.count_429} {tg.refusals}"
    )
    print(f"payments by status afterwards: {sorted(rows)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(main(args.callbacks, args.connections, args.users))
