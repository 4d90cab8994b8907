"""The user's own wallet: /balance, and the credit checks of the payment flow."""

from typing import TYPE_CHECKING

from handlers.formatting import date_time, fcfa
from handlers.i18n import t
from handlers.session import Session
from handlers.types import Outcome, Reply
from storage.models import LedgerEntry, LedgerKind

if TYPE_CHECKING:
    from handlers.engine import ConversationEngine, Registry

MOVEMENTS_SHOWN = 8


def how_to_credit(engine: "ConversationEngine", session: Session) -> str:
    user = session.user
    user_id = f"{user.external_id}" + (f" (@{user.username})" if user.username else "")
    contact = engine.config.support_contact or t(session.language, "wallet.default_contact")
    return t(session.language, "wallet.how_to_credit", contact=contact, user_id=user_id)


async def entry_line(engine: "ConversationEngine", language: str, entry: LedgerEntry) -> str:
    reference = ""
    if entry.kind is LedgerKind.RESERVE and entry.payment_id is not None:
        payment = await engine.storage.read.payments.get(entry.payment_id)
        reference = payment.reference if payment else ""
    label = t(language, f"wallet.kind.{entry.kind.value}", reference=reference)
    if entry.note and entry.kind in (LedgerKind.CREDIT, LedgerKind.ADJUSTMENT):
        label = f"{label} ({entry.note})"
    return t(
        language,
        "wallet.entry",
        date=date_time(entry.created_at),
        sign="+" if entry.amount > 0 else ("-" if entry.amount < 0 else ""),
        amount=fcfa(abs(entry.amount)),
        label=label,
    )


async def balance(engine: "ConversationEngine", session: Session, argument: str) -> Outcome:
    lang = session.language
    read = engine.storage.read
    amount = await read.ledger.balance(session.user.id)
    entries = await read.ledger.entries(session.user.id, MOVEMENTS_SHOWN)
    lines = [t(lang, "wallet.balance", balance=fcfa(amount)), ""]
    if entries:
        lines.append(t(lang, "wallet.movements"))
        lines += [await entry_line(engine, lang, entry) for entry in entries]
    else:
        lines.append(t(lang, "wallet.no_movements"))
    lines += ["", how_to_credit(engine, session)]
    if session.state != "menu":
        session.to_menu()
    return Outcome([Reply("\n".join(lines), engine.main_menu(session))])


def register(registry: "Registry") -> None:
    registry.commands.update({"balance": balance, "solde": balance})
    registry.actions["balance"] = balance
    registry.menu_commands.append(("balance", "command.balance"))
