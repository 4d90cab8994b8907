"""Admin commands in the chat: /credit, /debit, /role, /user, /pending, /provider, /stats,
/undelivered.

Refused to everyone but admins, with a plain answer. A user is named by Telegram id or
@username. The work is done by bot.services.accounts.AccountService, shared with the command line.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services.accounts import (
    AccountError,
    AccountService,
    parse_amount_argument,
    split_amount_and_note,
)
from bot.services.codes import parse_codes
from bot.services.provider import ProviderUnavailable
from bot.services.resolutions import ResolveRefused
from handlers.formatting import date_time, fcfa, service_name
from handlers.i18n import t
from handlers.reports import service_lines
from handlers.session import Session
from handlers.steps import Action, Conversation, Registry
from handlers.types import Outcome, Reply
from storage.deliveries import MessageState
from storage.models import Collection, MoneyMethod, Payment, PaymentStatus, Role, User

METHOD_NAMES = {
    MoneyMethod.WAVE: "Wave",
    MoneyMethod.ORANGE_MONEY: "Orange Money",
    MoneyMethod.FREE_MONEY: "Free Money",
}
SHOWN_PER_SECTION = 15  # collections per section of /collections and /pending


def user_label(user: User) -> str:
    name = user.display_name or user.username or user.external_id
    handle = f" @{user.username}" if user.username else ""
    return f"{name}{handle} ({user.external_id})"


def age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d}"
    return f"{hours // 24} j"


def payment_line(language: str, payment: Payment) -> str:
    return t(
        language,
        "admin.payment_line",
        id=payment.id,
        date=date_time(payment.created_at),
        service=service_name(language, payment.service),
        reference=payment.reference,
        total=fcfa(payment.total),
        status=t(language, f"status.{payment.status.value}"),
    )


def collection_line(language: str, collection: Collection, user: User | None, now: datetime) -> str:
    line = t(
        language,
        "admin.collections.line",
        id=collection.id,
        direction=t(language, f"direction.{collection.direction.value}"),
        method=METHOD_NAMES[collection.method],
        number=collection.number,
        amount=fcfa(collection.amount),
        status=t(language, f"collection.status.{collection.status.value}"),
        user=user_label(user) if user is not None else f"#{collection.user_id}",
        age=age(now - collection.created_at),
    )
    if collection.needs_attention and collection.attention_reason:
        line += "\n" + t(language, "admin.collections.reason", reason=collection.attention_reason)
    return line


async def collection_lines(
    engine: Conversation, language: str, collections: list[Collection]
) -> list[str]:
    now = engine.clock()
    lines = []
    for collection in collections[:SHOWN_PER_SECTION]:
        user = await engine.storage.read.users.get(collection.user_id)
        lines.append(collection_line(language, collection, user, now))
    if len(collections) > SHOWN_PER_SECTION:
        more = len(collections) - SHOWN_PER_SECTION
        lines.append(t(language, "admin.collections.more", count=more))
    return lines


def message_note(language: str, state: MessageState | None) -> str:
    """ " · ✉️ message remis": where the payment's latest message stands (WhatsApp reports
    delivered and read; Telegram's word ends at sent)."""
    if state is None:
        return ""
    return " · " + t(language, f"admin.message.{state.word}", code=state.error_code or "?")


def _accounts(engine: Conversation) -> AccountService:
    if engine.accounts is None:
        raise RuntimeError("no account service wired")
    return engine.accounts


def admin_only(
    handler: Callable[[Conversation, Session, str], Awaitable[str]],
) -> Action:
    """Run `handler` for admins; anyone else gets a plain refusal and learns nothing."""

    async def guarded(engine: Conversation, session: Session, argument: str) -> Outcome:
        if not session.user.is_admin:
            return Outcome([Reply(t(session.language, "admin.only"))])
        try:
            text = await handler(engine, session, argument)
        except AccountError as error:
            text = t(session.language, error.code, **error.values)
        return Outcome([Reply(text)])

    return guarded


async def admin_help(engine: Conversation, session: Session, argument: str) -> str:
    return t(session.language, "admin.help")


async def credit(engine: Conversation, session: Session, argument: str) -> str:
    return await _move(engine, session, argument, credit=True)


async def debit(engine: Conversation, session: Session, argument: str) -> str:
    return await _move(engine, session, argument, credit=False)


async def _move(engine: Conversation, session: Session, argument: str, *, credit: bool) -> str:
    lang = session.language
    words = argument.split()
    if len(words) < 2:
        return t(lang, "admin.usage.credit" if credit else "admin.usage.debit")
    accounts = _accounts(engine)
    target = await accounts.find(words[0])
    amount_text, note = split_amount_and_note(words[1:])
    amount = parse_amount_argument(amount_text)
    note = note[:200] if note else None
    actor = f"admin:{session.user.external_id}"
    if credit:
        balance = await accounts.credit(target, amount, note, actor)
    else:
        balance = await accounts.debit(target, amount, note, actor)
    text = t(
        lang,
        "admin.credited" if credit else "admin.debited",
        user=user_label(target),
        amount=fcfa(amount),
        balance=fcfa(balance),
    )
    if credit:
        text += await held_money_hint(engine, lang, target)
    return text


async def held_money_hint(engine: Conversation, language: str, target: User) -> str:
    """A credit given to make up for a stuck payment would be given twice if DEXCHANGE's
    FAILED came later: say which payments hold money, and how to end them."""
    held = await engine.storage.read.payments.open_payments_of(target.id)
    if not held:
        return ""
    ids = ", ".join(f"#{payment.id}" for payment in held)
    total = sum(payment.total for payment in held)
    return "\n\n" + t(language, "admin.credit.held", ids=ids, amount=fcfa(total))


async def role(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    parts = argument.split()
    if len(parts) != 2:
        return t(lang, "admin.usage.role")
    accounts = _accounts(engine)
    target = await accounts.find(parts[0])
    try:
        new_role = Role(parts[1].lower())
    except ValueError:
        return t(lang, "admin.bad_role", role=parts[1][:20])
    updated = await accounts.set_role(target, new_role)
    return t(
        lang, "admin.role_set", user=user_label(updated), role=t(lang, f"role.{new_role.value}")
    )


async def user_info(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    if not argument.strip():
        return t(lang, "admin.usage.user")
    accounts = _accounts(engine)
    summary = await accounts.summary(await accounts.find(argument.split()[0]))
    user = summary.user
    lines = [
        t(
            lang,
            "admin.user",
            user=user_label(user),
            external_id=user.external_id,
            role=t(lang, f"role.{user.role.value}"),
            balance=fcfa(summary.balance),
            since=date_time(user.created_at),
        ),
        "",
    ]
    if summary.payments:
        lines.append(t(lang, "admin.user.payments"))
        lines += [
            payment_line(lang, payment) + message_note(lang, summary.messages.get(payment.id))
            for payment in summary.payments
        ]
    else:
        lines.append(t(lang, "admin.user.no_payments"))
    return "\n".join(lines)


async def pending(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    payments = await _accounts(engine).pending()
    if not payments:
        return t(lang, "admin.pending.none")
    now = engine.clock()
    lines = [t(lang, "admin.pending.title", count=len(payments))]
    for payment in payments[:30]:
        lines.append(
            t(
                lang,
                "admin.pending.line",
                id=payment.id,
                service=service_name(lang, payment.service),
                reference=payment.reference,
                total=fcfa(payment.total),
                status=t(lang, f"status.{payment.status.value}"),
                age=age(now - payment.created_at),
                flag=pending_flags(lang, payment),
            )
        )
    return "\n".join(lines)


def pending_flags(language: str, payment: Payment) -> str:
    flags = t(language, "admin.pending.flag") if payment.needs_attention else ""
    if payment.on_hold:
        flags += t(language, "admin.pending.hold", reason=payment.on_hold[:120])
    if payment.awaiting_code:
        flags += " · " + t(language, "admin.resolved.awaiting_code")
    return flags


async def provider(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    if engine.provider is None:
        raise RuntimeError("no provider account wired")
    try:
        balance = await engine.provider.balance()
    except ProviderUnavailable as error:
        return t(lang, "admin.provider.error", error=error.message)
    return t(
        lang,
        "admin.provider",
        balance=fcfa(balance.balance),
        currency=balance.currency,
        updated=balance.updated or "—",
    )


async def stats(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    day = await _accounts(engine).stats()
    lines = [t(lang, "admin.stats.title", day=day.day)]
    if not day.services:
        lines.append(t(lang, "admin.stats.none"))
    lines.extend(service_lines(lang, "admin.stats.line", day.services))
    if day.services:
        lines.append(
            t(
                lang,
                "admin.stats.total",
                count=day.count,
                amount=fcfa(day.amount),
                fees=fcfa(day.fees),
            )
        )
    lines.append(t(lang, "admin.stats.other", failed=day.failed, open=day.open))
    return "\n".join(lines)


RESOLVE_OUTCOMES = {
    "success": PaymentStatus.SUCCESS,
    "succes": PaymentStatus.SUCCESS,
    "reussi": PaymentStatus.SUCCESS,
    "paye": PaymentStatus.SUCCESS,
    "failed": PaymentStatus.FAILED,
    "echec": PaymentStatus.FAILED,
    "echoue": PaymentStatus.FAILED,
}


def _plain(word: str) -> str:
    return word.lower().translate(str.maketrans("éèêàç", "eeeac"))


def parse_resolve(argument: str) -> tuple[int, PaymentStatus, list[str], str] | None:
    """'42 success 1283 9300 9320 9223 code lu au téléphone' → (42, SUCCESS, [code], reason):
    the words made of digits after the outcome are the code(s), the rest is the reason."""
    words = argument.split()
    if len(words) < 2 or not words[0].lstrip("#").isdecimal():
        return None
    outcome = RESOLVE_OUTCOMES.get(_plain(words[1]))
    if outcome is None:
        return None
    rest = words[2:]
    digits = 0
    while digits < len(rest) and rest[digits].replace(",", "").replace("-", "").isdecimal():
        digits += 1
    codes = parse_codes(" ".join(rest[:digits]).replace(",", ",  ")) if digits else []
    return int(words[0].lstrip("#")), outcome, codes, " ".join(rest[digits:])


def refusal_values(language: str, refused: ResolveRefused) -> dict[str, object]:
    """A refusal's values, the payment's status in words."""
    values = dict(refused.values)
    if isinstance(values.get("status"), str):
        values["status"] = t(language, f"status.{values['status']}")
    return values


async def resolve(engine: Conversation, session: Session, argument: str) -> str:
    lang = session.language
    parsed = parse_resolve(argument)
    if parsed is None:
        return t(lang, "admin.usage.resolve")
    payment_id, outcome, codes, reason = parsed
    if engine.resolver is None:
        raise RuntimeError("no resolver wired")
    try:
        payment = await engine.resolver.resolve(
            payment_id,
            outcome,
            actor=f"admin:{session.user.external_id}",
            reason=reason,
            codes=codes,
        )
    except ResolveRefused as refused:
        return t(lang, refused.code, **refusal_values(lang, refused))
    status = (
        t(lang, "admin.resolved.awaiting_code")
        if payment.awaiting_code
        else t(lang, f"status.{payment.status.value}")
    )
    return t(
        lang,
        "admin.resolved",
        id=payment.id,
        external_id=payment.external_id,
        status=status,
        reason=" ".join(reason.split())[:200],
    )


async def pending_and_undelivered(engine: Conversation, session: Session, argument: str) -> str:
    """/pending, and how many messages could not be delivered (see /undelivered)."""
    text = await pending(engine, session, argument)
    dead = await engine.storage.read.outbox.dead_count()
    if dead:
        text += "\n\n" + t(session.language, "admin.pending.dead", count=dead)
    flagged = await flagged_collections(engine, session.language)
    if flagged:
        text += "\n\n" + flagged
    return text


async def flagged_collections(engine: Conversation, language: str) -> str:
    """What /pending adds: the collections flagged for an admin ('' when none)."""
    seen = await _accounts(engine).collections_overview()
    if not seen.flagged:
        return ""
    title = t(language, "admin.pending.collections", count=len(seen.flagged))
    return "\n".join([title, *await collection_lines(engine, language, seen.flagged)])


UNDELIVERED_SHOWN = 20


async def undelivered(engine: Conversation, session: Session, argument: str) -> str:
    """/undelivered: messages set aside because they could not be rendered or were refused."""
    lang = session.language
    read = engine.storage.read
    count = await read.outbox.dead_count()
    if not count:
        return t(lang, "admin.undelivered.none")
    lines = [t(lang, "admin.undelivered.title", count=count)]
    for letter in await read.outbox.dead_letters(UNDELIVERED_SHOWN):
        message = letter.message
        user = await read.users.get(message.user_id)
        payment = (
            t(lang, "admin.undelivered.payment", id=message.payment_id)
            if message.payment_id is not None
            else t(lang, "admin.undelivered.no_payment")
        )
        lines.append(
            t(
                lang,
                "admin.undelivered.line",
                id=message.id,
                date=date_time(message.created_at),
                user=user_label(user) if user is not None else f"#{message.user_id}",
                payment=payment,
                kind=message.kind.value,
                error=letter.error[:160],
            )
        )
    return "\n".join(lines)


def register(registry: Registry) -> None:
    registry.add(
        commands={
            "admin": admin_only(admin_help),
            "credit": admin_only(credit),
            "debit": admin_only(debit),
            "role": admin_only(role),
            "user": admin_only(user_info),
            "pending": admin_only(pending_and_undelivered),
            "undelivered": admin_only(undelivered),
            "provider": admin_only(provider),
            "stats": admin_only(stats),
            "resolve": admin_only(resolve),
        }
    )
