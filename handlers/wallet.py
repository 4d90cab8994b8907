"""The user's own wallet: /balance, and the credit checks of the payment flow."""

from handlers.formatting import date_time, fcfa
from handlers.i18n import t
from handlers.session import Session, global_payload
from handlers.steps import Conversation, Registry
from handlers.types import Button, Keyboard, Outcome, Reply, keyboard
from storage.models import LedgerEntry, LedgerKind

MOVEMENTS_SHOWN = 8


def how_to_credit(engine: Conversation, session: Session) -> str:
    user = session.user
    user_id = f"{user.external_id}" + (f" (@{user.username})" if user.username else "")
    contact = engine.config.support_contact or t(session.language, "wallet.default_contact")
    # With mobile money, the funding button first; an admin still takes cash.
    funds = engine.funding is not None and bool(engine.funding.rules.methods)
    key = "wallet.how_to_fund" if funds else "wallet.how_to_credit"
    return t(session.language, key, contact=contact, user_id=user_id)


def credit_keyboard(engine: Conversation, session: Session) -> Keyboard:
    """Under "your balance is empty": the way to fund it first, when there is one."""
    if engine.funding is None or not engine.funding.rules.methods:
        return engine.main_menu(session)
    lang = session.language
    return keyboard(
        [Button(t(lang, "button.fund"), global_payload("fund"))],
        [Button(t(lang, "button.menu"), global_payload("menu"))],
    )


async def entry_line(engine: Conversation, language: str, entry: LedgerEntry) -> str:
    reference = ""
    if entry.kind in (LedgerKind.RESERVE, LedgerKind.REDEBIT) and entry.payment_id is not None:
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


async def balance(engine: Conversation, session: Session, argument: str) -> Outcome:
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


def register(registry: Registry) -> None:
    registry.add(
        commands={"balance": balance, "solde": balance},
        actions={"balance": balance},
        menu=[("balance", "command.balance")],
    )
