"""Agents' tools: /find a client's payment and its code, /last code again, /today and
/report YYYY-MM-DD for the cash count at closing time.

For agents (and admins, for their own payments). Every query is by the session user's id:
an agent only ever sees their own payments.
"""

from datetime import date, timedelta

from handlers.formatting import date_time, fcfa, service_name
from handlers.history import status_text
from handlers.i18n import t
from handlers.reports import report_text
from handlers.results import render, shown_code
from handlers.session import MENU, Session, global_payload
from handlers.steps import Action, Conversation, Registry, Step
from handlers.types import Button, Outcome, Reply, keyboard
from handlers.validation import parse_day, parse_label, parse_reference
from storage.day_report import day_report
from storage.models import OutboxKind, PaymentStatus, Role

FIND = "find"
FOUND_SHOWN = 5


def is_agent(session: Session) -> bool:
    return session.user.role in (Role.AGENT, Role.ADMIN)


def agents_only(action: Action) -> Action:
    """Customers get a plain refusal; agents and admins get the tool."""

    async def guarded(engine: Conversation, session: Session, argument: str) -> Outcome:
        if not is_agent(session):
            return Outcome([Reply(t(session.language, "agents.only"))])
        return await action(engine, session, argument)

    return guarded


def menu_button(language: str) -> Button:
    return Button(t(language, "button.menu"), global_payload("menu"))


def leave_step(session: Session) -> None:
    if session.state != MENU:
        session.to_menu()


# --- /find --------------------------------------------------------------------------------------


async def find(engine: Conversation, session: Session, argument: str) -> Outcome:
    """/find <meter, reference, client>; without one, ask for it."""
    if not argument.strip():
        session.go(FIND)
        return Outcome(await find_prompt(engine, session))
    return await found(engine, session, argument)


async def find_prompt(engine: Conversation, session: Session) -> list[Reply]:
    return [Reply(t(session.language, "find.ask"), keyboard(engine.cancel_row(session)))]


async def on_find_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    return await engine.stale(session, None)  # its only button, Cancel, the engine handles


async def on_find_text(engine: Conversation, session: Session, text: str) -> Outcome:
    return await found(engine, session, text)


async def found(engine: Conversation, session: Session, query: str) -> Outcome:
    lang = session.language
    reference = parse_reference(query)
    label = parse_label(query)
    if reference is None and label is None:
        leave_step(session)
        return Outcome([Reply(t(lang, "find.bad"), engine.main_menu(session))])
    leave_step(session)
    payments = await engine.storage.read.payments.find_for_user(
        session.user.id, reference, label, FOUND_SHOWN
    )
    shown = reference or label or ""
    if not payments:
        return Outcome([Reply(t(lang, "find.none", query=shown), engine.main_menu(session))])
    lines = [t(lang, "find.title", query=shown)]
    receipts: list[Button] = []
    for number, payment in enumerate(payments, 1):
        lines.append("")
        line = t(
            lang,
            "find.line",
            number=number,
            date=date_time(payment.created_at),
            service=service_name(lang, payment.service),
            reference=payment.reference,
            amount=fcfa(payment.amount),
            status=status_text(lang, payment),
        )
        if payment.client_label:
            line += t(lang, "history.client", label=payment.client_label)
        lines.append(line)
        lines += [shown_code(lang, code) for code in payment.codes]
        if payment.status is PaymentStatus.SUCCESS:
            receipts.append(Button(f"🧾 {number}", global_payload(f"rcpt:{payment.id}")))
    buttons = keyboard(receipts, [menu_button(lang)])
    return Outcome([Reply("\n".join(lines), buttons)])


# --- /last --------------------------------------------------------------------------------------


async def last(engine: Conversation, session: Session, argument: str) -> Outcome:
    """The last code received, as its result showed it, with the same buttons."""
    lang = session.language
    leave_step(session)
    payment = await engine.storage.read.payments.last_with_codes(session.user.id)
    if payment is None:
        return Outcome([Reply(t(lang, "last.none"), engine.main_menu(session))])
    reply = render(OutboxKind.SUCCESS, payment, {}, lang, role=session.user.role)
    return Outcome([Reply(f"{t(lang, 'last.title')}\n\n{reply.text}", reply.buttons)])


# --- /today, /report ----------------------------------------------------------------------------


async def today(engine: Conversation, session: Session, argument: str) -> Outcome:
    return await report_for(engine, session, engine.clock().date())


async def report(engine: Conversation, session: Session, argument: str) -> Outcome:
    """/report YYYY-MM-DD (or DD/MM/YYYY); without a date, today."""
    lang = session.language
    if not argument.strip():
        return await today(engine, session, "")
    day = parse_day(argument)
    if day is None:
        example = (engine.clock() - timedelta(days=1)).date().isoformat()
        return Outcome([Reply(t(lang, "report.usage", example=example))])
    if day > engine.clock().date():
        return Outcome([Reply(t(lang, "report.future", day=day.strftime("%d/%m/%Y")))])
    return await report_for(engine, session, day)


async def report_for(engine: Conversation, session: Session, day: date) -> Outcome:
    leave_step(session)
    figures = await day_report(engine.storage.read, session.user.id, day, engine.clock())
    text = report_text(session.language, figures)
    return Outcome([Reply(text, keyboard([menu_button(session.language)]))])


def register(registry: Registry) -> None:
    tools = {
        "find": agents_only(find),
        "last": agents_only(last),
        "today": agents_only(today),
        "report": agents_only(report),
    }
    registry.add(
        commands={
            **tools,
            "chercher": tools["find"],
            "dernier": tools["last"],
            "jour": tools["today"],
            "rapport": tools["report"],
        },
        actions={"find": tools["find"], "last": tools["last"], "today": tools["today"]},
        steps={FIND: Step(find_prompt, on_find_text, on_find_button)},
    )
