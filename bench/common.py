"""What the benchmarks share: the bot as its own process, fakes in this one, figures."""

import asyncio
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fakes.process import BotProcess, free_port
from fakes.whatsapp import FakeWhatsApp
from storage import Storage
from storage.models import LedgerKind

TOKEN = "123456:BENCH-TOKEN"
SIM_KEY = "bench-sim-key"
SECRET = "bench-callback-secret"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def describe(values_ms: list[float]) -> str:
    return (
        f"p50 {percentile(values_ms, 50):.1f} ms, p99 {percentile(values_ms, 99):.1f} ms, "
        f"max {max(values_ms):.1f} ms, mean {statistics.fmean(values_ms):.1f} ms"
    )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def bot_process(workdir: Path, telegram_url: str, dexchange_url: str, **extra: str) -> BotProcess:
    port = free_port()
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram_url,
        "DEXCHANGE_API_KEY": SIM_KEY,
        "DEXCHANGE_BASE_URL": dexchange_url,
        "DEXCHANGE_RATE_PER_MINUTE": "1000000",
        "CALLBACK_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return BotProcess(workdir, env, name="bench-bot")


def whatsapp_env(wa: FakeWhatsApp, **extra: str) -> dict[str, str]:
    """The settings that enable WhatsApp in the bot, its Graph API the fake `wa`."""
    return {
        "WHATSAPP_ACCESS_TOKEN": wa.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
        "WHATSAPP_APP_SECRET": wa.app_secret,
        "WHATSAPP_VERIFY_TOKEN": wa.verify_token,
        "WHATSAPP_API_BASE_URL": wa.base_url,
        **extra,
    }


async def credit(workdir: Path, telegram_ids: list[int], amount: int) -> None:
    """Put `amount` FCFA in each user's wallet, in the bot's database (a ledger entry
    written directly, as an admin's credit would be, with no message to the user)."""
    storage = Storage(workdir / "bench.sqlite3")
    await storage.open()
    try:
        async with storage.transaction() as tx:
            for telegram_id in telegram_ids:
                user = await tx.users.ensure("telegram", str(telegram_id))
                await tx.ledger.add(user.id, LedgerKind.CREDIT, amount, actor="bench", note="setup")
    finally:
        await storage.close()


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="senpay-bench-"))


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class RawHttpClient:
    """A bare HTTP/1.1 keep-alive client for load generation: a Python client library would
    spend more CPU per request than the server we measure."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes, headers: str = "") -> int:
        """POST `body`; `headers` are extra header lines, each ending in CRLF."""
        assert self._reader is not None and self._writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + body)
        status_line = await self._reader.readline()
        length = 0
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length:
            await self._reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def quiet_collector() -> None:
    """The fakes in the benchmark's process keep every call and message: a full collection
    of that heap stalls their event loop tens of milliseconds, and the fake Telegram then
    times a bunch of arrivals at once — a burst the bot never sent. Collect less often."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc): the cost of the
    work, steadier than a throughput that moves with the machine's other load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sampler(pid: int, output: str) -> subprocess.Popen[bytes]:
    """py-spy (when installed) sampling the bot's threads until interrupted: collapsed
    stacks in `output`."""
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "-p", str(pid), "-o", output, "-f", "raw", "-r", "200"]
    process = subprocess.Popen([*command, "--threads", "--nonblocking"])
    time.sleep(1)  # attached before the clock starts
    return process
