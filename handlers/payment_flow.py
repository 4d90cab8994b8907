"""Paying a bill or buying Woyofal, step by step.

menu → reference → (bills: choose one | Woyofal: amount) → [agents: client] → confirmation
→ payment sent. The result itself reaches the user through the outbox (notifier), the same
way whether it comes at once or minutes later by callback.

At the reference step the user's saved references come first (the most used first), then the
ones used lately. Agents may attach a client's name or phone number before confirming.
"""

import logging
import secrets

from bot.services.quotes import BillLookupFailed, LookupProblem, Quote
from bot.services.wallets import NotEnoughCredit
from handlers import funding, wallet
from handlers.formatting import biller_name, due_date, fcfa, service_name
from handlers.i18n import t
from handlers.session import Session
from handlers.steps import Action, Conversation, Registry, Step
from handlers.types import Button, Outcome, Reply, keyboard
from handlers.validation import (
    REFERENCE_EXAMPLES,
    check_amount,
    parse_amount,
    parse_label,
    parse_reference,
    reference_has_letters,
)
from storage.models import SERVICE_BY_KEY, Payment, Role, Service

log = logging.getLogger(__name__)

ASK_REFERENCE = "ask_reference"
CHOOSE_BILL = "choose_bill"
ASK_AMOUNT = "ask_amount"
ASK_LABEL = "ask_label"
CONFIRM = "confirm"

MAX_BILLS_SHOWN = 10
MAX_RECENT = 5


# --- start ------------------------------------------------------------------------------------


async def start_payment(engine: Conversation, session: Session, argument: str) -> Outcome:
    service = SERVICE_BY_KEY.get(argument)
    if service is None:
        return await engine.stale(session, None)
    balance = await engine.storage.read.ledger.balance(session.user.id)
    if balance <= 0 and not can_pay_the_rest(engine):
        # No credit at all, and no way to pay from mobile money: say so now rather than
        # after the whole flow. (With funding, the confirmation offers to pay the rest.)
        session.to_menu()
        text = "\n\n".join(
            [
                t(session.language, "wallet.empty", balance=fcfa(balance)),
                wallet.how_to_credit(engine, session),
            ]
        )
        return Outcome([Reply(text, wallet.credit_keyboard(engine, session))])
    session.go(ASK_REFERENCE, {"service": service.value})
    return Outcome(await reference_prompt(engine, session))


# --- reference ----------------------------------------------------------------------------------


async def reference_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    service = Service(session.data["service"])
    if service is Service.WOYOFAL:
        text = t(lang, "ask.meter")
    else:
        # The biller's own name: "référence client Senelec", not "… Facture Senelec".
        text = t(lang, "ask.reference", service=biller_name(lang, service))
    read = engine.storage.read
    saved = await read.saved_references.most_used(session.user.id, service, MAX_RECENT)
    rows = [
        [
            Button(
                t(lang, "saved.button", nickname=item.nickname, reference=item.reference)
                if item.nickname
                else f"⭐ {item.reference}",
                session.step_payload(f"ref:{item.reference}"),
            )
        ]
        for item in saved
    ]
    shown = {item.reference for item in saved}
    recent = await read.payments.recent_references(session.user.id, service, MAX_RECENT * 2)
    recent = [ref for ref in recent if ref not in shown][: MAX_RECENT - len(saved)]
    rows += [[Button(ref, session.step_payload(f"ref:{ref}"))] for ref in recent]
    if saved:
        text = f"{text}\n{t(lang, 'ask.saved')}"
    elif recent:
        text = f"{text}\n{t(lang, 'ask.recent')}"
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_reference_text(engine: Conversation, session: Session, text: str) -> Outcome:
    reference = parse_reference(text)
    if reference is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        service = Service(session.data["service"])
        key = "bad.reference.letters" if reference_has_letters(text) else "bad.reference"
        example = REFERENCE_EXAMPLES[service.facts.key]
        lead = t(session.language, key, text=shown, example=example)
        prompt = await reference_prompt(engine, session)
        return Outcome([Reply(lead, prompt[0].buttons)])
    return await use_reference(engine, session, reference)


async def on_reference_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    reference = parse_reference(argument) if action == "ref" else None
    if reference is None:
        return await engine.stale(session, None)
    outcome = await use_reference(engine, session, reference)
    outcome.replace_pressed = True
    return outcome


async def use_reference(engine: Conversation, session: Session, reference: str) -> Outcome:
    service = Service(session.data["service"])
    saved = await engine.storage.read.saved_references.find(session.user.id, service, reference)
    nickname = saved.nickname if saved is not None else None
    if service is Service.WOYOFAL:
        session.go(ASK_AMOUNT, {**session.data, "reference": reference, "nickname": nickname})
        return Outcome(await amount_prompt(engine, session))
    session.data["nickname"] = nickname
    return await look_up_bills(engine, session, service, reference)


def shown_reference(language: str, reference: str, nickname: str | None) -> str:
    """07061270877 (Maison), or the number alone when it has no nickname."""
    if not nickname:
        return reference
    return t(language, "reference.named", reference=reference, nickname=nickname)


async def start_with_reference(
    engine: Conversation, session: Session, service: Service, reference: str
) -> Outcome:
    """A payment whose reference is already known (a saved one): straight to the amount,
    or to the bill."""
    outcome = await start_payment(engine, session, service.facts.key)
    if session.state != ASK_REFERENCE:
        return outcome  # no credit: start_payment said so
    return await use_reference(engine, session, reference)


async def buy_again(engine: Conversation, session: Session, payment: Payment) -> Outcome:
    """The same meter and amount as a past Woyofal purchase, straight to the confirmation,
    with a fresh quote (today's fee) and a fresh quote id: a new payment, never the old one's
    idempotency key."""
    saved = await engine.storage.read.saved_references.find(
        session.user.id, payment.service, payment.reference
    )
    session.go(
        ASK_AMOUNT,
        {
            "service": payment.service.value,
            "reference": payment.reference,
            "nickname": saved.nickname if saved is not None else None,
            "suggested_label": payment.client_label,
        },
    )
    quote = engine.payments.woyofal_quote(payment.reference, payment.amount)
    return await go_confirm(engine, session, quote)


# --- bills --------------------------------------------------------------------------------------


async def look_up_bills(
    engine: Conversation, session: Session, service: Service, reference: str
) -> Outcome:
    lang = session.language
    try:
        choice = await engine.payments.bill_choice(service, reference)
    except BillLookupFailed as failed:
        if failed.problem is LookupProblem.REFUSED:
            # Refused reference: stay on this step so the user can type another one.
            lead = t(lang, "bills.refused", reference=reference, message=failed.message[:200])
            prompt = await reference_prompt(engine, session)
            return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
        session.to_menu()
        key = {
            LookupProblem.MAINTENANCE: "bills.maintenance",
            LookupProblem.UNAVAILABLE: "bills.unavailable",
            LookupProblem.ALREADY_PAID: "bills.none",
        }[failed.problem]
        return Outcome([engine.menu_reply(session, key, reference=reference)])
    if not choice.quotes:
        session.to_menu()
        return Outcome([engine.menu_reply(session, "bills.none", reference=reference)])
    if len(choice.quotes) == 1:
        return await go_confirm(engine, session, choice.quotes[0])
    quotes = [quote.to_dict() for quote in choice.quotes[:MAX_BILLS_SHOWN]]
    session.go(
        CHOOSE_BILL,
        {"service": service.value, "quotes": quotes, "nickname": session.data.get("nickname")},
    )
    return Outcome(await bills_prompt(engine, session))


async def bills_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    quotes = [Quote.from_dict(item) for item in session.data["quotes"]]
    holder = quotes[0].holder_name
    text = t(
        lang,
        "bills.choose",
        count=len(quotes),
        reference=quotes[0].reference,
        holder=f" ({holder})" if holder else "",
    )
    rows = [
        [
            Button(
                t(lang, "bills.option", amount=fcfa(quote.total), due=due_date(quote.due_date)),
                session.step_payload(f"bill:{index}"),
            )
        ]
        for index, quote in enumerate(quotes)
    ]
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_bill_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    quotes = session.data.get("quotes", [])
    if action != "bill" or not argument.isdigit() or int(argument) >= len(quotes):
        return await engine.stale(session, None)
    outcome = await go_confirm(engine, session, Quote.from_dict(quotes[int(argument)]))
    outcome.replace_pressed = True
    return outcome


# --- Woyofal amount -----------------------------------------------------------------------------


async def amount_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    config = engine.config
    text = t(
        lang,
        "ask.amount",
        reference=shown_reference(lang, session.data["reference"], session.data.get("nickname")),
        min=fcfa(config.woyofal_min),
        max=fcfa(config.woyofal_max),
    )
    amounts = [a for a in config.quick_amounts if config.woyofal_min <= a <= config.woyofal_max]
    buttons = [Button(fcfa(a), session.step_payload(f"amt:{a}")) for a in amounts]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_amount_text(engine: Conversation, session: Session, text: str) -> Outcome:
    return await use_amount(engine, session, parse_amount(text), text)


async def on_amount_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    if action != "amt" or not argument.isdigit():
        return await engine.stale(session, None)
    outcome = await use_amount(engine, session, int(argument), argument)
    outcome.replace_pressed = True
    return outcome


async def use_amount(
    engine: Conversation, session: Session, amount: int | None, text: str
) -> Outcome:
    config = engine.config
    problem = check_amount(amount, config.woyofal_min, config.woyofal_max, text)
    if problem is not None or amount is None:
        reason = problem.reason if problem else "not_a_number"
        readings = problem.readings if problem else ()
        shown = text if len(text) <= 30 else text[:30] + "…"
        lead = t(
            session.language,
            f"bad.amount.{reason}",
            text=shown,
            min=fcfa(config.woyofal_min),
            max=fcfa(config.woyofal_max),
            first=fcfa(readings[0]) if readings else "",
            second=fcfa(readings[-1]) if readings else "",
            digits=str(readings[0]) if readings else "5000",
        )
        prompt = await amount_prompt(engine, session)
        # An unclear amount is asked, never guessed: its readings are one tap away.
        shown_payloads = {button.payload for row in prompt[0].buttons for button in row}
        asked = [Button(fcfa(r), session.step_payload(f"amt:{r}")) for r in readings]
        asked = [button for button in asked if button.payload not in shown_payloads]
        return Outcome([Reply(lead, keyboard(asked, *prompt[0].buttons))])
    quote = engine.payments.woyofal_quote(session.data["reference"], amount)
    return await go_confirm(engine, session, quote)


# --- confirmation -------------------------------------------------------------------------------


def summary(
    language: str, quote: Quote, nickname: str | None = None, label: str | None = None
) -> str:
    lines = [
        t(language, "confirm.title"),
        "",
        t(language, "confirm.service", service=service_name(language, quote.service)),
    ]
    reference = shown_reference(language, quote.reference, nickname)
    if quote.service is Service.WOYOFAL:
        lines.append(t(language, "confirm.meter", reference=reference))
    else:
        lines.append(t(language, "confirm.reference", reference=reference))
        if quote.holder_name:
            lines.append(t(language, "confirm.holder", holder=quote.holder_name))
        if quote.bill_reference:
            lines.append(t(language, "confirm.bill", bill=quote.bill_reference))
        if quote.due_date:
            lines.append(t(language, "confirm.due", due=due_date(quote.due_date)))
    if label:
        lines.append(t(language, "confirm.client", label=label))
    lines += [
        t(language, "confirm.amount", amount=fcfa(quote.amount)),
        t(language, "confirm.fee", fee=fcfa(quote.fee)),
        t(language, "confirm.total", total=fcfa(quote.total)),
    ]
    return "\n".join(lines)


def session_summary(session: Session) -> str:
    quote = Quote.from_dict(session.data["quote"])
    return summary(session.language, quote, session.data.get("nickname"), session.data.get("label"))


def asks_client(session: Session) -> bool:
    """Agents serve walk-in clients: they may name the client before confirming."""
    return session.user.role is Role.AGENT


async def go_confirm(engine: Conversation, session: Session, quote: Quote) -> Outcome:
    # The quote id is the payment's idempotency key: every press of this keyboard, in any
    # process, finds the same payment (money rule 1). A new quote always gets a new id.
    balance = await engine.storage.read.ledger.balance(session.user.id)
    data = {
        "quote": quote.to_dict(),
        "quote_id": secrets.token_hex(12),
        "balance": balance,
        "nickname": session.data.get("nickname"),
    }
    if asks_client(session):
        session.go(ASK_LABEL, {**data, "suggested_label": session.data.get("suggested_label")})
        return Outcome(await label_prompt(engine, session))
    session.go(CONFIRM, data)
    return Outcome(confirm_prompt_sync(engine, session))


# --- client label (agents) ----------------------------------------------------------------------


async def label_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    quote = Quote.from_dict(session.data["quote"])
    text = f"{summary(lang, quote, session.data.get('nickname'))}\n\n{t(lang, 'label.ask')}"
    rows: list[list[Button]] = []
    suggested = session.data.get("suggested_label")
    if suggested:
        rows.append(
            [Button(t(lang, "button.same_label", label=suggested), session.step_payload("same"))]
        )
    rows.append([Button(t(lang, "button.skip_label"), session.step_payload("skip"))])
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_label_text(engine: Conversation, session: Session, text: str) -> Outcome:
    label = parse_label(text)
    if label is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        prompt = await label_prompt(engine, session)
        lead = t(session.language, "label.bad", text=shown)
        return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
    return enter_confirm(engine, session, label)


async def on_label_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    if action == "skip":
        outcome = enter_confirm(engine, session, None)
    elif action == "same" and session.data.get("suggested_label"):
        outcome = enter_confirm(engine, session, session.data["suggested_label"])
    else:
        return await engine.stale(session, None)
    outcome.replace_pressed = True
    return outcome


def enter_confirm(engine: Conversation, session: Session, label: str | None) -> Outcome:
    data = {key: session.data[key] for key in ("quote", "quote_id", "balance", "nickname")}
    session.go(CONFIRM, {**data, "label": label})
    return Outcome(confirm_prompt_sync(engine, session))


# --- confirmation ---------------------------------------------------------------------------------


def confirm_prompt_sync(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    balance = int(session.data.get("balance", 0))
    available = t(lang, "wallet.available", balance=fcfa(balance))
    missing = Quote.from_dict(session.data["quote"]).total - balance
    if missing > 0 and can_pay_the_rest(engine):
        # Not a dead end: the rest comes from mobile money, then this purchase is paid.
        assert engine.funding is not None
        methods = " / ".join(funding.method_name(lang, m) for m in engine.funding.rules.methods)
        rest = t(lang, "rest.offer", missing=fcfa(missing), methods=methods)
        text = f"{session_summary(session)}\n{available}\n\n{rest}"
        first = Button(t(lang, "rest.button"), session.step_payload("rest"))
    else:
        text = f"{session_summary(session)}\n{available}\n\n{t(lang, 'confirm.question')}"
        first = Button(t(lang, "button.confirm"), session.step_payload("ok"))
    buttons = keyboard([first, Button(t(lang, "button.cancel"), session.step_payload("cancel"))])
    return [Reply(text, buttons)]


def can_pay_the_rest(engine: Conversation) -> bool:
    return engine.funding is not None and bool(engine.funding.rules.methods)


async def pay_the_rest(engine: Conversation, session: Session) -> Outcome:
    """Fund what the balance lacks, then this purchase is paid (bot/services/pay_the_rest.py):
    the funding flow carries the confirmed quote to the collection that pays for it."""
    lang = session.language
    quote = Quote.from_dict(session.data["quote"])
    balance = await engine.storage.read.ledger.balance(session.user.id)
    shown = session_summary(session)
    if balance >= quote.total:
        # Money arrived meanwhile: nothing to fund, confirm as usual.
        session.data["balance"] = balance
        session.spend_current_keyboard()
        session.go(CONFIRM, dict(session.data))
        outcome = Outcome(confirm_prompt_sync(engine, session), replace_pressed=True)
        return outcome
    purchase = {"quote": quote.to_dict(), "label": session.data.get("label")}
    session.spend_current_keyboard()
    outcome = await funding.begin_funding(
        engine, session, amount=quote.total - balance, extra={funding.PURCHASE: purchase}
    )
    outcome.spend_keyboard = True
    outcome.spent_text = f"{shown}\n\n{t(lang, 'rest.chosen')}"
    return outcome


async def confirm_prompt(engine: Conversation, session: Session) -> list[Reply]:
    return confirm_prompt_sync(engine, session)


async def on_confirm_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    if action == "rest" and can_pay_the_rest(engine):
        return await pay_the_rest(engine, session)
    if action != "ok":
        return await engine.stale(session, None)
    lang = session.language
    quote = Quote.from_dict(session.data["quote"])
    shown = session_summary(session)
    try:
        payment, created = await engine.payments.confirm(
            session.user.id, quote, session.data["quote_id"], session.data.get("label")
        )
    except NotEnoughCredit as short:
        # Nothing was created and DEXCHANGE was not called: say why and how to get credit.
        session.spend_current_keyboard()
        refusal = t(
            lang, "wallet.not_enough", needed=fcfa(short.needed), balance=fcfa(short.balance)
        )
        if can_pay_the_rest(engine):
            # The balance moved since the summary: the same purchase, offering to pay the rest.
            session.go(CONFIRM, {**session.data, "balance": short.balance})
            return Outcome(
                confirm_prompt_sync(engine, session),
                spend_keyboard=True,
                spent_text=f"{shown}\n\n{refusal}",
                toast=refusal[:200],
            )
        session.to_menu()
        return Outcome(
            [Reply(wallet.how_to_credit(engine, session), engine.main_menu(session))],
            spend_keyboard=True,
            spent_text=f"{shown}\n\n{refusal}",
            toast=refusal[:200],
        )
    session.spend_current_keyboard()
    session.to_menu(last_payment_id=payment.id)
    sending = t(lang, "confirm.sending" if created else "confirm.already")
    return Outcome(
        spend_keyboard=True,
        spent_text=f"{shown}\n\n{sending}",
        toast=sending[:200],
    )


async def confirm_text(engine: Conversation, session: Session, text: str) -> Outcome:
    replies = confirm_prompt_sync(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


async def bills_text(engine: Conversation, session: Session, text: str) -> Outcome:
    replies = await bills_prompt(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


def _command_for(name: str) -> Action:
    async def command(engine: Conversation, session: Session, argument: str) -> Outcome:
        return await start_payment(engine, session, name)

    return command


def register(registry: Registry) -> None:
    registry.add(
        # "next": an agent's "next client", same service
        actions={"pay": start_payment, "next": start_payment},
        commands={key: _command_for(key) for key in SERVICE_BY_KEY},
        steps={
            ASK_REFERENCE: Step(reference_prompt, on_reference_text, on_reference_button),
            CHOOSE_BILL: Step(bills_prompt, bills_text, on_bill_button),
            ASK_AMOUNT: Step(amount_prompt, on_amount_text, on_amount_button),
            ASK_LABEL: Step(label_prompt, on_label_text, on_label_button),
            CONFIRM: Step(confirm_prompt, confirm_text, on_confirm_button),
        },
    )
