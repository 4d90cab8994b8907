"""The conversation engine: one input in, replies out, state committed at every step.

Channels call `ConversationEngine.handle`. The engine loads the user's stored conversation,
routes the input (command, global button, step button, typed text, anything else), lets the
flow of the current step answer, and commits the new state before returning. A restart, or a
second process, continues from the database.
"""

import logging
from datetime import datetime

from bot.services.accounts import AccountService
from handlers.i18n import LANGUAGE_NAMES, LANGUAGES, language_from_hint, t
from handlers.keywords import command_for, command_with_argument
from handlers.session import APPLIED, MENU, SPENT, Pressed, Session, global_payload, new_token
from handlers.steps import (
    ConversationConfig,
    FundingPort,
    PaymentsPort,
    ProviderPort,
    Registry,
    ResolverPort,
)
from handlers.types import (
    Button,
    Incoming,
    InputKind,
    Keyboard,
    MediaKind,
    Outcome,
    Reply,
    keyboard,
)
from storage import Storage
from storage.database import Clock, utc_now
from storage.models import Role, Service
from storage.users import Users

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000


class ConversationEngine:
    """Implements `handlers.steps.Conversation` for the flows of its registry
    (`handlers.flows.build_registry()`)."""

    def __init__(
        self,
        storage: Storage,
        payments: PaymentsPort,
        config: ConversationConfig,
        registry: Registry,
        clock: Clock = utc_now,
        accounts: AccountService | None = None,
        provider: ProviderPort | None = None,
        resolver: ResolverPort | None = None,
        funding: FundingPort | None = None,
    ) -> None:
        self.storage = storage
        self.payments = payments
        self.resolver = resolver
        self.config = config
        self.clock = clock
        self.accounts = accounts
        self.provider = provider
        self.funding = funding  # None: no mobile-money funding, credit comes from an admin
        self.registry = registry

    # --- entry point ------------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> Outcome:
        if not incoming.private and not self._for_us_in_group(incoming):
            return Outcome()  # a group's chatter: no answer, nothing stored
        # Reads go to the reader connection; a write happens only when something changed,
        # and each write is short (one statement, or the upsert's few in one transaction):
        # no transaction held open across awaits.
        user = await self.storage.read.users.by_external_id(
            incoming.channel, incoming.user_external_id
        )
        detected = language_from_hint(incoming.language_hint)
        if user is None or not Users.is_current(
            user, incoming.chat_id, incoming.username, incoming.display_name, detected
        ):
            async with self.storage.transaction() as tx:
                user = await tx.users.upsert(
                    incoming.channel,
                    incoming.user_external_id,
                    incoming.chat_id,
                    incoming.username,
                    incoming.display_name,
                    detected,
                )
        stored = await self.storage.read.conversations.get(user.id)
        # The menu's choice, else what their app says, else the default.
        language = user.speaks(self.config.default_language)
        if not incoming.private:
            # Never a reference, an amount or a code in a group: only the way to a private chat.
            link = self.config.private_link or ""
            return Outcome([Reply(t(language, "group_only_private", link=link))])
        session = Session(
            user=user,
            language=language,
            state=stored.state if stored else MENU,
            data=dict(stored.data) if stored else {},
            token=stored.token if stored else new_token(),
            updated_at=stored.updated_at if stored else None,
            is_new=stored is None,
        )
        if incoming.input_id is not None and session.data.get(APPLIED) == incoming.input_id:
            # Taken over from a process that died after saving this input's step and before
            # answering: not applied twice; the answer is the step the user is now in.
            return Outcome(await self.prompt(session))
        try:
            outcome = await self._route(session, incoming)
        except Exception:
            log.exception("conversation failed for user %s in %s", user.id, session.state)
            session.to_menu()
            # Our fault, not the user's: not "I did not understand" after a plain button press.
            outcome = Outcome([self.menu_reply(session, "error.internal")])
        # Any input in a step is activity: saving refreshes `updated_at`, so only a
        # conversation left alone expires, not one where the user keeps retrying.
        if session.changed or stored is None or session.state != MENU:
            if incoming.input_id is not None:
                session.data[APPLIED] = incoming.input_id
            await self.storage.single.conversations.save(
                user.id, session.state, session.data, session.token
            )
        return outcome

    # --- routing ----------------------------------------------------------------------------

    def _for_us_in_group(self, incoming: Incoming) -> bool:
        """A group message we answer (with the private link): one the channel says is
        addressed to us, or a bare "/start" of ours. Telegram gives bare commands to every
        bot of the group and no bot can list the others, so a bare command is answered
        only when it is one of ours; "/weather" or "/start@other_bot" is someone else's."""
        if incoming.addressed:
            return True
        if incoming.kind is not InputKind.TEXT or not incoming.text.startswith("/"):
            return False
        word = incoming.text[1:].split(maxsplit=1)[0] if incoming.text[1:].strip() else ""
        return "@" not in word and word.lower() in self.registry.commands

    def _expired(self, session: Session, now: datetime) -> bool:
        return (
            session.state != MENU
            and session.updated_at is not None
            and now - session.updated_at > self.config.idle_timeout
        )

    async def _route(self, session: Session, incoming: Incoming) -> Outcome:
        expired = self._expired(session, self.clock())
        if incoming.kind is InputKind.BUTTON:
            return await self._on_button(session, incoming.text, expired)
        if incoming.kind is InputKind.OTHER:
            # A voice note, a photo…: said kindly in their language, the step asked again.
            media = incoming.media
            key = "text_only" if media is MediaKind.OTHER else f"media.{media.value}"
            return await self._reprompt(session, key, expired)
        text = incoming.text.strip()
        if len(text) > MAX_TEXT_CHARS:
            return await self._reprompt(session, "too_long", expired)
        keyword = command_for(text)
        if keyword is not None and keyword in self.registry.commands:
            text = f"/{keyword}"  # "menu", "solde": the command it stands for
        if text.startswith("/"):
            if expired:
                session.to_menu()  # a command after a long while starts afresh
            return await self._on_command(session, text)
        if expired:
            session.to_menu()
            return Outcome([self.menu_reply(session, "expired")])
        step = self.registry.steps.get(session.state)
        if step is None or step.on_text is None:
            # No step waits for text: "chercher Fatou" is /find Fatou. Inside a step the
            # words are its answer (a client named "Rapport", a nickname "Dernier").
            spoken = command_with_argument(text)
            if spoken is not None and spoken[0] in self.registry.commands:
                return await self._on_command(session, "/" + " ".join(spoken))
            if session.is_new or session.state == MENU:
                return await self.show_menu(session, greet=session.is_new)
            return await self._reprompt(session, "not_understood", expired=False)
        return await step.on_text(self, session, text)

    async def _on_command(self, session: Session, text: str) -> Outcome:
        word, _, argument = text[1:].partition(" ")
        name = word.split("@", 1)[0].lower()
        action = self.registry.commands.get(name)
        if action is None:
            session.to_menu()
            return Outcome([self.menu_reply(session, "unknown_command")])
        return await action(self, session, argument.strip())

    async def _on_button(self, session: Session, payload: str, expired: bool) -> Outcome:
        pressed = Pressed.parse(payload)
        if pressed is not None and pressed.scope == "g":
            action = self.registry.actions.get(pressed.action)
            if action is not None:
                if expired:
                    session.to_menu()  # a menu entry after a long while starts afresh
                return await action(self, session, pressed.argument)
        if expired:
            # Whichever keyboard it is on, a press after a long while finds the step gone.
            session.to_menu()
            return Outcome([self.menu_reply(session, "expired")], spend_keyboard=True)
        if (
            pressed is not None
            and pressed.scope == "s"
            and pressed.action == "cancel"
            and pressed.token != session.token
            and pressed.token not in session.data.get(SPENT, [])
        ):
            # Cancel on an older step's keyboard still means cancel (no money moves on it);
            # answering "no longer valid" and asking on would ignore what the user said.
            outcome = await self.cancel(session)
            outcome.spend_keyboard = True
            return outcome
        if pressed is None or pressed.scope != "s" or pressed.token != session.token:
            return await self.stale(session, pressed)
        step = self.registry.steps.get(session.state)
        if step is None or step.on_button is None:
            return await self.stale(session, pressed)
        if pressed.action == "cancel":
            return await self.cancel(session)
        return await step.on_button(self, session, pressed.action, pressed.argument)

    async def stale(self, session: Session, pressed: Pressed | None) -> Outcome:
        """A keyboard from an earlier step, or a payload no button of ours carries: say so,
        take that keyboard away, and show where the user is (the current step with its
        Cancel, or the menu), so what is on screen matches the stored state."""
        lang = session.language
        if pressed is not None and pressed.token in session.data.get(SPENT, []):
            return Outcome(toast=t(lang, "button_used"))
        if session.state == MENU or session.state not in self.registry.steps:
            return Outcome(
                [self.menu_reply(session, "stale_button")],
                spend_keyboard=True,
                toast=t(lang, "stale_button"),
            )
        outcome = await self._reprompt(session, "stale_button.step", expired=False)
        outcome.spend_keyboard = True
        outcome.toast = t(lang, "stale_button.toast")
        return outcome

    async def _reprompt(self, session: Session, key: str, expired: bool) -> Outcome:
        if expired:
            session.to_menu()
            return Outcome([self.menu_reply(session, "expired")])
        replies = await self.prompt(session)
        first, *rest = replies
        lead = t(session.language, key, prompt=first.text)
        return Outcome([Reply(lead, first.buttons, first.image), *rest])

    async def prompt(self, session: Session) -> list[Reply]:
        step = self.registry.steps.get(session.state)
        if step is None:
            return [self.menu_reply(session, "menu")]
        return await step.prompt(self, session)

    # --- shared answers ---------------------------------------------------------------------

    def main_menu(self, session: Session) -> Keyboard:
        lang = session.language
        agent_tools: list[Button] = []
        if session.user.role in (Role.AGENT, Role.ADMIN):
            agent_tools = [
                Button(t(lang, "button.today"), global_payload("today")),
                Button(t(lang, "button.find"), global_payload("find")),
                Button(t(lang, "button.last"), global_payload("last")),
            ]
        fund = (
            [Button(t(lang, "button.fund"), global_payload("fund"))]
            if self.funding is not None
            else []
        )
        pay = {
            service: Button(
                t(lang, f"button.{service.facts.key}"), global_payload(f"pay:{service.facts.key}")
            )
            for service in Service
        }
        return keyboard(
            [pay[Service.WOYOFAL]],
            [pay[Service.SENELEC], pay[Service.SENEAU]],
            agent_tools,
            [
                Button(t(lang, "button.history"), global_payload("hist")),
                Button(t(lang, "button.meters"), global_payload("meters")),
            ],
            [Button(t(lang, "button.balance"), global_payload("balance")), *fund],
            [
                Button(t(lang, "button.language"), global_payload("lang")),
                Button(t(lang, "button.help"), global_payload("help")),
            ],
        )

    def menu_reply(self, session: Session, key: str = "menu", **values: object) -> Reply:
        text = t(session.language, key, **values)
        if key != "menu" and key != "greeting":
            text = f"{text}\n\n{t(session.language, 'menu')}"
        return Reply(text, self.main_menu(session))

    async def show_menu(self, session: Session, greet: bool = False) -> Outcome:
        if session.state != MENU:
            session.to_menu()
        if greet:
            name = session.user.display_name or ""
            return Outcome([self.menu_reply(session, "greeting", name=name.split(" ")[0])])
        return Outcome([self.menu_reply(session)])

    async def cancel(self, session: Session) -> Outcome:
        if session.state == MENU:
            return Outcome([self.menu_reply(session, "nothing_to_cancel")])
        session.to_menu()
        return Outcome([self.menu_reply(session, "cancelled")], replace_pressed=True)

    def cancel_row(self, session: Session) -> list[Button]:
        return [Button(t(session.language, "button.cancel"), session.step_payload("cancel"))]

    def language_keyboard(self) -> Keyboard:
        return keyboard(
            [Button(LANGUAGE_NAMES[code], global_payload(f"setlang:{code}")) for code in LANGUAGES]
        )
