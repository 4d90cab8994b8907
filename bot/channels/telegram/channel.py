"""Telegram ⇄ conversation: updates become `Incoming`, outcomes become Bot API calls."""

import logging
import warnings
from datetime import timedelta

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes
from telegram.warnings import PTBUserWarning

from bot.channels.base import (
    DeliveryError,
    MessageRefused,
    Outgoing,
    RecipientGone,
    RetryLater,
    length,
    split_text,
)
from bot.channels.telegram.limits import LIMITS
from bot.channels.telegram.menus import CommandMenus
from handlers.engine import ConversationEngine
from handlers.types import Incoming, InputKind, Keyboard, MediaKind, Outcome, Reply
from storage.models import User

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_TEXT = LIMITS.text_chars
MAX_CAPTION = LIMITS.caption_chars
MAX_CALLBACK_DATA = LIMITS.payload_bytes
MAX_TOAST = 200


def markup(buttons: Keyboard) -> dict[str, object] | None:
    """An inline keyboard as the Bot API's JSON (plain dicts: no PTB objects to build for
    a call whose answer we do not read)."""
    rows = []
    for row in buttons:
        cells = []
        for button in row:
            if button.url is not None:
                cells.append({"text": button.label, "url": button.url})
                continue
            if len(button.payload.encode()) > MAX_CALLBACK_DATA:
                log.error("button payload over 64 bytes dropped: %r", button.payload[:20])
                continue
            cells.append({"text": button.label, "callback_data": button.payload})
        if cells:
            rows.append(cells)
    return {"inline_keyboard": rows} if rows else None


def retry_seconds(error: RetryAfter) -> float:
    value = error._retry_after  # int or timedelta depending on PTB settings
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# We never read what Telegram answers to a send or an edit, so we skip turning it into PTB
# objects: `do_api_request` without a return type gives the raw answer, and that parsing was
# an eighth of the bot's CPU under load (docs/performance.md). PTB warns that a dedicated
# method exists; here we mean it.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.\w+' instead of", category=PTBUserWarning
)


async def call(bot: Bot, method: str, **params: object) -> None:
    """A Bot API call whose answer we do not need (rate limits and errors as usual)."""
    await bot.do_api_request(
        method, api_kwargs={name: value for name, value in params.items() if value is not None}
    )


async def send_reply(bot: Bot, chat_id: int, reply: Reply) -> None:
    keyboard = markup(reply.buttons)
    if reply.image is not None:
        caption = reply.text if len(reply.text) <= MAX_CAPTION else None
        photo_keyboard = None
        if keyboard is not None and caption is not None:
            photo_keyboard = InlineKeyboardMarkup.de_json(keyboard, bot)
        await bot.send_photo(
            chat_id,
            photo=reply.image,
            caption=caption,
            filename=reply.image_name,
            reply_markup=photo_keyboard,
        )
        if caption is not None:
            return
    # A text longer than a message goes out in pieces, the keyboard under the last one.
    *first, last = split_text(reply.text, MAX_TEXT, length) or [""]
    for piece in first:
        await call(bot, "sendMessage", chat_id=chat_id, text=piece)
    await call(bot, "sendMessage", chat_id=chat_id, text=last, reply_markup=keyboard)


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in error.message.lower()


async def replace_message(bot: Bot, message: Message, reply: Reply) -> None:
    """Draw `reply` over `message`; send it anew if Telegram no longer lets us edit (or if
    it is too long for one message)."""
    if reply.image is None and message.photo == () and len(reply.text) <= MAX_TEXT:
        try:
            await call(
                bot,
                "editMessageText",
                chat_id=message.chat_id,
                message_id=message.message_id,
                text=clip(reply.text),
                reply_markup=markup(reply.buttons),
            )
            return
        except BadRequest as error:
            if _not_modified(error):
                return
            log.info("could not edit message (%s); sending a new one", error.message)
    await send_reply(bot, message.chat_id, reply)


async def spend_keyboard(bot: Bot, message: Message, text: str | None) -> None:
    try:
        if text is not None and message.photo == ():
            await call(
                bot,
                "editMessageText",
                chat_id=message.chat_id,
                message_id=message.message_id,
                text=clip(text),
            )
        else:
            await call(
                bot,
                "editMessageReplyMarkup",
                chat_id=message.chat_id,
                message_id=message.message_id,
            )
    except BadRequest as error:
        if not _not_modified(error):
            log.info("could not remove a used keyboard: %s", error.message)


def media_kind(message: Message) -> MediaKind:
    """What a message without text carries, as the conversation answers it."""
    if message.voice or message.audio:
        return MediaKind.VOICE
    if message.photo:
        return MediaKind.PHOTO
    if message.sticker or message.animation:
        return MediaKind.STICKER
    if message.location or message.venue:
        return MediaKind.LOCATION
    if message.contact:
        return MediaKind.CONTACT
    if message.video or message.video_note:
        return MediaKind.VIDEO
    if message.document:
        return MediaKind.DOCUMENT
    return MediaKind.OTHER


def addressed_to(message: Message, username: str | None, bot_id: int) -> bool:
    """Whether a group message is meant for the bot: it mentions @username (in its text or
    a caption), is a /command@username, or replies to one of the bot's messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    if not username:
        return False
    ours = username.lower()
    found = {**message.parse_entities(), **message.parse_caption_entities()}
    for entity, text in found.items():
        if entity.type == "mention" and text[1:].lower() == ours:
            return True
        if entity.type == "bot_command" and text.partition("@")[2].lower() == ours:
            return True
    return False


class TelegramConversation:
    """PTB handlers that feed the conversation engine."""

    def __init__(self, engine: ConversationEngine, menus: CommandMenus | None = None) -> None:
        self._engine = engine
        self.menus = menus  # set once the bot knows itself (the runtime's start)

    @staticmethod
    def _incoming(
        update: Update,
        kind: InputKind,
        text: str,
        private: bool,
        media: MediaKind = MediaKind.OTHER,
        addressed: bool = False,
    ) -> Incoming | None:
        user = update.effective_user
        if user is None or user.is_bot:
            return None
        return Incoming(
            channel=CHANNEL,
            user_external_id=str(user.id),
            chat_id=str(user.id),  # a private chat's id is its user's id
            kind=kind,
            text=text,
            private=private,
            username=user.username,
            display_name=user.full_name,
            language_hint=user.language_code,
            media=media,
            addressed=addressed,
            input_id=f"{CHANNEL}:{update.update_id}",
        )

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        kind = InputKind.TEXT if message.text is not None else InputKind.OTHER
        private = chat.type == ChatType.PRIVATE
        addressed = not private and addressed_to(message, context.bot.username, context.bot.id)
        incoming = self._incoming(
            update, kind, message.text or "", private, media_kind(message), addressed
        )
        if incoming is None:
            return
        outcome = await self._engine.handle(incoming)
        for reply in outcome.replies:
            await send_reply(context.bot, chat.id, reply)
        if private and self.menus is not None:
            await self.menus.on_message(incoming.user_external_id)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        outcome: Outcome | None = None
        try:
            message = query.message if isinstance(query.message, Message) else None
            private = message is None or message.chat.type == ChatType.PRIVATE
            # A press is on one of our messages: addressed to us wherever it is.
            incoming = self._incoming(
                update, InputKind.BUTTON, query.data or "", private, addressed=True
            )
            if incoming is None:
                return
            outcome = await self._engine.handle(incoming)
            await self._render_press(context.bot, query, message, outcome)
        finally:
            # Every press is answered, or the user's button spins until Telegram gives up.
            toast = clip(outcome.toast, MAX_TOAST) if outcome and outcome.toast else None
            try:
                await query.answer(toast)
            except BadRequest as error:
                log.info("callback query not answered: %s", error.message)

    async def _render_press(
        self, bot: Bot, query: CallbackQuery, message: Message | None, outcome: Outcome
    ) -> None:
        replies = list(outcome.replies)
        chat_id = message.chat_id if message is not None else query.from_user.id
        if message is not None:
            if outcome.replace_pressed and replies:
                await replace_message(bot, message, replies.pop(0))
            elif outcome.spend_keyboard or outcome.spent_text is not None:
                await spend_keyboard(bot, message, outcome.spent_text)
        for reply in replies:
            await send_reply(bot, chat_id, reply)


class TelegramOutbound:
    """The notifier's way to a Telegram user, with Bot API errors sorted by what to do."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, user: User, outgoing: Outgoing) -> None:
        try:
            await send_reply(self._bot, int(user.chat_id), outgoing.reply)
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error)) from None
        except Forbidden as error:
            raise RecipientGone(error.message) from None
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise RecipientGone(error.message) from None
            raise MessageRefused(error.message) from None
        except NetworkError as error:
            raise DeliveryError(f"network: {error.message}") from None
        except TelegramError as error:
            raise DeliveryError(error.message) from None
