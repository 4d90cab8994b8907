"""Paying a bill or buying Woyofal, step by step.

menu → reference → (bills: choose one | Woyofal: amount) → confirmation → payment sent.
The result itself reaches the user through the outbox (notifier), the same way whether it
comes at once or minutes later by callback.
"""

import logging
import secrets
from typing import TYPE_CHECKING

from bot.dexchange import errors
from bot.quotes import Quote
from bot.wallets import NotEnoughCredit
from handlers import wallet
from handlers.formatting import due_date, fcfa
from handlers.i18n import t
from handlers.session import Session
from handlers.types import Button, Outcome, Reply, keyboard
from handlers.validation import check_amount, parse_amount, parse_reference
from storage.models import Service

if TYPE_CHECKING:
    from handlers.engine import Action, ConversationEngine, Registry

log = logging.getLogger(__name__)

ASK_REFERENCE = "ask_reference"
CHOOSE_BILL = "choose_bill"
ASK_AMOUNT = "ask_amount"
CONFIRM = "confirm"

SERVICES = {"woyofal": Service.WOYOFAL, "senelec": Service.SENELEC, "seneau": Service.SENEAU}
MAX_BILLS_SHOWN = 10
MAX_RECENT = 5


def service_name(language: str, service: Service) -> str:
    return t(language, f"service.{service.value}")


# --- start ------------------------------------------------------------------------------------


async def start_payment(engine: "ConversationEngine", session: Session, argument: str) -> Outcome:
    service = SERVICES.get(argument)
    if service is None:
        return await engine.stale(session, None)
    balance = await engine.storage.read.ledger.balance(session.user.id)
    if balance <= 0:
        # No credit at all: say so now rather than after the whole flow.
        session.to_menu()
        text = "\n\n".join(
            [
                t(session.language, "wallet.empty", balance=fcfa(balance)),
                wallet.how_to_credit(engine, session),
            ]
        )
        return Outcome([Reply(text, engine.main_menu(session))])
    session.go(ASK_REFERENCE, {"service": service.value})
    return Outcome(await reference_prompt(engine, session))


# --- reference ----------------------------------------------------------------------------------


async def reference_prompt(engine: "ConversationEngine", session: Session) -> list[Reply]:
    lang = session.language
    service = Service(session.data["service"])
    if service is Service.WOYOFAL:
        text = t(lang, "ask.meter")
    else:
        # The biller's own name: "référence client Senelec", not "… Facture Senelec".
        text = t(lang, "ask.reference", service=t(lang, f"biller.{service.value}"))
    recent = await engine.storage.read.payments.recent_references(
        session.user.id, service, MAX_RECENT
    )
    rows = [[Button(ref, session.step_payload(f"ref:{ref}"))] for ref in recent]
    if recent:
        text = f"{text}\n{t(lang, 'ask.recent')}"
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_reference_text(engine: "ConversationEngine", session: Session, text: str) -> Outcome:
    reference = parse_reference(text)
    if reference is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        lead = t(session.language, "bad.reference", text=shown)
        prompt = await reference_prompt(engine, session)
        return Outcome([Reply(lead, prompt[0].buttons)])
    return await use_reference(engine, session, reference)


async def on_reference_button(
    engine: "ConversationEngine", session: Session, action: str, argument: str
) -> Outcome:
    reference = parse_reference(argument) if action == "ref" else None
    if reference is None:
        return await engine.stale(session, None)
    outcome = await use_reference(engine, session, reference)
    outcome.replace_pressed = True
    return outcome


async def use_reference(engine: "ConversationEngine", session: Session, reference: str) -> Outcome:
    service = Service(session.data["service"])
    if service is Service.WOYOFAL:
        session.go(ASK_AMOUNT, {**session.data, "reference": reference})
        return Outcome(await amount_prompt(engine, session))
    return await look_up_bills(engine, session, service, reference)


# --- bills --------------------------------------------------------------------------------------


async def look_up_bills(
    engine: "ConversationEngine", session: Session, service: Service, reference: str
) -> Outcome:
    lang = session.language
    try:
        choice = await engine.payments.bill_choice(service, reference)
    except errors.Maintenance:
        session.to_menu()
        return Outcome([engine.menu_reply(session, "bills.maintenance")])
    except (errors.OutcomeUnknown, errors.RateLimited, errors.Unauthorized):
        session.to_menu()
        return Outcome([engine.menu_reply(session, "bills.unavailable")])
    except errors.BillAlreadyPaid:
        session.to_menu()
        return Outcome([engine.menu_reply(session, "bills.none", reference=reference)])
    except errors.DexchangeError as error:
        # Refused reference: stay on this step so the user can type another one.
        lead = t(lang, "bills.refused", reference=reference, message=error.message[:200])
        prompt = await reference_prompt(engine, session)
        return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
    if not choice.quotes:
        session.to_menu()
        return Outcome([engine.menu_reply(session, "bills.none", reference=reference)])
    if len(choice.quotes) == 1:
        return await go_confirm(engine, session, choice.quotes[0])
    quotes = [quote.to_dict() for quote in choice.quotes[:MAX_BILLS_SHOWN]]
    session.go(CHOOSE_BILL, {"service": service.value, "quotes": quotes})
    return Outcome(await bills_prompt(engine, session))


async def bills_prompt(engine: "ConversationEngine", session: Session) -> list[Reply]:
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
    engine: "ConversationEngine", session: Session, action: str, argument: str
) -> Outcome:
    quotes = session.data.get("quotes", [])
    if action != "bill" or not argument.isdigit() or int(argument) >= len(quotes):
        return await engine.stale(session, None)
    outcome = await go_confirm(engine, session, Quote.from_dict(quotes[int(argument)]))
    outcome.replace_pressed = True
    return outcome


# --- Woyofal amount -----------------------------------------------------------------------------


async def amount_prompt(engine: "ConversationEngine", session: Session) -> list[Reply]:
    lang = session.language
    config = engine.config
    text = t(
        lang,
        "ask.amount",
        reference=session.data["reference"],
        min=fcfa(config.woyofal_min),
        max=fcfa(config.woyofal_max),
    )
    amounts = [a for a in config.quick_amounts if config.woyofal_min <= a <= config.woyofal_max]
    buttons = [Button(fcfa(a), session.step_payload(f"amt:{a}")) for a in amounts]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_amount_text(engine: "ConversationEngine", session: Session, text: str) -> Outcome:
    return await use_amount(engine, session, parse_amount(text), text)


async def on_amount_button(
    engine: "ConversationEngine", session: Session, action: str, argument: str
) -> Outcome:
    if action != "amt" or not argument.isdigit():
        return await engine.stale(session, None)
    outcome = await use_amount(engine, session, int(argument), argument)
    outcome.replace_pressed = True
    return outcome


async def use_amount(
    engine: "ConversationEngine", session: Session, amount: int | None, text: str
) -> Outcome:
    config = engine.config
    problem = check_amount(amount, config.woyofal_min, config.woyofal_max)
    if problem is not None or amount is None:
        reason = problem.reason if problem else "not_a_number"
        shown = text if len(text) <= 30 else text[:30] + "…"
        lead = t(
            session.language,
            f"bad.amount.{reason}",
            text=shown,
            min=fcfa(config.woyofal_min),
            max=fcfa(config.woyofal_max),
        )
        prompt = await amount_prompt(engine, session)
        return Outcome([Reply(lead, prompt[0].buttons)])
    quote = engine.payments.woyofal_quote(session.data["reference"], amount)
    return await go_confirm(engine, session, quote)


# --- confirmation -------------------------------------------------------------------------------


def summary(language: str, quote: Quote) -> str:
    lines = [
        t(language, "confirm.title"),
        "",
        t(language, "confirm.service", service=service_name(language, quote.service)),
    ]
    if quote.service is Service.WOYOFAL:
        lines.append(t(language, "confirm.meter", reference=quote.reference))
    else:
        lines.append(t(language, "confirm.reference", reference=quote.reference))
        if quote.holder_name:
            lines.append(t(language, "confirm.holder", holder=quote.holder_name))
        if quote.bill_reference:
            lines.append(t(language, "confirm.bill", bill=quote.bill_reference))
        if quote.due_date:
            lines.append(t(language, "confirm.due", due=due_date(quote.due_date)))
    lines += [
        t(language, "confirm.amount", amount=fcfa(quote.amount)),
        t(language, "confirm.fee", fee=fcfa(quote.fee)),
        t(language, "confirm.total", total=fcfa(quote.total)),
    ]
    return "\n".join(lines)


async def go_confirm(engine: "ConversationEngine", session: Session, quote: Quote) -> Outcome:
    # The quote id is the payment's idempotency key: every press of this keyboard, in any
    # process, finds the same payment (money rule 1).
    balance = await engine.storage.read.ledger.balance(session.user.id)
    session.go(
        CONFIRM,
        {"quote": quote.to_dict(), "quote_id": secrets.token_hex(12), "balance": balance},
    )
    return Outcome(confirm_prompt_sync(engine, session))


def confirm_prompt_sync(engine: "ConversationEngine", session: Session) -> list[Reply]:
    lang = session.language
    quote = Quote.from_dict(session.data["quote"])
    available = t(lang, "wallet.available", balance=fcfa(session.data.get("balance", 0)))
    text = f"{summary(lang, quote)}\n{available}\n\n{t(lang, 'confirm.question')}"
    buttons = keyboard(
        [
            Button(t(lang, "button.confirm"), session.step_payload("ok")),
            Button(t(lang, "button.cancel"), session.step_payload("cancel")),
        ]
    )
    return [Reply(text, buttons)]


async def confirm_prompt(engine: "ConversationEngine", session: Session) -> list[Reply]:
    return confirm_prompt_sync(engine, session)


async def on_confirm_button(
    engine: "ConversationEngine", session: Session, action: str, argument: str
) -> Outcome:
    if action != "ok":
        return await engine.stale(session, None)
    lang = session.language
    quote = Quote.from_dict(session.data["quote"])
    try:
        payment, created = await engine.payments.confirm(
            session.user.id, quote, session.data["quote_id"]
        )
    except NotEnoughCredit as short:
        # Nothing was created and DEXCHANGE was not called: say why and how to get credit.
        session.spend_current_keyboard()
        session.to_menu()
        refusal = t(
            lang, "wallet.not_enough", needed=fcfa(short.needed), balance=fcfa(short.balance)
        )
        return Outcome(
            [Reply(wallet.how_to_credit(engine, session), engine.main_menu(session))],
            spend_keyboard=True,
            spent_text=f"{summary(lang, quote)}\n\n{refusal}",
            toast=refusal[:200],
        )
    session.spend_current_keyboard()
    session.to_menu(last_payment_id=payment.id)
    sending = t(lang, "confirm.sending" if created else "confirm.already")
    return Outcome(
        spend_keyboard=True,
        spent_text=f"{summary(lang, quote)}\n\n{sending}",
        toast=sending[:200],
    )


async def confirm_text(engine: "ConversationEngine", session: Session, text: str) -> Outcome:
    replies = confirm_prompt_sync(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


async def bills_text(engine: "ConversationEngine", session: Session, text: str) -> Outcome:
    replies = await bills_prompt(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


def _command_for(name: str) -> "Action":
    async def command(engine: "ConversationEngine", session: Session, argument: str) -> Outcome:
        return await start_payment(engine, session, name)

    return command


def register(registry: "Registry") -> None:
    from handlers.engine import Step

    registry.actions["pay"] = start_payment
    for name in SERVICES:
        registry.commands[name] = _command_for(name)
    registry.steps[ASK_REFERENCE] = Step(reference_prompt, on_reference_text, on_reference_button)
    registry.steps[CHOOSE_BILL] = Step(bills_prompt, bills_text, on_bill_button)
    registry.steps[ASK_AMOUNT] = Step(amount_prompt, on_amount_text, on_amount_button)
    registry.steps[CONFIRM] = Step(confirm_prompt, confirm_text, on_confirm_button)
