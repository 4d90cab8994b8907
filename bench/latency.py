"""Callback-to-send latency: at a steady rate of DEXCHANGE callbacks, the time from the
callback's POST to the code's sendMessage reaching (the fake) Telegram.

N payments of N different users wait in PROCESSING; this process POSTs one SUCCESS
callback every 1/rate seconds to the bot's HTTP server (python -m bot run, default pacing
of 30 messages/s) and the fake Bot API notes when each user's code arrives.

    .venv/bin/python -m bench.latency [--rate 20] [--seconds 30]
"""

import argparse
import asyncio
import json

from bench.callbacks import prepare
from bench.common import (
    SECRET,
    SIM_KEY,
    TOKEN,
    RawHttpClient,
    bot_process,
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


async def main(rate: float, seconds: float) -> None:
    count = int(rate * seconds)
    folder = workdir()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    async with FakeTelegram(token=TOKEN) as tg, LoopbackServer(sim.app) as sim_server:
        for n in range(count):
            tg.user(50_000 + n, f"U{n}")
        tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        bot = bot_process(folder, tg.base_url, sim_server.url)
        await bot.start()
        loop = asyncio.get_running_loop()
        try:
            storage = Storage(folder / "bench.sqlite3")
            await storage.open()
            prepared = await prepare(storage, count, users=count)
            await storage.close()
            posted: dict[int, float] = {}  # chat id -> when its callback was posted
            clients = [RawHttpClient("127.0.0.1", bot.port) for _ in range(8)]
            for client in clients:
                await client.connect()
            free: asyncio.Queue[RawHttpClient] = asyncio.Queue()
            for client in clients:
                free.put_nowait(client)

            async def post(n: int) -> None:
                external_id, transaction_id, amount = prepared[n]
                body = json.dumps(
                    {
                        "id": transaction_id,
                        "externalTransactionId": external_id,
                        "AMOUNT": amount,
                        "STATUS": "SUCCESS",
                        "TOKEN": f"{amount:020d}",
                    }
                ).encode()
                client = await free.get()
                posted[50_000 + n] = loop.time()
                status = await client.post(
                    callback_urls.callback_url("", SECRET, external_id), body
                )
                free.put_nowait(client)
                assert status == 200, status

            start = loop.time()
            tasks = []
            for n in range(count):
                await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
                tasks.append(asyncio.create_task(post(n)))
            await asyncio.gather(*tasks)
            deadline = loop.time() + 30
            while len([c for c in tg.calls_to("sendMessage") if c.ok]) < count:
                if loop.time() > deadline:
                    break
                await asyncio.sleep(0.2)
            for client in clients:
                await client.close()
        finally:
            await bot.stop()
    latencies = [
        (call.time - posted[int(call.params["chat_id"])]) * 1000
        for call in tg.calls_to("sendMessage")
        if call.ok and int(call.params["chat_id"]) in posted
    ]
    print(f"machine: {machine()}; revision {git_revision()}")
    print(
        f"{count} callbacks at {rate:g}/s over {seconds:g} s; codes delivered: "
        f"{len(latencies)}; 429 answers: {tg.count_429} {tg.refusals}"
    )
    print(f"callback POST -> sendMessage at Telegram: {describe(latencies)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    quiet_collector()
    asyncio.run(main(args.rate, args.seconds))
