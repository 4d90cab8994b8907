"""The HTTP layer alone: CPU per request of uvicorn + Starlette (uvloop, as in the bot) with
one POST route served three ways — a Request/JSONResponse function, a bare ASGI endpoint
behind Starlette's router (`bot/web/app.CallbackEndpoint`), and the same endpoint handed
the request ahead of Starlette (`bot/web/app.CallbacksFirst`, as the bot serves callbacks).
Nothing behind any of them.

The server runs as its own process; this process POSTs over loopback keep-alive connections.

    .venv/bin/python -m bench.http_layer [--requests 20000] [--connections 32]
"""

import argparse
import asyncio
import socket
import sys
import time

from bench.common import RawHttpClient, cpu_seconds, describe, git_revision, machine
from bot.services.callback_urls import CALLBACK_PATH

SERVER = r"""
import asyncio, sys
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from bot.services.callback_urls import CALLBACK_PATH
from bot.web.app import CallbacksFirst
from bot.web.server import LoopbackServer

ANSWER = b'{"ok":true}'

async def function_endpoint(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"ok": True})

class AsgiEndpoint:
    async def __call__(self, scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": ANSWER})

endpoint = function_endpoint if sys.argv[1] == "function" else AsgiEndpoint()
path = CALLBACK_PATH + "/{external_id:str}/{signature:str}"
app = Starlette(routes=[Route(path, endpoint, methods=["POST"])])
if sys.argv[1] == "ahead":
    app = CallbacksFirst(app, endpoint)

async def main() -> None:
    async with LoopbackServer(app, port=int(sys.argv[2])):
        await asyncio.Event().wait()

uvloop.run(main())
"""

PATH = CALLBACK_PATH + "/BENCH00000001/signature"
BODY = (
    b'{"id":"TID000000001","externalTransactionId":"BENCH00000001",'
    b'"AMOUNT":1000,"STATUS":"SUCCESS"}'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def measure(kind: str, requests: int, connections: int) -> None:
    port = free_port()
    server = await asyncio.create_subprocess_exec(sys.executable, "-c", SERVER, kind, str(port))
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        left = requests
        latencies: list[float] = []

        async def worker() -> None:
            nonlocal left
            client = RawHttpClient("127.0.0.1", port)
            await client.connect()
            while left > 0:
                left -= 1
                started = time.perf_counter()
                await client.post(PATH, BODY)
                latencies.append((time.perf_counter() - started) * 1000)
            await client.close()

        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        server.kill()
        await server.wait()
    print(
        f"{kind + ' endpoint:':19} {requests / elapsed:6.0f} requests/s, server CPU "
        f"{cpu / requests * 1e6:4.0f} µs per request; {describe(latencies)}"
    )


async def main(requests: int, connections: int, rounds: int) -> None:
    print(f"machine: {machine()}; revision {git_revision()}")
    for _ in range(rounds):  # interleaved: the machine's speed drifts from one run to the next
        for kind in ("function", "asgi", "ahead"):
            await measure(kind, requests, connections)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.connections, args.rounds))
