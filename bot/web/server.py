"""Run an ASGI app with uvicorn inside the current event loop.

Used for the bot's own HTTP server, the in-process DEXCHANGE simulator and the fake
servers of the tests: one event loop, no threads, and a port chosen by the OS when 0.
"""

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the process that embeds it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LoopbackServer:
    """An ASGI app served by uvicorn as a task of the running loop.

    `async with LoopbackServer(app) as server:` binds, starts and, on exit, stops it;
    `server.url` is then `http://host:port`. Beyond `max_connections` open at once (idle
    keep-alive ones included), a request is answered 503 and its connection closed.
    """

    def __init__(
        self,
        app: ASGIApp | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: bool = False,
        max_connections: int | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._access_log = access_log
        self._max_connections = max_connections
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> int:
        """Take the port now (its number may be needed before serving); returns it."""
        if self._socket is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # IPPROTO_TCP (not 0) lets asyncio set TCP_NODELAY: no 40 ms delayed-ACK stalls.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            sock.set_inheritable(True)
            self._socket = sock
            self.port = sock.getsockname()[1]
        return self.port

    async def start(self) -> None:
        self.bind()
        assert self._socket is not None and self.app is not None, "bind and set an app first"
        sock = self._socket
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=self._access_log,
            lifespan="on",
            # Answered 503 beyond the cap. uvicorn counts the new connection among those
            # open when it checks `len(connections) >= limit`: hence the one more.
            limit_concurrency=None if self._max_connections is None else self._max_connections + 1,
            timeout_graceful_shutdown=2,
            # Behind a reverse proxy we read no forwarded headers (callbacks are
            # authenticated by their signed URL), and need no Server/Date headers.
            proxy_headers=False,
            server_header=False,
            date_header=False,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the startup error
                raise RuntimeError("HTTP server stopped during startup")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._task = None
        self._socket = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def __aenter__(self) -> "LoopbackServer":
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
