"""Saved meters and references: saved from a result with one press, then named ("Maison",
"Boutique", or any name typed); offered first at the reference step; managed with /meters
(pay, rename, delete).

Every lookup is by (id, user id): a user only ever sees or changes their own.
"""

from handlers import payment_flow
from handlers.formatting import biller_name
from handlers.history import owned_payment
from handlers.i18n import t
from handlers.session import MENU, Session, global_payload
from handlers.steps import Conversation, Registry, Step
from handlers.types import Button, Outcome, Reply, keyboard
from handlers.validation import parse_nickname
from storage.models import SavedReference, Service

NAME = "meter_name"
LIST = "meters"
ONE = "meter"
DELETE = "meter_delete"

MAX_SAVED = 20
SUGGESTIONS = ("meters.suggest.1", "meters.suggest.2", "meters.suggest.3", "meters.suggest.4")


def name_of(item: SavedReference) -> str:
    return item.nickname or item.reference


def suggestion(language: str, index: int) -> str:
    """The nickname a quick button gives: its label without the emoji ("🏠 Maison" → "Maison")."""
    label = t(language, SUGGESTIONS[index])
    return label.split(" ", 1)[1] if " " in label else label


def menu_button(language: str) -> Button:
    return Button(t(language, "button.menu"), global_payload("menu"))


async def current(engine: Conversation, session: Session) -> SavedReference | None:
    meter_id = session.data.get("meter_id")
    if not isinstance(meter_id, int):
        return None
    return await engine.storage.read.saved_references.get(session.user.id, meter_id)


def gone(engine: Conversation, session: Session) -> list[Reply]:
    """The saved reference of this step no longer exists (deleted elsewhere): the menu."""
    session.to_menu()
    return [engine.menu_reply(session, "stale_button")]


# --- saving from a result -----------------------------------------------------------------------


async def save_from_payment(engine: Conversation, session: Session, argument: str) -> Outcome:
    """g:save:<payment id>: save that payment's reference at once, then ask for a name."""
    payment = await owned_payment(engine, session, argument)
    if payment is None:
        return await engine.stale(session, None)
    lang = session.language
    read = engine.storage.read
    existing = await read.saved_references.find(session.user.id, payment.service, payment.reference)
    if existing is not None and existing.nickname:
        session.go(ONE, {"meter_id": existing.id})
        lead = t(lang, "meters.already", reference=existing.reference, nickname=existing.nickname)
        prompt = await one_prompt(engine, session)
        return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])
    if existing is None:
        if await read.saved_references.count(session.user.id) >= MAX_SAVED:
            if session.state != MENU:
                session.to_menu()
            return Outcome(
                [Reply(t(lang, "meters.full", max=MAX_SAVED), engine.main_menu(session))]
            )
        async with engine.storage.transaction() as tx:
            existing, _ = await tx.saved_references.add(
                session.user.id, payment.service, payment.reference
            )
    session.go(NAME, {"meter_id": existing.id, "fresh": True})
    # A new message: the result above keeps its code and its buttons.
    return Outcome(await name_prompt(engine, session))


# --- naming -------------------------------------------------------------------------------------


async def name_prompt(engine: Conversation, session: Session) -> list[Reply]:
    item = await current(engine, session)
    if item is None:
        return gone(engine, session)
    lang = session.language
    if session.data.get("fresh"):
        key = "meters.saved.meter" if item.service is Service.WOYOFAL else "meters.saved.reference"
        service = biller_name(lang, item.service)
        text = f"{t(lang, key, reference=item.reference, service=service)}\n"
        text += t(lang, "meters.ask_name")
        last = Button(t(lang, "button.keep_number"), session.step_payload("keep"))
    else:
        text = t(lang, "meters.ask_rename", name=name_of(item))
        last = Button(t(lang, "button.back"), session.step_payload("back"))
    quick = [
        Button(t(lang, key), session.step_payload(f"nick:{index}"))
        for index, key in enumerate(SUGGESTIONS)
    ]
    return [Reply(text, keyboard(quick[:2], quick[2:], [last]))]


async def on_name_text(engine: Conversation, session: Session, text: str) -> Outcome:
    nickname = parse_nickname(text)
    if nickname is None:
        shown = text if len(text) <= 30 else text[:30] + "…"
        return await name_again(engine, session, t(session.language, "meters.bad_name", text=shown))
    return await use_name(engine, session, nickname)


async def on_name_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    lang = session.language
    if action == "nick" and argument in {str(i) for i in range(len(SUGGESTIONS))}:
        outcome = await use_name(engine, session, suggestion(lang, int(argument)))
    elif action == "keep":
        item = await current(engine, session)
        if item is None:
            return Outcome(gone(engine, session), replace_pressed=True)
        session.to_menu()
        outcome = Outcome([engine.menu_reply(session, "meters.kept", reference=item.reference)])
    elif action == "back":
        session.go(ONE, {"meter_id": session.data.get("meter_id")})
        outcome = Outcome(await one_prompt(engine, session))
    else:
        return await engine.stale(session, None)
    outcome.replace_pressed = True
    return outcome


async def name_again(engine: Conversation, session: Session, lead: str) -> Outcome:
    prompt = await name_prompt(engine, session)
    if session.state != NAME:
        return Outcome(prompt)
    return Outcome([Reply(f"{lead}\n\n{prompt[0].text}", prompt[0].buttons)])


async def use_name(engine: Conversation, session: Session, nickname: str) -> Outcome:
    item = await current(engine, session)
    if item is None:
        return Outcome(gone(engine, session))
    saved = engine.storage.read.saved_references
    if await saved.nickname_taken(session.user.id, item.service, nickname, other_than=item.id):
        lead = t(session.language, "meters.name_taken", nickname=nickname)
        return await name_again(engine, session, lead)
    await engine.storage.single.saved_references.rename(session.user.id, item.id, nickname)
    session.to_menu()
    return Outcome(
        [engine.menu_reply(session, "meters.named", reference=item.reference, nickname=nickname)]
    )


# --- /meters ------------------------------------------------------------------------------------


async def meters(engine: Conversation, session: Session, argument: str) -> Outcome:
    """/meters and the menu's button: the list, or how to save one when there is none."""
    if not await engine.storage.read.saved_references.count(session.user.id):
        if session.state != MENU:
            session.to_menu()
        return Outcome([Reply(t(session.language, "meters.empty"), engine.main_menu(session))])
    session.go(LIST)
    return Outcome(await list_prompt(engine, session))


async def list_prompt(engine: Conversation, session: Session) -> list[Reply]:
    lang = session.language
    items = await engine.storage.read.saved_references.for_user(session.user.id)
    if not items:
        session.to_menu()
        return [Reply(t(lang, "meters.empty"), engine.main_menu(session))]
    lines = [t(lang, "meters.title", count=len(items)), ""]
    lines += [
        t(
            lang,
            "meters.line",
            number=number,
            name=name_of(item),
            service=biller_name(lang, item.service),
            reference=item.reference,
        )
        for number, item in enumerate(items, 1)
    ]
    lines += ["", t(lang, "meters.choose")]
    buttons = [
        Button(f"{item.service.facts.icon} {name_of(item)}", session.step_payload(f"m:{item.id}"))
        for item in items
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [Reply("\n".join(lines), keyboard(*rows, [menu_button(lang)]))]


async def on_list_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    if action != "m" or not argument.isascii() or not argument.isdigit() or len(argument) > 12:
        return await engine.stale(session, None)
    item = await engine.storage.read.saved_references.get(session.user.id, int(argument))
    if item is None:
        return await engine.stale(session, None)
    session.go(ONE, {"meter_id": item.id})
    return Outcome(await one_prompt(engine, session), replace_pressed=True)


# --- one saved reference ------------------------------------------------------------------------


async def one_prompt(engine: Conversation, session: Session) -> list[Reply]:
    item = await current(engine, session)
    if item is None:
        return gone(engine, session)
    lang = session.language
    text = t(
        lang,
        "meters.detail",
        name=name_of(item),
        service=biller_name(lang, item.service),
        reference=item.reference,
        uses=item.uses,
    )
    use = "button.use.woyofal" if item.service is Service.WOYOFAL else "button.use.bill"
    buttons = keyboard(
        [Button(t(lang, use), session.step_payload("use"))],
        [
            Button(t(lang, "button.rename"), session.step_payload("ren")),
            Button(t(lang, "button.delete"), session.step_payload("del")),
        ],
        [Button(t(lang, "button.back"), session.step_payload("back")), menu_button(lang)],
    )
    return [Reply(text, buttons)]


async def on_one_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    item = await current(engine, session)
    if item is None:
        return Outcome(gone(engine, session), replace_pressed=True)
    if action == "use":
        outcome = await payment_flow.start_with_reference(
            engine, session, item.service, item.reference
        )
    elif action == "ren":
        session.go(NAME, {"meter_id": item.id, "fresh": False})
        outcome = Outcome(await name_prompt(engine, session))
    elif action == "del":
        session.go(DELETE, {"meter_id": item.id})
        outcome = Outcome(await delete_prompt(engine, session))
    elif action == "back":
        session.go(LIST)
        outcome = Outcome(await list_prompt(engine, session))
    else:
        return await engine.stale(session, None)
    outcome.replace_pressed = True
    return outcome


async def delete_prompt(engine: Conversation, session: Session) -> list[Reply]:
    item = await current(engine, session)
    if item is None:
        return gone(engine, session)
    lang = session.language
    text = t(lang, "meters.confirm_delete", name=name_of(item), reference=item.reference)
    buttons = keyboard(
        [
            Button(t(lang, "button.delete_yes"), session.step_payload("yes")),
            Button(t(lang, "button.back"), session.step_payload("back")),
        ]
    )
    return [Reply(text, buttons)]


async def on_delete_button(
    engine: Conversation, session: Session, action: str, argument: str
) -> Outcome:
    item = await current(engine, session)
    if item is None:
        return Outcome(gone(engine, session), replace_pressed=True)
    if action == "yes":
        await engine.storage.single.saved_references.delete(session.user.id, item.id)
        lead = t(session.language, "meters.deleted", name=name_of(item))
        session.go(LIST)
        replies = await list_prompt(engine, session)
        first = replies[0]
        outcome = Outcome([Reply(f"{lead}\n\n{first.text}", first.buttons, first.image)])
    elif action == "back":
        session.go(ONE, {"meter_id": item.id})
        outcome = Outcome(await one_prompt(engine, session))
    else:
        return await engine.stale(session, None)
    outcome.replace_pressed = True
    return outcome


def register(registry: Registry) -> None:
    registry.add(
        commands={"meters": meters, "compteurs": meters},
        actions={"meters": meters, "save": save_from_payment},
        steps={
            NAME: Step(name_prompt, on_name_text, on_name_button),
            LIST: Step(list_prompt, None, on_list_button),
            ONE: Step(one_prompt, None, on_one_button),
            DELETE: Step(delete_prompt, None, on_delete_button),
        },
        menu=[("meters", "command.meters")],
    )
