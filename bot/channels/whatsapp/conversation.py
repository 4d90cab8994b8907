"""A WhatsApp user's message, from the inbox to the conversation and back.

WhatsApp cannot edit a message: where Telegram draws the next step over the pressed
message, or turns a confirmation into "payment sent", WhatsApp sends that as a new message
— pressing Confirm always answers with a visible "payment sent". A press Telegram would
answer with a small notice only (a button already used) gets that notice as a message.
Pages of a long list ("More…") are served here, without the conversation.
"""

import asyncio
import logging

from bot.channels.whatsapp.client import WhatsAppError
from bot.channels.whatsapp.outbound import CHANNEL, WhatsAppSender
from bot.channels.whatsapp.render import is_more
from handlers.engine import ConversationEngine
from handlers.types import Incoming, InputKind, MediaKind, Reply
from storage import Storage
from storage.inbox import InboxMessage
from storage.models import User

log = logging.getLogger(__name__)

KINDS = {"text": InputKind.TEXT, "button": InputKind.BUTTON}
# Meta's message types, by what the user sent (anything else: MediaKind.OTHER).
MEDIA = {
    "audio": MediaKind.VOICE,
    "image": MediaKind.PHOTO,
    "sticker": MediaKind.STICKER,
    "location": MediaKind.LOCATION,
    "contacts": MediaKind.CONTACT,
    "document": MediaKind.DOCUMENT,
    "video": MediaKind.VIDEO,
}


class WhatsAppConversation:
    def __init__(
        self, engine: ConversationEngine, sender: WhatsAppSender, storage: Storage
    ) -> None:
        self._engine = engine
        self._sender = sender
        self._storage = storage

    async def handle(self, message: InboxMessage) -> None:
        """The inbox worker's handler: one message of one user, in order."""
        user = await self._storage.read.users.get(message.user_id)
        if user is None:
            return
        # Blue ticks at once: the user sees we have their message while we work on it.
        read = asyncio.create_task(self._mark_read(message.message_id))
        try:
            with self._sender.answering(user.chat_id):
                await self._answer(user, message)
        finally:
            await read

    async def _mark_read(self, message_id: str) -> None:
        try:
            await self._sender.client.mark_read(message_id)
        except WhatsAppError as error:  # a courtesy: never in the way of the answer
            log.info("WhatsApp did not take a read mark (%s)", error)

    async def _answer(self, user: User, message: InboxMessage) -> None:
        if message.payload.get("kind") == "reaction":
            return  # a 🙏 on a code is thanks, not a question: seen (read), not answered
        kind = KINDS.get(str(message.payload.get("kind")), InputKind.OTHER)
        text = str(message.payload.get("text") or "")
        if kind is InputKind.BUTTON and is_more(text):
            page = self._sender.renderer.next_page(user.chat_id, text)
            if page is not None:
                for part in page:
                    await self._sender.send_now(user.chat_id, part)
                return
        outcome = await self._engine.handle(
            Incoming(
                channel=CHANNEL,
                user_external_id=user.external_id,
                chat_id=user.chat_id,
                kind=kind,
                text=text,
                private=True,
                display_name=user.display_name,
                media=MEDIA.get(str(message.payload.get("type")), MediaKind.OTHER),
                input_id=f"{CHANNEL}:{message.message_id}",
            )
        )
        replies = list(outcome.replies)
        if outcome.spent_text and not (outcome.replace_pressed and replies):
            replies.insert(0, Reply(outcome.spent_text))
        if not replies and outcome.toast:
            replies.append(Reply(outcome.toast))
        for reply in replies:
            await self._sender.answer(user, reply)
