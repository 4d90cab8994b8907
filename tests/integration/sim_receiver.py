"""The DEXCHANGE simulator served over loopback for the simulator's own tests, and the
bot's side of its callbacks: one receiver, an inbox (a callback path) per test
(test_simulator.py, test_simulator_collections.py)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.simulator import Simulator, SimulatorConfig
from bot.simulator.notify import Changed
from bot.web.server import LoopbackServer

KEY = "sim-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
INITIAL = 5_000_000  # the simulated DEXCHANGE account's opening balance

Factory = Callable[..., Awaitable[tuple[Simulator, httpx.AsyncClient]]]


class Inbox:
    """One test's callback URL on the shared receiver: its own bodies and failures."""

    def __init__(self, receiver: "Receiver", key: str) -> None:
        self.receiver = receiver
        self.key = key
        self.bodies: list[dict[str, Any]] = []
        self.fail_next = 0  # answer 500 to this many callbacks first
        self.changed = Changed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.receiver.port}/cb/{self.key}"

    async def wait_for(self, n: int) -> None:
        async with asyncio.timeout(5):
            while len(self.bodies) < n:
                await self.changed.wait()

    async def stop(self) -> None:
        await self.receiver.stop()

    async def start(self) -> None:
        await self.receiver.start()


class Receiver:
    """The bot's side of the callbacks, one path per test so that a simulator still
    shutting down in the background cannot write into the next test's inbox."""

    def __init__(self) -> None:
        self.inboxes: dict[str, Inbox] = {}
        self.app = Starlette(routes=[Route("/cb/{key}", self._cb, methods=["POST"])])
        self.server: LoopbackServer | None = None
        self.port = 0

    async def _cb(self, request: Request) -> Response:
        inbox = self.inboxes[request.path_params["key"]]
        if inbox.fail_next > 0:
            inbox.fail_next -= 1
            return JSONResponse({"error": "boom"}, status_code=500)
        inbox.bodies.append(await request.json())
        inbox.changed.notify()
        return JSONResponse({"ok": True})

    def inbox(self) -> Inbox:
        inbox = Inbox(self, str(len(self.inboxes)))
        self.inboxes[inbox.key] = inbox
        return inbox

    async def start(self) -> None:
        self.server = LoopbackServer(self.app, port=self.port)
        await self.server.start()
        self.port = self.server.port

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


@contextlib.asynccontextmanager
async def simulators(
    stops: list[asyncio.Task[None]], fast: dict[str, Any]
) -> AsyncIterator[Factory]:
    """Make simulators (config `fast` and the test's overrides), each served on loopback
    with a client that holds the key; their servers are stopped in the background, in
    `stops` (stopping one takes ~0.2 s)."""
    servers: list[LoopbackServer] = []
    async with contextlib.AsyncExitStack() as clients:

        async def make(**overrides: Any) -> tuple[Simulator, httpx.AsyncClient]:
            sim = Simulator(SimulatorConfig(**{**fast, **overrides}))
            server = LoopbackServer(sim.app)
            await server.start()
            servers.append(server)
            client = await clients.enter_async_context(
                httpx.AsyncClient(base_url=server.url, headers=AUTH, timeout=5)
            )
            return sim, client

        yield make
    stops.extend(asyncio.create_task(server.stop()) for server in servers)
