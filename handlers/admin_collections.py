"""Admin commands about mobile money: /refund (a customer's balance back to their wallet,
after a confirmation) and /collections (top-ups and refunds open, failed, flagged).

/refund <user> <amount|all> [wave|om|free <number>]: the method and number default to the
customer's saved account. The summary's button carries the step's token; its own id is the
refund's idempotency key, so a second press (or a redelivered one) finds the same refund.
"""

import secrets

from bot.services.accounts import (
    AccountError,
    AccountService,
    parse_amount_argument,
    split_amount_and_note,
)
from bot.services.payouts import RefundRefused, RefundsPort, check_refund, valid_number
from handlers.admin import METHOD_NAMES, collection_lines, user_label
from handlers.formatting import fcfa
from handlers.i18n import t
from handlers.mobile_numbers import parse_mobile_number
from handlers.session import Session
from handlers.steps import Conversation, Registry, Step
from handlers.types import Button, Outcome, Reply, keyboard
from storage.models import MoneyAccount, MoneyMethod

CONFIRM_REFUND = "admin_refund"
WHOLE_BALANCE = ("all", "tout", "tous", "yépp")
METHOD_WORDS = {
    "wave": MoneyMethod.WAVE,
    "om": MoneyMethod.ORANGE_MONEY,
    "orange": MoneyMethod.ORANGE_MONEY,
    "orange_money": MoneyMethod.ORANGE_MONEY,
    "free": MoneyMethod.FREE_MONEY,
    "fm": MoneyMethod.FREE_MONEY,
    "free_money": MoneyMethod.FREE_MONEY,
}
MAX_DAYS = 90


class RefundUsage(Exception):
    """The command cannot be read: `key` (and `values`) say why, nothing was done."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_number(text: str) -> str:
    """'77 123 45 67', '+221771234567' → '771234567', read as the customers' own numbers
    are (handlers/mobile_numbers.py); RefundUsage when it is no Senegalese mobile number."""
    digits = parse_mobile_number(text)
    if digits is None or not valid_number(digits):
        raise RefundUsage("admin.refund.bad_number", text=text[:20])
    return digits


def parse_refund(words: list[str]) -> tuple[int | None, MoneyAccount | None]:
    """The words after the user: (amount or None for the whole balance, account or None for
    the saved one). Raises RefundUsage or AccountError (a bad amount)."""
    if not words:
        raise RefundUsage("admin.usage.refund")
    amount: int | None
    if words[0].lower() in WHOLE_BALANCE:
        amount, rest = None, " ".join(words[1:])
    else:
        amount_text, note = split_amount_and_note(words)
        amount, rest = parse_amount_argument(amount_text), note or ""
    if not rest:
        return amount, None
    method_word, _, number = rest.partition(" ")
    method = METHOD_WORDS.get(method_word.lower())
    if method is None:
        raise RefundUsage("admin.refund.bad_method", text=method_word[:20])
    if not number.strip():
        raise RefundUsage("admin.usage.refund")
    return amount, MoneyAccount(method, parse_number(number))


def _accounts(engine: Conversation) -> AccountService:
    if engine.accounts is None:
        raise RuntimeError("no account service wired")
    return engine.accounts


def _payouts(engine: Conversation) -> RefundsPort:
    refunds = _accounts(engine).refunds
    if refunds is None:
        raise RuntimeError("no refund service wired")
    return refunds


def refusal_text(language: str, refused: RefundRefused) -> str:
    return t(
        language,
        f"admin.refund.refused.{refused.reason.value}",
        limit=fcfa(refused.limit),
        balance=fcfa(refused.balance),
    )


async def refund(engine: Conversation, session: Session, argument: str) -> Outcome:
    lang = session.language
    if not session.user.is_admin:
        return Outcome([Reply(t(lang, "admin.only"))])
    words = argument.split()
    try:
        if len(words) < 2:
            raise RefundUsage("admin.usage.refund")
        accounts = _accounts(engine)
        target = await accounts.find(words[0])
        amount, account = parse_refund(words[1:])
        if account is None:
            account = await engine.storage.read.users.money_account(target.id)
            if account is None:
                raise RefundUsage("admin.refund.no_account", user=user_label(target))
        balance = await engine.storage.read.ledger.balance(target.id)
        amount = check_refund(amount, balance)  # checked again when it is made
    except AccountError as error:
        return Outcome([Reply(t(lang, error.code, **error.values))])
    except RefundUsage as usage:
        return Outcome([Reply(t(lang, usage.key, **usage.values))])
    except RefundRefused as refused:
        return Outcome([Reply(refusal_text(lang, refused))])
    summary = t(
        lang,
        "admin.refund.summary",
        user=user_label(target),
        amount=fcfa(amount),
        method=METHOD_NAMES[account.method],
        number=account.number,
        balance=fcfa(balance),
        after=fcfa(balance - amount),
    )
    session.go(
        CONFIRM_REFUND,
        {
            "user_id": target.id,
            "amount": amount,
            "method": account.method.value,
            "number": account.number,
            "summary": summary,
            # The refund's idempotency key: every press of this keyboard finds one refund.
            "refund_id": secrets.token_hex(12),
        },
    )
    return Outcome(await confirm_prompt(engine, session))


async def confirm_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    text = f"{session.data['summary']}\n\n{t(lang, 'admin.refund.question')}"
    buttons = keyboard(
        [Button(t(lang, "admin.refund.button"), session.step_payload("ok"))],
        engine.cancel_row(session),
    )
    return [Reply(text, buttons)]


async def on_confirm_text(engine: Conversation, session: Session, text: str) -> Outcome:
    replies = await confirm_prompt(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


async def on_confirm_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    lang = session.language
    if action != "ok":
        return await engine.stale(session, None)
    shown = str(session.data["summary"])
    session.spend_current_keyboard()
    if not session.user.is_admin:  # no longer an admin since the summary was drawn
        session.to_menu()
        return Outcome([Reply(t(lang, "admin.only"))], spend_keyboard=True)
    data = session.data
    try:
        made, created = await _payouts(engine).refund(
            int(data["user_id"]),
            int(data["amount"]),
            MoneyMethod(data["method"]),
            str(data["number"]),
            actor=f"admin:{session.user.external_id}",
            idempotency_key=str(data["refund_id"]),
        )
    except RefundRefused as refused:  # the balance moved since the summary: nothing sent
        session.to_menu()
        text = refusal_text(lang, refused)
        return Outcome(spend_keyboard=True, spent_text=f"{shown}\n\n{text}", toast=text[:200])
    session.to_menu()
    if created:
        text = t(
            lang,
            "admin.refund.sent",
            id=made.id,
            amount=fcfa(made.amount),
            method=METHOD_NAMES[made.method],
            number=made.number,
        )
    else:
        status = t(lang, f"collection.status.{made.status.value}")
        text = t(lang, "admin.refund.already", id=made.id, status=status)
    return Outcome(spend_keyboard=True, spent_text=f"{shown}\n\n{text}", toast=text[:200])


# --- /collections ---------------------------------------------------------------------------


async def collections(engine: Conversation, session: Session, argument: str) -> Outcome:
    """/collections [days]: open ones, the unsuccessful ones of the last days, flagged ones."""
    lang = session.language
    if not session.user.is_admin:
        return Outcome([Reply(t(lang, "admin.only"))])
    word = argument.strip()
    days = min(int(word), MAX_DAYS) if word.isascii() and word.isdigit() and int(word) else 7
    seen = await _accounts(engine).collections_overview(days)
    sections = [
        ("admin.collections.open", seen.open),
        ("admin.collections.ended", seen.ended),
        ("admin.collections.flagged", seen.flagged),
    ]
    parts = []
    for key, found in sections:
        if found:
            title = t(lang, key, count=len(found), days=days)
            parts.append("\n".join([title, *await collection_lines(engine, lang, found)]))
    if not parts:
        return Outcome([Reply(t(lang, "admin.collections.none"))])
    return Outcome([Reply("\n\n".join(parts))])


def register(registry: Registry) -> None:
    registry.add(
        commands={"refund": refund, "collections": collections},
        steps={CONFIRM_REFUND: Step(confirm_prompt, on_confirm_text, on_confirm_button)},
    )
