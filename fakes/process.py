"""The bot as a real process (`python -m bot run`), for tests where a crash is the point
and for the benchmarks; and a peer that never answers."""

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

CONTRACT_PREFIXES = ("TELEGRAM_", "DEXCHANGE_", "HTTP_", "PUBLIC_", "DATABASE_", "CALLBACK_")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The checkout these files are in: a child `python -m bot` imports its code from here, not
# from wherever the virtualenv's editable install points (another worktree, another clone).
CHECKOUT = Path(__file__).resolve().parents[1]


def clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONTRACT_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))
    return env


class BotProcess:
    def __init__(self, workdir: Path, env: dict[str, str], name: str = "bot") -> None:
        self.workdir = workdir
        self.env = {**clean_environment(), **env}
        self.name = name
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None
        self.port = int(env["HTTP_PORT"])

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.runs}.log"

    async def start(self, extra_env: dict[str, str] | None = None) -> None:
        self.runs += 1
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.workdir,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=log,
        )
        log.close()
        await self.wait_healthy()

    async def wait_healthy(self, timeout: float = 20) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient() as client:
            while loop.time() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise AssertionError(f"bot exited early:\n{self.logs()}")
                with contextlib.suppress(httpx.HTTPError):
                    answer = await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    if answer.status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"bot not healthy in {timeout}s:\n{self.logs()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, exactly like a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def wait_exit(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def logs(self) -> str:
        parts = []
        for run in range(1, self.runs + 1):
            path = self.workdir / f"{self.name}-{run}.log"
            if path.exists():
                parts.append(f"--- run {run} ---\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


class BlackHole:
    """A TCP server that accepts connections and never answers: a call into the void."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)

    async def __aenter__(self) -> "BlackHole":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
