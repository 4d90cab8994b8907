"""The state shared by the Bot API side and the user side of the fake."""

import time
from collections.abc import Callable
from typing import Any

from .limits import Faults, RateLimiter, RateLimits
from .models import (
    JSON,
    ApiCall,
    BotMessage,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    PressedButton,
    StoredFile,
    UserMessage,
    WebhookAttempt,
    WebhookConfig,
)
from .signals import Signal
from .updates import UpdateQueue

# Whatever names a chat in the test-side API: a user (their private chat), a chat, a message
# (its chat) or a chat id.
Who = FakeUser | FakeChat | BotMessage | UserMessage | int

MessageObserver = Callable[[BotMessage, str], None]


class TelegramState:
    """Everything the fake server knows; mutated only from the event loop."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        first_update_id: int,
        rate_limits: bool | RateLimits,
    ) -> None:
        bot_id, sep, secret = token.partition(":")
        if not (bot_id.isdigit() and sep and secret):
            raise ValueError(f"a bot token looks like '123456:SECRET', not {token!r}")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._usernames: dict[str, int] = {}
        self._history: dict[int, dict[int, BotMessage | UserMessage]] = {}
        self._bot_messages: dict[int, list[BotMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self.updates = UpdateQueue(first_update_id)
        self.files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._counter = 0
        self.pressed: dict[str, PressedButton] = {}
        self.answered_callback_queries: dict[str, CallbackAnswer] = {}
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.blocked: set[int] = set()
        limits = rate_limits if isinstance(rate_limits, RateLimits) else RateLimits()
        if rate_limits is True:
            limits.enabled = True
        self._limiter = RateLimiter(limits)
        self.faults = Faults()
        self.calls: list[ApiCall] = []
        self.count_429 = 0
        self.webhook: WebhookConfig | None = None
        self.webhook_attempts: list[WebhookAttempt] = []
        self._seq = 0
        self._calls_signal = Signal()
        self._chat_signals: dict[int, Signal] = {}
        self._observers: list[MessageObserver] = []

    # --- configuration ------------------------------------------------------------------

    @property
    def rate_limits(self) -> RateLimits:
        """The flood limits in force; mutate it or assign a new RateLimits."""
        return self._limiter.config

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits) -> None:
        self._limiter.config = limits

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # --- helpers ------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _unique(self) -> int:
        self._counter += 1
        return self._counter

    @staticmethod
    def _now() -> int:
        return int(time.time())

    def _chat_signal(self, chat_id: int) -> Signal:
        signal = self._chat_signals.get(chat_id)
        if signal is None:
            signal = self._chat_signals[chat_id] = Signal()
        return signal

    def _register_chat(self, chat: FakeChat) -> FakeChat:
        self.chats[chat.id] = chat
        self._history.setdefault(chat.id, {})
        self._bot_messages.setdefault(chat.id, [])
        if chat.username:
            self._usernames[chat.username.lower()] = chat.id
        return chat

    def _chat_id_of(self, who: Who) -> int:
        if isinstance(who, FakeUser | FakeChat):
            return who.id
        if isinstance(who, BotMessage | UserMessage):
            return who.chat.id
        return who

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _message_changed(self, message: BotMessage, event: str) -> None:
        """Note a new, edited or deleted bot message and wake whoever waits on its chat."""
        message.seq = self._next_seq()
        self._chat_signal(message.chat.id).fire()
        for observer in self._observers:
            observer(message, event)

    def _new_file(
        self,
        data: bytes | None,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
        url: str | None = None,
    ) -> StoredFile:
        n = self._unique()
        prefix = {
            "photo": "AgACAgQ",
            "document": "BQACAgQ",
            "sticker": "CAACAgQ",
            "voice": "AwACAgQ",
            "video": "BAACAgQ",
        }.get(kind, "BAAC")
        stored = StoredFile(
            file_id=f"{prefix}{self.bot_id:x}{n:08d}",
            file_unique_id=f"AQAD{n:08d}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored

    def _describe_chat(self, chat_id: int) -> str:
        lines = [f"  {message!r}" for message in self._bot_messages.get(chat_id, [])[-10:]]
        return "\n".join(lines) or "  (no bot messages)"

    def _rate_chat(self, value: Any) -> int | None:
        """The chat id a call counts against for flood control, when it can be told."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("-").isdigit():
                return int(text)
            return self._usernames.get(text.removeprefix("@").lower())
        return None
