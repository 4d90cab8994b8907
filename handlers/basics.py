"""Menu, help, cancel and language: what works at every step."""

from handlers.i18n import LANGUAGES, t
from handlers.session import MENU, Session
from handlers.steps import Conversation, Registry
from handlers.types import Outcome, Reply
from storage.models import Role


async def start(engine: Conversation, session: Session, argument: str) -> Outcome:
    greet = session.is_new or not argument
    outcome = await engine.show_menu(session, greet=greet)
    session.to_menu()
    return outcome


async def menu(engine: Conversation, session: Session, argument: str) -> Outcome:
    return await engine.show_menu(session)


def help_text(session: Session) -> str:
    lang = session.language
    text = f"{t(lang, 'help')}\n{t(lang, 'help.more')}"
    if session.user.role in (Role.AGENT, Role.ADMIN):
        text = f"{text}\n\n{t(lang, 'help.agent')}"
    return text


async def help_(engine: Conversation, session: Session, argument: str) -> Outcome:
    text = help_text(session)
    if session.state != MENU and session.state in engine.registry.steps:
        # Asking for help is no reason to lose the payment under way: explain, then ask on.
        return Outcome([Reply(text), *await engine.prompt(session)])
    session.to_menu()
    return Outcome([Reply(text, engine.main_menu(session))])


async def cancel(engine: Conversation, session: Session, argument: str) -> Outcome:
    return await engine.cancel(session)


async def choose_language(engine: Conversation, session: Session, argument: str) -> Outcome:
    if argument.lower() in LANGUAGES:
        return await set_language(engine, session, argument.lower())
    return Outcome([Reply(t(session.language, "language.choose"), engine.language_keyboard())])


async def set_language(engine: Conversation, session: Session, argument: str) -> Outcome:
    if argument not in LANGUAGES:
        return await engine.stale(session, None)
    async with engine.storage.transaction() as tx:
        await tx.users.set_language(session.user.id, argument)
    session.language = argument
    session.to_menu()
    return Outcome([engine.menu_reply(session, "language.set")], replace_pressed=True)


def register(registry: Registry) -> None:
    registry.add(
        commands={
            "start": start,
            "menu": menu,
            "help": help_,
            "aide": help_,
            "cancel": cancel,
            "annuler": cancel,
            "language": choose_language,
            "langue": choose_language,
        },
        actions={"menu": menu, "help": help_, "lang": choose_language, "setlang": set_language},
        menu=[
            ("start", "command.start"),
            ("help", "command.help"),
            ("cancel", "command.cancel"),
            ("language", "command.language"),
        ],
    )
