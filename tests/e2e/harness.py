"""The whole bot, for real, against fakes of the outside world, in one event loop.

`running_stack()` starts the fake Telegram Bot API server and the DEXCHANGE simulator on
loopback, then the bot's own runtime (python-telegram-bot Application polling the fake, the
HTTP server receiving the simulator's callbacks, storage on a real SQLite file, notifier and
reconciler). Nothing of the bot is mocked.

On its way out (when the test passed), it checks that the fake Telegram refused none of the
bot's calls and had no error of its own: a test that provokes refusals on purpose (429s,
blocked users, injected failures) names their statuses in `expect_refusals`. A test that
needs time to pass (an idle conversation, a notice due later) passes a `DrivenClock` and
moves it forward instead of sleeping.
"""

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.runtime import BotRuntime
from bot.settings import Settings, load_settings
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import clean_environment
from fakes.telegram import BotMessage, FakeTelegram, FakeUser
from storage import Storage
from storage.database import utc_now
from storage.models import LedgerKind, Payment
from tests.databases import database_url_for
from tests.e2e.chat import refused_calls

TOKEN = "123456:TEST-TOKEN"
SIM_KEY = "sim-e2e-key"
SECRET = "e2e-callback-secret"


def stack_settings(
    tmp_path: Path, telegram_url: str, simulator_url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram_url,
        "DEXCHANGE_API_KEY": SIM_KEY,
        "DEXCHANGE_BASE_URL": simulator_url,
        "DEXCHANGE_TIMEOUT_SECONDS": 2,
        "CALLBACK_SECRET": SECRET,
        "DATABASE_URL": database_url_for(tmp_path / "bot.sqlite3"),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": 0,
        "RECONCILE_INTERVAL_SECONDS": 0.5,
        "TELEGRAM_MESSAGES_PER_SECOND": 0,
        "TELEGRAM_CHAT_MESSAGES_PER_SECOND": 0,
        # The simulator's codes come in 0.3 s: show the "on its way" step anyway.
        "PROCESSING_NOTICE_SECONDS": 0,
        # No daily summary unless a test asks for one (it would come at a wall-clock hour).
        "DAILY_REPORT_HOUR": None,
    }
    values.update(overrides)
    return load_settings(**values)


class DrivenClock:
    """The bot's clock, moved forward by the test: real time plus what `advance` added.

    The bot reads the time (idle conversations, notices held back, retries, deadlines) from
    this clock, and sleeps in real time: after `advance`, whatever became due is found at
    the worker's next look, or at once with `stack.runtime.wake_notifiers()`."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Stack:
    tg: FakeTelegram
    sim: Simulator
    sim_url: str
    settings: Settings
    runtime: BotRuntime
    workdir: Path
    started: list[BotRuntime] = field(default_factory=list)
    clock: Callable[[], datetime] = utc_now

    async def restart(self, **overrides: Any) -> None:
        """Stop the bot and start a new one on the same database (a clean restart)."""
        await self.runtime.stop()
        if overrides:
            self.settings = self.settings.model_copy(update=overrides)
        self.runtime = BotRuntime(self.settings, clock=self.clock)
        await self.runtime.start()

    async def customer(
        self, user_id: int, first_name: str, *, credit: int = 1_000_000, **fields: Any
    ) -> FakeUser:
        """A Telegram user whose wallet already holds `credit` FCFA (test setup: a ledger
        entry written directly, with no message to the user)."""
        user = self.tg.user(user_id, first_name, **fields)
        if credit:
            await fund(self.runtime.storage, user_id, credit)
        return user

    async def payments(self, telegram_user: FakeUser) -> list[Payment]:
        storage = self.runtime.storage
        user = await storage.read.users.by_external_id("telegram", str(telegram_user.id))
        if user is None:
            return []
        return await storage.read.payments.for_user(user.id, limit=100)

    async def wait_for_payment(
        self,
        telegram_user: FakeUser,
        predicate: Callable[[Payment], bool],
        timeout: float = 10,
    ) -> Payment:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for payment in await self.payments(telegram_user):
                if predicate(payment):
                    return payment
            if loop.time() > deadline:
                raise AssertionError("no payment matched in time")
            await asyncio.sleep(0.05)


async def fund(storage: Storage, telegram_id: int, credit: int) -> None:
    async with storage.transaction() as tx:
        user = await tx.users.ensure("telegram", str(telegram_id))
        await tx.ledger.add(user.id, LedgerKind.CREDIT, credit, actor="test", note="setup")


# A refusal a test provokes on purpose: its HTTP status, or a method and status.
Refusal = int | tuple[str, int]


def fake_refused_nothing(tg: FakeTelegram, expect_refusals: Collection[Refusal] = ()) -> None:
    """The fake Telegram refused none of the bot's calls but those a test expects (by status,
    or by method and status), and met no error of its own."""
    refused = [
        (call.method, call.status, call.response.get("description"))
        for call in refused_calls(tg)
        if call.status not in expect_refusals and (call.method, call.status) not in expect_refusals
    ]
    assert refused == [], f"the fake Telegram refused {len(refused)} call(s): {refused[:5]}"
    assert tg.internal_errors == []


@contextlib.asynccontextmanager
async def running_stack(
    tmp_path: Path,
    simulator_config: SimulatorConfig | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    expect_refusals: Collection[Refusal] = (),
    **overrides: Any,
) -> AsyncIterator[Stack]:
    config = simulator_config or SimulatorConfig(
        api_key=SIM_KEY, callback_delay=0.3, sync_callback_delay=0.05, slow_seconds=3
    )
    config.api_key = SIM_KEY
    sim = Simulator(config)
    async with (
        FakeTelegram(token=TOKEN, bot_username="senpay_test_bot") as tg,
        LoopbackServer(sim.app) as sim_server,
    ):
        settings = stack_settings(tmp_path, tg.base_url, sim_server.url, **overrides)
        runtime = BotRuntime(settings, clock=clock)
        await runtime.start()
        stack = Stack(tg, sim, sim_server.url, settings, runtime, tmp_path, clock=clock)
        try:
            yield stack
        finally:
            await stack.runtime.stop()
        # Reached only when the test passed: its calls until the bot stopped, checked.
        fake_refused_nothing(tg, expect_refusals)


async def press_and_wait(
    tg: FakeTelegram, user: FakeUser, message: BotMessage, label_or_data: str
) -> None:
    pressed = await tg.press(user, message, label_or_data)
    await tg.wait_for_answer(pressed)


async def buy_woyofal(
    tg: FakeTelegram, user: FakeUser, meter: str, amount: str = "5000", confirm: bool = True
) -> BotMessage:
    """Walk the French Woyofal flow up to (and by default through) the confirmation."""
    since = tg.mark()
    await tg.send_text(user, "/start")
    menu = await tg.wait_for_message(user, "Que voulez-vous faire", since=since)
    await tg.press(user, menu, "g:pay:woyofal")
    await tg.wait_for_message(user, "compteur Woyofal", since=since)
    await tg.send_text(user, meter)
    await tg.wait_for_message(user, "Quel montant", since=since)
    await tg.send_text(user, amount)
    summary = await tg.wait_for_message(user, "Confirmez-vous", since=since)
    if confirm:
        pressed = await tg.press(user, summary, "✅ Confirmer et payer")
        await tg.wait_for_answer(pressed)
    return summary


async def bot_command(stack: Stack, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`python -m bot …` in its own process, on the running bot's database:
    (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**clean_environment(), "DATABASE_URL": stack.settings.DATABASE_URL, **env},
        cwd=stack.workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
