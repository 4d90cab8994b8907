"""Telegram's webhook, received durably: each update is stored in the inbox (deduplicated by
its update_id, which also absorbs Telegram's own resends) and committed before the 200 is
answered; a process that dies afterwards loses nothing. The inbox worker of whichever
process claims it then feeds it to python-telegram-bot's Application, per user in order.

A JSON object that is no update is kept whole for an admin (webhook_rejects) and answered
200 all the same: Telegram would otherwise resend it for ever.
"""

import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bot.channels.telegram.update_processor import update_owner
from storage import Storage
from storage.inbox import InboxMessage

log = logging.getLogger(__name__)

CHANNEL = "telegram"


class TelegramIntake:
    def __init__(
        self, storage: Storage, bot: Bot, *, on_inbox: Callable[[], None] = lambda: None
    ) -> None:
        self._storage = storage
        self._bot = bot
        self._on_inbox = on_inbox  # an update is stored: handle it

    async def accept(self, raw: bytes, data: dict[str, Any]) -> None:
        """Store the update (or the body, for an admin); returns once it is committed."""
        try:
            update = Update.de_json(data, self._bot)
            owner = update_owner(update)
        except Exception as error:  # any: PTB reads a malformed update with AttributeErrors too
            await self._reject(raw, f"unreadable update ({type(error).__name__})")
            return
        if owner is None:
            await self._reject(raw, "update without a user or a chat")
            return
        async with self._storage.transaction() as tx:
            # The inbox names our user: on first contact, a bare row the conversation fills in.
            user = await tx.users.ensure(CHANNEL, str(owner))
            stored = await tx.inbox.store(CHANNEL, str(update.update_id), user.id, data)
            if stored is not None:
                tx.after_commit(self._on_inbox)

    async def _reject(self, raw: bytes, reason: str) -> None:
        async with self._storage.transaction() as tx:
            await tx.inbox.reject(CHANNEL, raw.decode(errors="replace"), reason)
        log.warning("webhook update kept for an admin, not handled: %s", reason)


class TelegramInboxHandler:
    """Hands a stored update to the Application as getUpdates would: through its update
    processor (the per-user lock and the concurrency limit), to the same handlers; returns
    once they are done. A handler's error goes to the Application's error handler, as in
    polling mode; what raises here (an update that no longer reads) is tried again."""

    def __init__(self, application: "Application[Any, Any, Any, Any, Any, Any]") -> None:
        self._application = application

    async def __call__(self, message: InboxMessage) -> None:
        application = self._application
        update = Update.de_json(message.payload, application.bot)
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
