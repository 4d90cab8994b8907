"""A callback's work without HTTP: `CallbackService.apply` called directly.

The signature check, the body's parsing, and the transaction that stores the raw callback,
moves the payment to SUCCESS and queues the code, committed in groups as in the bot. N
payments wait in PROCESSING in a real SQLite file; 32 tasks apply their callbacks
concurrently in this one process. CPU per callback is what the bot's event loop spends on
each besides HTTP (compare `bench.callbacks`, which adds uvicorn, Starlette and the
notifier). Several rounds, each on a fresh database, because the machine's speed drifts.

    .venv/bin/python -m bench.callback_transaction [--callbacks 5000] [--rounds 3]
"""

import argparse
import asyncio
import time
from decimal import Decimal

from bench.callbacks import prepare, success_body
from bench.common import SECRET, git_revision, machine, quiet_collector, workdir
from bot.dexchange.client import DexchangeClient
from bot.services import callback_urls
from bot.services.callbacks import CallbackService, CallbackVerdict
from bot.services.payments import PaymentService
from storage import Storage

TASKS = 32


async def one_round(count: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per callback."""
    storage = Storage(workdir() / "bench.sqlite3")
    await storage.open()
    client = DexchangeClient(api_key="unused", base_url="http://127.0.0.1:9")  # never called
    try:
        service = PaymentService(
            storage,
            client,
            fee_percent=Decimal(1),
            public_base_url="http://127.0.0.1",
            callback_secret=SECRET,
        )
        callbacks = CallbackService(service, SECRET)
        calls = [
            (
                external_id,
                callback_urls.signature(SECRET, external_id),
                success_body(external_id, transaction_id, amount),
            )
            for external_id, transaction_id, amount in await prepare(storage, count, 500)
        ]

        async def apply(share: list[tuple[str, str, bytes]]) -> None:
            for external_id, signature, raw in share:
                verdict = await callbacks.apply(external_id, signature, raw)
                if verdict is not CallbackVerdict.APPLIED:
                    raise RuntimeError(f"callback for {external_id}: {verdict}")

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(apply(calls[n::TASKS]) for n in range(TASKS)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await client.aclose()
        await storage.close()
    return cpu / count * 1e6, wall / count * 1e6


async def main(count: int, rounds: int) -> None:
    print(f"machine: {machine()}; revision {git_revision()}")
    for _ in range(rounds):
        cpu, wall = await one_round(count)
        print(
            f"{count} callbacks applied by {TASKS} tasks: {cpu:.0f} µs of CPU per callback "
            f"({1e6 / wall:.0f} callbacks/s)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(main(args.callbacks, args.rounds))
