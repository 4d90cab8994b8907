"""A user's own payments: /history (paged), one payment's details and codes again, its
receipt, and "buy again".

Buttons carry a payment id only; every lookup is by (payment id, user id), so a forged id of
someone else's payment finds nothing and is answered like any stale button.
"""

import asyncio

from handlers import payment_flow
from handlers.formatting import date_time, fcfa, service_name
from handlers.i18n import t
from handlers.receipts import charged_fee, receipt_reply, transaction_id
from handlers.results import code_lines, result_buttons
from handlers.session import Session, global_payload
from handlers.steps import Conversation, Registry
from handlers.types import Button, Keyboard, Outcome, Reply, keyboard
from storage.models import OutboxKind, Payment, PaymentStatus, Service

PAGE_SIZE = 5
MAX_ID_DIGITS = 12

STATUS_ICONS = {
    PaymentStatus.SUCCESS: "✅",
    PaymentStatus.FAILED: "❌",
}
PENDING_ICON = "⏳"


def status_text(language: str, payment: Payment) -> str:
    icon = STATUS_ICONS.get(payment.status, PENDING_ICON)
    return f"{icon} {t(language, f'status.{payment.status.value}')}"


def parse_id(argument: str) -> int | None:
    if not argument.isascii() or not argument.isdigit() or len(argument) > MAX_ID_DIGITS:
        return None
    return int(argument)


async def owned_payment(engine: Conversation, session: Session, argument: str) -> Payment | None:
    """The session user's own payment with this id, or None (theirs or nobody's)."""
    payment_id = parse_id(argument)
    if payment_id is None:
        return None
    return await engine.storage.read.payments.get_for_user(payment_id, session.user.id)


async def nicknames(engine: Conversation, session: Session) -> dict[tuple[Service, str], str]:
    saved = await engine.storage.read.saved_references.for_user(session.user.id)
    return {(s.service, s.reference): s.nickname for s in saved if s.nickname}


def menu_button(language: str) -> Button:
    return Button(t(language, "button.menu"), global_payload("menu"))


# --- /history -----------------------------------------------------------------------------------


async def history(engine: Conversation, session: Session, argument: str) -> Outcome:
    """/history: the newest payments, in a new message."""
    return await show_history(engine, session, 0, replace=False)


async def history_button(engine: Conversation, session: Session, argument: str) -> Outcome:
    """g:hist (the menu: a new message) or g:hist:<page> (paging: redrawn in place)."""
    page = parse_id(argument) if argument else 0
    if page is None:
        return await engine.stale(session, None)
    return await show_history(engine, session, page, replace=bool(argument))


async def show_history(
    engine: Conversation, session: Session, page: int, *, replace: bool
) -> Outcome:
    """A page of the user's payments; pages count from 0, the newest first."""
    lang = session.language
    if session.state != "menu":
        session.to_menu()
    read = engine.storage.read
    count = await read.payments.count_for_user(session.user.id)
    if count == 0:
        return Outcome([Reply(t(lang, "history.empty"), engine.main_menu(session))])
    last_page = (count - 1) // PAGE_SIZE
    page = min(page, last_page)
    payments = await read.payments.for_user(session.user.id, PAGE_SIZE, page * PAGE_SIZE)
    names = await nicknames(engine, session)
    first = page * PAGE_SIZE + 1
    lines = [
        t(lang, "history.title", first=first, last=first + len(payments) - 1, count=count),
        "",
    ]
    for number, payment in enumerate(payments, first):
        line = t(
            lang,
            "history.line",
            number=number,
            date=date_time(payment.created_at),
            service=service_name(lang, payment.service),
            reference=names.get((payment.service, payment.reference), payment.reference),
            amount=fcfa(payment.amount),
            status=status_text(lang, payment),
        )
        if payment.client_label:
            line += t(lang, "history.client", label=payment.client_label)
        lines.append(line)
    lines += ["", t(lang, "history.open")]
    numbers = [
        Button(str(number), global_payload(f"hd:{payment.id}"))
        for number, payment in enumerate(payments, first)
    ]
    paging = []
    if page > 0:
        paging.append(Button(t(lang, "button.newer"), global_payload(f"hist:{page - 1}")))
    if page < last_page:
        paging.append(Button(t(lang, "button.older"), global_payload(f"hist:{page + 1}")))
    buttons = keyboard(numbers, paging, [menu_button(lang)])
    return Outcome([Reply("\n".join(lines), buttons)], replace_pressed=replace)


# --- one payment --------------------------------------------------------------------------------


def details_text(language: str, payment: Payment, nickname: str | None) -> str:
    lang = language
    lines = [
        t(lang, "detail.title", date=date_time(payment.created_at)),
        t(lang, "detail.status", status=status_text(lang, payment)),
        t(lang, "detail.service", service=service_name(lang, payment.service)),
    ]
    reference = payment_flow.shown_reference(lang, payment.reference, nickname)
    if payment.service is Service.WOYOFAL:
        lines.append(t(lang, "result.meter", reference=reference))
    else:
        lines.append(t(lang, "result.reference", reference=reference))
        if payment.holder_name:
            lines.append(t(lang, "detail.holder", holder=payment.holder_name))
        if payment.bill_reference:
            lines.append(t(lang, "result.bill", bill=payment.bill_reference))
    if payment.client_label:
        lines.append(t(lang, "result.client", label=payment.client_label))
    fee = charged_fee(payment) if payment.status is PaymentStatus.SUCCESS else payment.fee
    lines += [
        t(lang, "result.amount", amount=fcfa(payment.amount)),
        t(lang, "result.fee", fee=fcfa(fee)),
        t(lang, "result.total", total=fcfa(payment.amount + fee)),
    ]
    if payment.provider_tx_id:
        lines.append(t(lang, "result.transaction", transaction=transaction_id(payment)))
    if payment.status is PaymentStatus.SUCCESS:
        if payment.service is Service.WOYOFAL:
            lines += ["", *code_lines(lang, payment.codes)]
    elif payment.status is PaymentStatus.FAILED:
        lines += ["", t(lang, "detail.failed")]
    else:
        lines += ["", t(lang, "detail.pending")]
    return "\n".join(lines)


async def details(engine: Conversation, session: Session, argument: str) -> Outcome:
    """g:hd:<payment id>: the payment's details and its code(s), with its buttons."""
    payment = await owned_payment(engine, session, argument)
    if payment is None:
        return await engine.stale(session, None)
    if session.state != "menu":
        session.to_menu()
    lang = session.language
    saved = await engine.storage.read.saved_references.find(
        session.user.id, payment.service, payment.reference
    )
    text = details_text(lang, payment, saved.nickname if saved else None)
    rows: list[list[Button]] = []
    if payment.status.is_final:
        kind = OutboxKind.SUCCESS if payment.status is PaymentStatus.SUCCESS else OutboxKind.FAILED
        rows = result_buttons(lang, payment, kind, session.user.role)
        if saved is not None:  # already saved: no "save" button
            rows = [[b for b in row if not b.payload.startswith("g:save:")] for row in rows]
    newer = await engine.storage.read.payments.count_newer_for_user(session.user.id, payment.id)
    back = Button(t(lang, "button.history_back"), global_payload(f"hist:{newer // PAGE_SIZE}"))
    buttons: Keyboard = keyboard(*rows, [back, menu_button(lang)])
    return Outcome([Reply(text, buttons)], replace_pressed=True)


async def receipt(engine: Conversation, session: Session, argument: str) -> Outcome:
    """g:rcpt:<payment id>: the receipt of one of the user's successful payments, as a PNG."""
    payment = await owned_payment(engine, session, argument)
    if payment is None or payment.status is not PaymentStatus.SUCCESS:
        return await engine.stale(session, None)
    lang = session.language
    buttons = keyboard([menu_button(lang)])
    # Drawing the PNG takes a few milliseconds of CPU: off the event loop.
    reply = await asyncio.to_thread(
        receipt_reply, lang, payment, engine.config.operator_name, buttons
    )
    return Outcome([reply])


async def again(engine: Conversation, session: Session, argument: str) -> Outcome:
    """g:again:<payment id>: the same Woyofal purchase again, straight to the confirmation."""
    payment = await owned_payment(engine, session, argument)
    if payment is None or payment.service is not Service.WOYOFAL:
        return await engine.stale(session, None)
    return await payment_flow.buy_again(engine, session, payment)


def register(registry: Registry) -> None:
    registry.add(
        commands={"history": history, "historique": history},
        actions={"hist": history_button, "hd": details, "rcpt": receipt, "again": again},
        menu=[("history", "command.history")],
    )
