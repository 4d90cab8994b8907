"""What a channel hands the conversation, and what the conversation hands back.

Nothing here knows Telegram or WhatsApp: a channel turns its updates into `Incoming` and
renders `Outcome` within its own limits (Telegram: 64-byte callback data, 4096-character
texts; WhatsApp: 3 reply buttons of 20 characters, lists of 10 rows).
"""

from dataclasses import dataclass, field
from enum import StrEnum


class InputKind(StrEnum):
    TEXT = "text"  # typed text, commands included
    BUTTON = "button"  # the payload of a pressed button
    OTHER = "other"  # sticker, photo, voice, location…: which one is in `Incoming.media`


class MediaKind(StrEnum):
    """What a user sent instead of text (answered per kind: "I cannot listen to voice
    notes…"); OTHER for anything else a channel may carry (a poll, a dice…)."""

    VOICE = "voice"  # a voice note or an audio file
    PHOTO = "photo"
    STICKER = "sticker"  # stickers, GIFs
    LOCATION = "location"
    CONTACT = "contact"
    DOCUMENT = "document"
    VIDEO = "video"
    OTHER = "other"


@dataclass(frozen=True)
class Incoming:
    channel: str
    user_external_id: str
    chat_id: str
    kind: InputKind
    text: str = ""
    private: bool = True
    username: str | None = None
    display_name: str | None = None
    # The language the user's app is set to, when the channel tells ("fr-SN", "en"): their
    # language until they choose one in the menu.
    language_hint: str | None = None
    media: MediaKind = MediaKind.OTHER  # what an InputKind.OTHER input was
    # In a group: the message is meant for us (it mentions the bot, replies to one of its
    # messages, or is a /command@<the bot>). Bare chatter is not, and gets no answer.
    addressed: bool = False
    # The channel's own id of this input ("telegram:<update_id>"): one delivered again after
    # the process handling it died, its step already saved, is not applied a second time.
    input_id: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    payload: str
    # A link to open instead of a payload to send back (Telegram's URL button; where a
    # channel has none, the link goes in the text).
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Keyboard = ()
    image: bytes | None = None  # PNG, sent with `text` as its caption
    image_name: str = "image.png"


class TemplateKind(StrEnum):
    """The approved templates a message can go as where free text may not (WhatsApp, more
    than 24 hours after the user last wrote): their texts are in README.md."""

    CODE = "code"  # a Woyofal recharge code
    RESULT = "result"  # a payment's result
    NOTICE = "notice"  # anything else, in one line


@dataclass(frozen=True)
class TemplateMessage:
    kind: TemplateKind
    language: str  # the user's language ("fr", "en"); the channel maps it to Meta's
    parameters: tuple[str, ...]  # in order; each one line, no tab, no 4 spaces in a row


@dataclass
class Outcome:
    """What to answer. The flags only matter when the input was a button press."""

    replies: list[Reply] = field(default_factory=list)
    # The first reply takes the place of the message whose button was pressed (the next
    # step draws itself over the previous prompt: one message edit, no new message).
    replace_pressed: bool = False
    # The pressed keyboard is used up: the channel removes it; with `spent_text` the
    # pressed message's text is replaced too (the confirmation becomes "payment sent").
    spend_keyboard: bool = False
    spent_text: str | None = None
    # A short notice for the press itself (Telegram answerCallbackQuery text).
    toast: str | None = None


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)
