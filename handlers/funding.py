"""Funding the wallet from Wave, Orange Money or Free Money, step by step.

menu → amount → wallet → number → summary → collection started. The result (success and
the new balance, failure, expiry) reaches the user through the outbox, like a payment's;
a Wave approval link too, when DEXCHANGE's answer carries one.

`begin_funding` is the entry point: the menu's "➕ Recharger mon compte", /recharger and
the words people type; also other flows (a purchase short of credit), with a preset amount
that skips the amount step and `extra` data carried unchanged to the confirmation.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from bot.services.collections import FundingRefusal, FundingRefused, PurchaseToFund
from handlers import wallet
from handlers.formatting import fcfa
from handlers.i18n import t
from handlers.mobile_numbers import own_number, parse_mobile_number, shown_number
from handlers.session import Session
from handlers.steps import Conversation, FundingPort, Registry, Step
from handlers.types import Button, Outcome, Reply, keyboard
from handlers.validation import parse_amount
from storage.models import FeePaidBy, MoneyMethod, total_for

FUND_AMOUNT = "fund_amount"
FUND_METHOD = "fund_method"
FUND_NUMBER = "fund_number"
FUND_CONFIRM = "fund_confirm"

QUICK_AMOUNTS = (1000, 2000, 5000, 10_000, 20_000)
EXTRA = "extra"  # what the caller of begin_funding gave, unchanged up to the confirmation
PURCHASE = "purchase"  # in `extra`: the purchase to pay once funded ("pay the rest")
# What a step hands to the next one (session.go starts each step with fresh data).
CARRIED = (EXTRA, "amount", "method", "number")
EXAMPLE_NUMBER = "77 123 45 67"


class FundingUnavailable(Exception):
    """A funding step while this process has no collection service: a configuration fault."""


def port(engine: Conversation) -> FundingPort:
    if engine.funding is None:
        raise FundingUnavailable("no collection service configured")
    return engine.funding


def funding_extra(session: Session) -> dict[str, Any]:
    """What `begin_funding(…, extra=…)` was given, at any step of this flow."""
    extra = session.data.get(EXTRA)
    return dict(extra) if isinstance(extra, dict) else {}


def _go(session: Session, state: str, **values: Any) -> None:
    carried = {key: session.data[key] for key in CARRIED if key in session.data}
    session.go(state, {**carried, **values})


def method_name(language: str, method: MoneyMethod) -> str:
    return t(language, f"funding.method.{method.value}")


# --- limits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    minimum: int
    maximum: int  # per collection
    cap: int  # per day
    remaining: int  # what the daily cap still allows today

    @property
    def upper(self) -> int:
        return min(self.maximum, self.remaining)


async def limits(engine: Conversation, session: Session) -> Limits:
    rules = port(engine).rules
    funded = await engine.storage.read.collections.funded_today(session.user.id, engine.clock())
    remaining = max(0, rules.daily_cap - funded)
    return Limits(rules.min_amount, rules.max_amount, rules.daily_cap, remaining)


def cap_reached(engine: Conversation, session: Session, found: Limits) -> Outcome:
    session.to_menu()
    return Outcome(
        [engine.menu_reply(session, "funding.cap_reached", cap=fcfa(found.cap))],
        replace_pressed=True,
    )


# --- start ------------------------------------------------------------------------------------


async def begin_funding(
    engine: Conversation,
    session: Session,
    amount: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Outcome:
    """Start funding the wallet: at the amount step, or with `amount` already chosen at the
    wallet step. `extra` is kept in the session, unchanged, up to the confirmation
    (`funding_extra`)."""
    if engine.funding is None or not engine.funding.rules.methods:
        session.to_menu()
        text = f"{t(session.language, 'funding.unavailable')}\n\n"
        text += wallet.how_to_credit(engine, session)
        return Outcome([Reply(text, engine.main_menu(session))])
    found = await limits(engine, session)
    if found.remaining < found.minimum:
        return cap_reached(engine, session, found)
    session.go(FUND_AMOUNT, {EXTRA: dict(extra or {})})
    if amount is not None:
        # What is missing may be below the minimum collection: the minimum is asked then
        # (the summary says the amount before anything moves; the rest stays in the wallet).
        return await use_amount(engine, session, max(amount, found.minimum), str(amount))
    return Outcome(await amount_prompt(engine, session))


async def start_funding(engine: Conversation, session: Session, argument: str) -> Outcome:
    return await begin_funding(engine, session)


# --- amount -----------------------------------------------------------------------------------


async def amount_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    found = await limits(engine, session)
    lines = [
        t(lang, "funding.ask_amount", min=fcfa(found.minimum), max=fcfa(found.upper)),
    ]
    if found.remaining < found.maximum:
        lines.append(t(lang, "funding.cap_left", remaining=fcfa(found.remaining)))
    amounts = [a for a in QUICK_AMOUNTS if found.minimum <= a <= found.upper]
    buttons = [Button(fcfa(a), session.step_payload(f"amt:{a}")) for a in amounts]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [Reply("\n".join(lines), keyboard(*rows, engine.cancel_row(session)))]


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


def amount_problem(language: str, found: Limits, amount: int | None, text: str) -> str | None:
    """Why `amount` cannot be collected now, in words, or None."""
    if amount is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        return t(language, "funding.bad_amount", text=shown)
    if amount < found.minimum:
        return t(language, "funding.below_min", min=fcfa(found.minimum))
    if amount > found.maximum:
        return t(language, "funding.above_max", max=fcfa(found.maximum))
    if amount > found.remaining:
        return t(
            language, "funding.above_cap", cap=fcfa(found.cap), remaining=fcfa(found.remaining)
        )
    return None


async def use_amount(
    engine: Conversation, session: Session, amount: int | None, text: str
) -> Outcome:
    found = await limits(engine, session)
    if found.remaining < found.minimum:
        return cap_reached(engine, session, found)
    problem = amount_problem(session.language, found, amount, text)
    if problem is not None or amount is None:
        if session.state != FUND_AMOUNT:
            _go(session, FUND_AMOUNT)
        prompt = await amount_prompt(engine, session)
        return Outcome([Reply(f"{problem}\n\n{prompt[0].text}", prompt[0].buttons)])
    _go(session, FUND_METHOD, amount=amount)
    methods = list(port(engine).rules.methods)
    if len(methods) == 1:  # nothing to choose
        _go(session, FUND_NUMBER, method=methods[0].value)
        return Outcome(await number_prompt(engine, session))
    return Outcome(await method_prompt(engine, session))


# --- wallet -----------------------------------------------------------------------------------


async def method_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    text = t(lang, "funding.ask_method", amount=fcfa(session.data["amount"]))
    rows = [
        [Button(method_name(lang, method), session.step_payload(f"m:{method.value}"))]
        for method in port(engine).rules.methods
    ]
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_method_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    methods = {method.value: method for method in port(engine).rules.methods}
    if action != "m" or argument not in methods:
        return await engine.stale(session, None)
    _go(session, FUND_NUMBER, method=argument)
    return Outcome(await number_prompt(engine, session), replace_pressed=True)


async def method_text(engine: Conversation, session: Session, text: str) -> Outcome:
    prompt = await method_prompt(engine, session)
    lead = t(session.language, "funding.choose_method")
    return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])


# --- number -----------------------------------------------------------------------------------


async def known_numbers(engine: Conversation, session: Session) -> list[str]:
    """The number funded from last time, then the user's own (WhatsApp), each once."""
    found: list[str] = []
    account = await engine.storage.read.users.money_account(session.user.id)
    if account is not None:
        found.append(account.number)
    own = own_number(session.user)
    if own is not None and own not in found:
        found.append(own)
    return found


async def number_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    method = method_name(lang, MoneyMethod(session.data["method"]))
    numbers = await known_numbers(engine, session)
    rows = [
        [Button(f"📱 {shown_number(number)}", session.step_payload(f"n:{number}"))]
        for number in numbers
    ]
    if numbers:
        text = t(lang, "funding.ask_number.known", method=method, example=EXAMPLE_NUMBER)
        rows.append([Button(t(lang, "funding.button.other_number"), session.step_payload("other"))])
    else:
        text = t(lang, "funding.ask_number", method=method, example=EXAMPLE_NUMBER)
    return [Reply(text, keyboard(*rows, engine.cancel_row(session)))]


async def on_number_text(engine: Conversation, session: Session, text: str) -> Outcome:
    number = parse_mobile_number(text)
    if number is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        lead = t(session.language, "funding.bad_number", text=shown, example=EXAMPLE_NUMBER)
        prompt = await number_prompt(engine, session)
        return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
    return go_confirm(engine, session, number)


async def on_number_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    lang = session.language
    if action == "other":
        method = method_name(lang, MoneyMethod(session.data["method"]))
        text = t(lang, "funding.type_number", method=method, example=EXAMPLE_NUMBER)
        return Outcome([Reply(text, keyboard(engine.cancel_row(session)))], replace_pressed=True)
    number = parse_mobile_number(argument) if action == "n" else None
    if number is None:
        return await engine.stale(session, None)
    outcome = go_confirm(engine, session, number)
    outcome.replace_pressed = True
    return outcome


# --- summary and confirmation -----------------------------------------------------------------


def go_confirm(engine: Conversation, session: Session, number: str) -> Outcome:
    # The key is the collection's idempotency key: every press of this keyboard, in any
    # process, finds the same collection (money rule 1); a new summary gets a new key.
    _go(session, FUND_CONFIRM, number=number, key=secrets.token_hex(12))
    return Outcome(confirm_prompt_sync(engine, session))


def summary(engine: Conversation, session: Session) -> str:
    lang = session.language
    funding = port(engine)
    amount = int(session.data["amount"])
    method = method_name(lang, MoneyMethod(session.data["method"]))
    fee = funding.fee_for(amount)
    paid_by = funding.rules.fee_paid_by
    if fee == 0:
        fee_line = t(lang, "funding.summary.no_fee")
    elif paid_by is FeePaidBy.CUSTOMER:
        fee_line = t(lang, "funding.summary.fee_customer", fee=fcfa(fee))
    else:
        fee_line = t(
            lang,
            "funding.summary.fee_operator",
            fee=fcfa(fee),
            operator=engine.config.operator_name,
        )
    return "\n".join(
        [
            t(lang, "funding.summary.title"),
            "",
            t(
                lang,
                "funding.summary.number",
                method=method,
                number=shown_number(session.data["number"]),
            ),
            t(lang, "funding.summary.credit", amount=fcfa(amount)),
            fee_line,
            t(
                lang,
                "funding.summary.total",
                method=method,
                total=fcfa(total_for(amount, fee, paid_by)),
            ),
        ]
    )


def confirm_prompt_sync(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    text = f"{summary(engine, session)}\n\n{t(lang, 'funding.confirm.question')}"
    buttons = keyboard(
        [
            Button(t(lang, "funding.button.confirm"), session.step_payload("ok")),
            Button(t(lang, "button.cancel"), session.step_payload("cancel")),
        ]
    )
    return [Reply(text, buttons)]


async def confirm_prompt(engine: Conversation, session: Session) -> list[Reply]:
    return confirm_prompt_sync(engine, session)


async def confirm_text(engine: Conversation, session: Session, text: str) -> Outcome:
    replies = confirm_prompt_sync(engine, session)
    lead = t(session.language, "not_understood")
    return Outcome([Reply(f"{lead}\n\n{replies[0].text}", replies[0].buttons)])


def pending_text(
    engine: Conversation, session: Session, method: MoneyMethod, total: int, for_purchase: bool
) -> str:
    """What to do on the phone now, and for how long (and that the purchase follows)."""
    lang = session.language
    minutes = max(1, round(port(engine).rules.expiry.total_seconds() / 60))
    parts = [
        t(lang, f"funding.pending.{method.value}", total=fcfa(total)),
        t(lang, "funding.pending.time", minutes=minutes),
    ]
    if for_purchase:
        parts.append(t(lang, "rest.pending"))
    return "\n\n".join(parts)


def purchase_to_fund(session: Session) -> PurchaseToFund | None:
    """Pay the rest: the purchase this funding is for (handlers/payment_flow.py put it in
    `extra`), stored with the collection and paid once it succeeds."""
    purchase = funding_extra(session).get(PURCHASE)
    if not isinstance(purchase, dict) or not isinstance(purchase.get("quote"), dict):
        return None
    label = purchase.get("label")
    return PurchaseToFund(purchase["quote"], label if isinstance(label, str) else None)


async def on_confirm_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    if action != "ok":
        return await engine.stale(session, None)
    lang = session.language
    funding = port(engine)
    method = MoneyMethod(session.data["method"])
    amount = int(session.data["amount"])
    shown = summary(engine, session)
    purchase = purchase_to_fund(session)
    try:
        collection, created = await funding.start(
            session.user.id,
            method,
            session.data["number"],
            amount,
            session.data["key"],
            purchase,
        )
    except FundingRefused as refused:
        # Nothing was created: say why; an amount the rules refuse now is asked again.
        session.spend_current_keyboard()
        lead = refusal_text(lang, refused)
        found = await limits(engine, session)
        if refused.reason in (FundingRefusal.METHOD_UNAVAILABLE, FundingRefusal.BAD_NUMBER):
            session.to_menu()
            outcome = Outcome([Reply(f"{lead}\n\n{t(lang, 'menu')}", engine.main_menu(session))])
        elif found.remaining < found.minimum:
            outcome = cap_reached(engine, session, found)
        else:
            _go(session, FUND_AMOUNT)
            prompt = await amount_prompt(engine, session)
            outcome = Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
        outcome.replace_pressed = False
        outcome.spend_keyboard = True
        outcome.spent_text = f"{shown}\n\n{lead}"
        return outcome
    session.spend_current_keyboard()
    session.to_menu(last_collection_id=collection.id)
    started = t(lang, "funding.started" if created else "funding.already")
    replies = []
    if created:
        total = collection.provider_amount
        replies.append(Reply(pending_text(engine, session, method, total, purchase is not None)))
    return Outcome(
        replies, spend_keyboard=True, spent_text=f"{shown}\n\n{started}", toast=started[:200]
    )


def refusal_text(language: str, refused: FundingRefused) -> str:
    reason = refused.reason
    if reason is FundingRefusal.BELOW_MIN:
        return t(language, "funding.below_min", min=fcfa(refused.limit))
    if reason is FundingRefusal.ABOVE_MAX:
        return t(language, "funding.above_max", max=fcfa(refused.limit))
    if reason is FundingRefusal.DAILY_CAP:
        return t(
            language,
            "funding.above_cap",
            cap=fcfa(refused.limit),
            remaining=fcfa(refused.remaining),
        )
    if reason is FundingRefusal.BAD_NUMBER:
        return t(language, "funding.bad_number", text="", example=EXAMPLE_NUMBER)
    return t(language, "funding.method_unavailable")


def register(registry: Registry) -> None:
    registry.add(
        actions={"fund": start_funding},
        # /recharger in French; /topup and /fund for English speakers
        commands={"recharger": start_funding, "topup": start_funding, "fund": start_funding},
        steps={
            FUND_AMOUNT: Step(amount_prompt, on_amount_text, on_amount_button),
            FUND_METHOD: Step(method_prompt, method_text, on_method_button),
            FUND_NUMBER: Step(number_prompt, on_number_text, on_number_button),
            FUND_CONFIRM: Step(confirm_prompt, confirm_text, on_confirm_button),
        },
        menu=[("recharger", "command.fund")],
    )
