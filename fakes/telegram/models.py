"""What the fake remembers: users, chats, messages, calls, callback queries, webhook attempts."""

from dataclasses import dataclass, field
from typing import Any

from .formatting import Entity
from .markup import Buttons, inline_buttons

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram user on the other side of the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False

    @property
    def chat_id(self) -> int:
        return self.id

    def to_api(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A chat the bot knows: a user's private chat, a group or a supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @classmethod
    def private(cls, user: FakeUser) -> "FakeChat":
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    def to_api(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        for name in ("title", "username", "first_name", "last_name"):
            value = getattr(self, name)
            if value is not None:
                chat[name] = value
        return chat


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the bot sent or a user uploaded; `data` is None for files sent by URL."""

    file_id: str
    file_unique_id: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def photo_sizes(self) -> list[JSON]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.size,
            }
        ]

    def document(self) -> JSON:
        document: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document


@dataclass(frozen=True, slots=True)
class MessageVersion:
    """The content of a bot message at one point: as sent, then after each edit."""

    method: str
    date: int
    text: str | None
    entities: list[Entity]
    caption: str | None
    caption_entities: list[Entity]
    raw: str | None
    parse_mode: str | None
    reply_markup: JSON | None

    def same_content(self, other: "MessageVersion") -> bool:
        return (
            self.text == other.text
            and self.entities == other.entities
            and self.caption == other.caption
            and self.caption_entities == other.caption_entities
            and self.reply_markup == other.reply_markup
        )


@dataclass(eq=False, slots=True)
class BotMessage:
    """A message the bot sent; its attributes give the current state, after edits."""

    message_id: int
    chat: FakeChat
    date: int
    kind: str  # "text", "photo" or "document"
    versions: list[MessageVersion]
    file: StoredFile | None = None
    reply_to_message_id: int | None = None
    link_preview_disabled: bool = False
    deleted: bool = False
    seq: int = 0  # the fake's event counter at the last change; see FakeTelegram.mark()

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def current(self) -> MessageVersion:
        return self.versions[-1]

    @property
    def edits(self) -> list[MessageVersion]:
        """The versions after each edit, oldest first (the original is versions[0])."""
        return self.versions[1:]

    @property
    def edit_date(self) -> int | None:
        return self.current.date if len(self.versions) > 1 else None

    @property
    def text(self) -> str:
        """The text as the user sees it (formatting parsed out); "" for media messages."""
        return self.current.text or ""

    @property
    def caption(self) -> str | None:
        return self.current.caption

    @property
    def content(self) -> str:
        """The text, or the caption of a media message."""
        return self.current.text or self.current.caption or ""

    @property
    def entities(self) -> list[Entity]:
        return self.current.entities or self.current.caption_entities

    @property
    def raw_text(self) -> str | None:
        """The text or caption as the bot sent it, markup included."""
        return self.current.raw

    @property
    def parse_mode(self) -> str | None:
        return self.current.parse_mode

    @property
    def reply_markup(self) -> JSON | None:
        return self.current.reply_markup

    @property
    def buttons(self) -> Buttons:
        """Rows of (text, callback_data) of the inline keyboard (callback_data None for URLs)."""
        return inline_buttons(self.current.reply_markup)

    @property
    def callback_data(self) -> list[str]:
        return [data for row in self.buttons for _, data in row if data is not None]

    def data_for(self, label: str) -> str:
        """The callback_data of the button with this text."""
        for row in self.buttons:
            for text, data in row:
                if text == label and data is not None:
                    return data
        raise KeyError(f"no callback button {label!r} on message {self.message_id}: {self.buttons}")

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.kind == "photo" and self.file is not None else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.kind == "document" and self.file is not None else None

    @property
    def file_name(self) -> str | None:
        return self.file.file_name if self.file is not None else None

    def to_api(self, bot: JSON) -> JSON:
        version = self.current
        message: JSON = {
            "message_id": self.message_id,
            "from": bot,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if version.text is not None:
            message["text"] = version.text
            if version.entities:
                message["entities"] = version.entities
            if self.link_preview_disabled:
                message["link_preview_options"] = {"is_disabled": True}
        if self.kind == "photo" and self.file is not None:
            message["photo"] = self.file.photo_sizes()
        if self.kind == "document" and self.file is not None:
            message["document"] = self.file.document()
        if version.caption is not None:
            message["caption"] = version.caption
            if version.caption_entities:
                message["caption_entities"] = version.caption_entities
        if version.reply_markup is not None and "inline_keyboard" in version.reply_markup:
            message["reply_markup"] = version.reply_markup
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        return message

    def __repr__(self) -> str:
        return (
            f"BotMessage(chat={self.chat_id}, id={self.message_id}, content={self.content!r}, "
            f"buttons={self.buttons}, edits={len(self.edits)}{', deleted' if self.deleted else ''})"
        )


@dataclass(eq=False, slots=True)
class UserMessage:
    """A message a fake user sent to the bot."""

    message_id: int
    chat: FakeChat
    user: FakeUser
    date: int
    payload: JSON  # the Message object delivered in the update
    update_id: int = 0
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def text(self) -> str | None:
        text = self.payload.get("text")
        return text if isinstance(text, str) else None


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One call the bot made, with the answer it got."""

    seq: int
    method: str
    params: JSON
    time: float  # loop time of arrival
    duration: float
    status: int
    response: JSON

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        description = self.response.get("description")
        return description if isinstance(description, str) else None

    def __repr__(self) -> str:
        return f"ApiCall({self.method}, {self.status}, {self.params})"


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for a pressed button."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float


@dataclass(eq=False, slots=True)
class PressedButton:
    """A callback query the fake issued when a user pressed an inline button."""

    id: str
    user: FakeUser
    chat_id: int
    message_id: int
    data: str
    update_id: int
    answer: CallbackAnswer | None = None

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST of an update to the webhook: status None when the connection failed."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float
    secret_token: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(slots=True)
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedUpdate:
    update_id: int
    kind: str  # "message", "callback_query", ...
    payload: JSON = field(repr=False)
