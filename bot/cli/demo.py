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
from handlers.formatting import fcfa
from handlers.i18n import t

DEMO_KEY = "demo-dexchange-key"
DEMO_USER = "demo"
# The demo user starts at 0 FCFA, as a stranger who just found the bot: they fund their
# wallet from a simulated Wave number (or pay the rest at a purchase's confirmation).
# `--credit` starts them with credit instead, for a quick try of everything else.
DEMO_CREDIT = 0
# How long a scripted line may wait for its payment to answer before the next line goes.
LINE_SETTLE_SECONDS = 10.0

BANNER = {
    "fr": (
        "Démo du bot de paiement — tout tourne sur cette machine : simulateur DEXCHANGE,\n"
        "serveur de callbacks, base SQLite ({db}).\n"
        "Tapez le numéro d'un choix ou du texte ; « q » pour quitter.\n"
        "Votre compte démarre à {credit} : rechargez-le avec « ➕ Recharger mon compte », ou\n"
        "achetez directement et payez le reste à la confirmation. Numéros mobile money de\n"
        "test : 770000000 (vous approuvez), 770000001 (refusé), 770000002 (expire).\n"
        "Références de test : compteur Woyofal 07061270877 (code immédiat), tout autre\n"
        "compteur (code par callback en 2 s) ; Senelec 210278816 (une facture),\n"
        "222222222 (deux factures). Voir docs/simulator.md pour toutes les autres."
    ),
    "en": (
        "Payment bot demo — everything runs on this machine: DEXCHANGE simulator,\n"
        "callback server, SQLite database ({db}).\n"
        "Type a choice's number or some text; 'q' to quit.\n"
        "Your account starts at {credit}: top it up with '➕ Top up my account', or buy\n"
        "straight away and pay the rest at the confirmation. Test mobile-money numbers:\n"
        "770000000 (you approve), 770000001 (refused), 770000002 (expires).\n"
        "Test references: Woyofal meter 07061270877 (immediate code), any other meter\n"
        "(code by callback in 2 s); Senelec 210278816 (one bill), 222222222 (two bills).\n"
        "See docs/simulator.md for all the others."
    ),
    "wo": (
        "Démo bot bu fey bi — lépp ci masin bii lay doxe : simulateur DEXCHANGE,\n"
        "serveur callback yi, base SQLite ({db}).\n"
        "Bindal numéro li nga tànn walla ab mbind ; « q » ngir génn.\n"
        "Sa kont mi ngi tàmbali ci {credit} : yokkal ko ak « ➕ Yokk sama kont », walla\n"
        "jëndal te fey li des ci dëggal bi. Numéro mobile money yu test : 770000000\n"
        "(nangu nga), 770000001 (bañ nañu ko), 770000002 (jot na).\n"
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


async def give_demo_credit(runtime: BotRuntime, credit: int) -> None:
    """With `--credit`, the terminal user starts with that credit (once per database)."""
    accounts = AccountService(
        runtime.storage, channel=CHANNEL, signals=Signals(outbox=runtime.wake_notifiers)
    )
    async with runtime.storage.transaction() as tx:
        user = await tx.users.ensure(CHANNEL, DEMO_USER)
    if credit > 0 and await runtime.storage.read.ledger.balance(user.id) == 0:
        await accounts.credit(user, credit, "démo / demo", "demo")


async def wait_until_settled(runtime: BotRuntime, timeout: float) -> None:
    """After the last input: let pending payments and top-ups finish (a purchase paid
    once its top-up succeeds included) and their messages go out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    read = runtime.storage.read
    while loop.time() < deadline:
        busy = (
            await read.payments.open_payments()
            or await read.collections.open_collections(limit=1)
            or await read.funded_purchases.due(limit=1)
            or await read.outbox.pending_count()
        )
        if not busy:
            return
        await asyncio.sleep(0.1)


async def run_demo(
    database: Path | None = None,
    callback_delay: float = 2.0,
    language: str | None = None,
    settle_timeout: float = 30.0,
    credit: int = DEMO_CREDIT,
) -> None:
    base = load_settings()
    if language:
        base = base.model_copy(update={"DEFAULT_LANGUAGE": language})
    workdir = tempfile.TemporaryDirectory(prefix="senpay-demo-")
    db = database or Path(workdir.name) / "demo.sqlite3"
    # A simulated Wave approval takes as long as a Woyofal callback (2 s by default).
    simulator = Simulator(
        SimulatorConfig(
            api_key=DEMO_KEY, callback_delay=callback_delay, collection_delay=callback_delay
        )
    )
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
            banner = BANNER.get(settings.DEFAULT_LANGUAGE, BANNER["fr"])
            console.note(banner.format(db=db, credit=fcfa(credit)))
            await give_demo_credit(runtime, credit)
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
