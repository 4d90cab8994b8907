"""Telegram's command menu ("/" button), per role: customers see the default one; an agent's
private chat also lists /find, /last, /today, /report; an admin's also the admin commands.
Each list goes out in every language we speak (Telegram picks by the app's language), and
with no language code in the user's own.

A chat's menu is set per chat scope (BotCommandScopeChat). Which role's menu a chat has is
stored (`users.commands_role`), so a role changed anywhere — the admin's /role, the command
line, even while the bot was down — is shown once: at start, at the user's next message, or
at once when the role changes in this process. Back to customer, the chat's scope is deleted
and the default menu shows again.
"""

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from handlers.i18n import LANGUAGES, t
from storage import Storage
from storage.models import Role, User

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Commands = list[tuple[str, str]]  # (command, catalogue key of its description)

AGENT_COMMANDS: Commands = [
    ("find", "command.find"),
    ("last", "command.last"),
    ("today", "command.today"),
    ("report", "command.report"),
]
ADMIN_COMMANDS: Commands = [
    ("admin", "command.admin"),
    ("pending", "command.pending"),
    ("resolve", "command.resolve"),
    ("undelivered", "command.undelivered"),
    ("user", "command.user"),
    ("credit", "command.credit"),
    ("debit", "command.debit"),
    ("role", "command.role"),
    ("provider", "command.provider"),
    ("stats", "command.stats"),
    ("refund", "command.refund"),
    ("collections", "command.collections"),
]


def commands_of(role: Role, customer: Commands) -> Commands:
    """The menu of a role: the customers', then the agents', then the admins'."""
    commands = list(customer)
    if role in (Role.AGENT, Role.ADMIN):
        commands += AGENT_COMMANDS
    if role is Role.ADMIN:
        commands += ADMIN_COMMANDS
    return commands


class CommandMenus:
    def __init__(
        self, bot: Bot, storage: Storage, customer: Commands, default_language: str
    ) -> None:
        self._bot = bot
        self._storage = storage
        self._customer = customer
        self._default_language = default_language
        self._checked: set[str] = set()  # users whose menu was looked at in this process

    async def set_default(self) -> None:
        """The customers' menu, for every chat without one of its own."""
        for language in (None, *LANGUAGES):
            await self._bot.set_my_commands(
                self._listed(self._customer, language or self._default_language),
                language_code=language,
            )

    async def catch_up(self) -> int:
        """At start: every chat whose menu is not its user's role's any more."""
        users = await self._storage.read.users.menus_out_of_date(CHANNEL)
        for user in users:
            self._checked.add(user.external_id)
            await self.show_role(user)
        return len(users)

    async def on_message(self, external_id: str) -> None:
        """A user wrote: the first time in this process, make sure their chat shows their
        role's menu (an agent named before they ever wrote gets it now)."""
        if external_id in self._checked:
            return
        self._checked.add(external_id)
        user = await self._storage.read.users.by_external_id(CHANNEL, external_id)
        if user is not None and user.role is not (user.commands_role or Role.CUSTOMER):
            await self.show_role(user)

    async def show_role(self, user: User) -> None:
        """Set (or, back to customer, delete) the menu of the user's private chat."""
        if user.channel != CHANNEL or user.display_name is None:
            return  # never wrote: no chat for a menu yet, theirs comes with their first message
        scope = BotCommandScopeChat(int(user.chat_id))
        own = user.speaks(self._default_language)
        try:
            for language in (None, *LANGUAGES):
                if user.role is Role.CUSTOMER:
                    await self._bot.delete_my_commands(scope, language_code=language)
                else:
                    commands = self._listed(commands_of(user.role, self._customer), language or own)
                    await self._bot.set_my_commands(commands, scope, language_code=language)
        except TelegramError as error:
            # Not stored: tried again at the next start or message.
            log.info("command menu of user %s not set: %s", user.id, error.message)
            return
        shown = None if user.role is Role.CUSTOMER else user.role
        async with self._storage.transaction() as tx:
            await tx.users.set_commands_role(user.id, shown)

    @staticmethod
    def _listed(commands: Commands, language: str) -> list[BotCommand]:
        return [BotCommand(name, t(language, key)) for name, key in commands]
