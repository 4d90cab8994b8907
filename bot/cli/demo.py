"""`make demo`: the whole bot in a terminal, on embedded defaults.

The DEXCHANGE simulator, the HTTP server that receives its callbacks, storage (a fresh
SQLite file), the notifier and the reconciler all run here for real; only Telegram is
replaced by the terminal. No token, key or network needed.
"""

import asyncio
import contextlib
import functools
import secrets
import sys
import tempfile
from pathlib import Path

from pydantic import SecretStr

from bot.channels.terminal import CHANNEL, TerminalConsole, TerminalOutbound, TerminalSession
from bot.runtime import BotRuntime, Extras
from bot.services.accounts import AccountService
from bot.services.signals import Signals
from bot.settings import Settings, load_settings
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from handlers.i18n import t

DEMO_KEY = "demo-dexchange-key"
DEMO_USER = "demo"
DEMO_CREDIT = 500_000  # FCFA in the demo user's wallet, so the demo pays out of the box
# How long a scripted line may wait for its payment to answer before the next line goes.
LINE_SETTLE_SECONDS = 10.0

BANNER = {
    "fr": (
        "Démo du bot de paiement — tout tourne sur cette machine : simulateur DEXCHANGE,\n"
        "serveur de callbacks, base SQLite ({db}).\n"
        "Tapez le numéro d'un choix ou du texte ; « q » pour quitter.\n"
        "Références de test : compteur Woyofal 07061270877 (code immédiat), tout autre\n"
        "compteur (code par callback en 2 s) ; Senelec 210278816 (une facture),\n"
        "222222222 (deux factures). Voir docs/simulator.md pour toutes les autres."
    ),
    "en": (
        "Payment bot demo — everything runs on this machine: DEXCHANGE simulator,\n"
        "callback server, SQLite database ({db}).\n"
        "Type a choice's number or some text; 'q' to quit.\n"
        "Test references: Woyofal meter 07061270877 (immediate code), any other meter\n"
        "(code by callback in 2 s); Senelec 210278816 (one bill), 222222222 (two bills).\n"
        "See docs/simulator.md for all the others."
    ),
    "wo": (
        "Démo bot bu fey bi — lépp ci masin bii lay doxe : simulateur DEXCHANGE,\n"
        "serveur callback yi, base SQLite ({db}).\n"
        "Bindal numéro li nga tànn walla ab mbind ; « q » ngir génn.\n"
        "Référence yu test : compteur Woyofal 07061270877 (code ci saa si), beneen\n"
        "compteur (code ci callback ci 2 s) ; Senelec 210278816 (benn facture),\n"
        "222222222 (ñaari facture). Xoolal docs/simulator.md ngir yeneen yi."
    ),
}


def demo_settings(database: Path, simulator_url: str, base: Settings) -> Settings:
    return base.model_copy(
        update={
            "DEXCHANGE_BASE_URL": simulator_url,
            "DEXCHANGE_API_KEY": SecretStr(DEMO_KEY),
            "CALLBACK_SECRET": SecretStr(secrets.token_hex(16)),
            "DATABASE_URL": f"sqlite:///{database}",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": 0,
            "PUBLIC_BASE_URL": None,
            "TELEGRAM_WEBHOOK_URL": None,
        }
    )


async def give_demo_credit(runtime: BotRuntime) -> None:
    """The terminal user starts with credit (once per database), so the demo can pay."""
    accounts = AccountService(
        runtime.storage, channel=CHANNEL, signals=Signals(outbox=runtime.wake_notifiers)
    )
    async with runtime.storage.transaction() as tx:
        user = await tx.users.ensure(CHANNEL, DEMO_USER)
    if await runtime.storage.read.ledger.balance(user.id) == 0:
        await accounts.credit(user, DEMO_CREDIT, "démo / demo", "demo")


async def wait_until_settled(runtime: BotRuntime, timeout: float) -> None:
    """After the last input: let pending payments finish and their messages go out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        open_payments = await runtime.storage.read.payments.open_payments()
        pending = await runtime.storage.read.outbox.pending_count()
        if not open_payments and pending == 0:
            return
        await asyncio.sleep(0.1)


async def run_demo(
    database: Path | None = None,
    callback_delay: float = 2.0,
    language: str | None = None,
    settle_timeout: float = 30.0,
) -> None:
    base = load_settings()
    if language:
        base = base.model_copy(update={"DEFAULT_LANGUAGE": language})
    workdir = tempfile.TemporaryDirectory(prefix="senpay-demo-")
    db = database or Path(workdir.name) / "demo.sqlite3"
    simulator = Simulator(SimulatorConfig(api_key=DEMO_KEY, callback_delay=callback_delay))
    console = TerminalConsole(image_folder=Path("receipts"))
    async with LoopbackServer(simulator.app) as sim_server:
        settings = demo_settings(db, sim_server.url, base)
        runtime = BotRuntime(
            settings,
            telegram=False,
            extras=Extras(outbound={CHANNEL: TerminalOutbound(console)}),
        )
        await runtime.start()
        try:
            console.note(BANNER.get(settings.DEFAULT_LANGUAGE, BANNER["fr"]).format(db=db))
            await give_demo_credit(runtime)
            # Piped input (a script, a test) goes one line at a time, each once answered.
            settle = None
            if not sys.stdin.isatty():
                settle = functools.partial(wait_until_settled, runtime, LINE_SETTLE_SECONDS)
            await TerminalSession(runtime.engine, console).run(settle)
            await wait_until_settled(runtime, settle_timeout)
            console.note(t(settings.DEFAULT_LANGUAGE, "demo.bye"))
        finally:
            await runtime.stop()
            with contextlib.suppress(OSError):
                workdir.cleanup()
