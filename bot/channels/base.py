"""What every channel (Telegram, the terminal, WhatsApp next) is to the rest of the bot.

Inbound, a channel turns what a user sent into `handlers.types.Incoming` and gives it to
the conversation engine. Outbound, it implements `OutboundChannel`: the notifier hands it a
user and a reply, and it says, by the delivery error it raises, what to do when it could
not deliver. Each channel declares its `ChannelLimits` (its `LIMITS`), and every reply of
every flow is checked against all of them (tests/unit/test_channel_limits.py).
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from handlers.types import Keyboard, Reply, TemplateMessage
from storage.models import OutboxMessage, User

NO_LIMIT = sys.maxsize  # nothing the channel enforces


def length(text: str) -> int:
    """Characters as the stricter of two readings: UTF-16 code units, so that an emoji
    outside the BMP (🔎) counts two where a platform may count it so."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class ChannelLimits:
    """What one message may carry on a channel. Lengths are `length()` characters;
    payloads are UTF-8 bytes (never fewer than characters)."""

    text_chars: int  # a text message
    caption_chars: int  # the text sent with an image
    keyboard_text_chars: int  # the text of a message that carries buttons
    buttons: int  # buttons under one message
    buttons_per_row: int
    label_chars: int  # a button's label
    payload_bytes: int  # what a pressed button sends back
    # A list of choices, drawn instead of buttons when there are more than `buttons`
    # (WhatsApp's list message): its rows, a row's title, a row's id. 0 rows: no lists.
    list_rows: int = 0
    list_label_chars: int = 0
    list_payload_bytes: int = 0
    # A label longer than a row's title is cut there with "…" and shown whole in the row's
    # description, of up to this many characters (0: rows have no description).
    list_description_chars: int = 0
    # A list of more than `list_rows` choices goes out in pages: each but the last shows
    # `list_rows - 1` choices and a "More…" row asking for the next page.
    pages_lists: bool = False
    # A longer text goes out as several messages, cut between lines, the keyboard under the
    # last one (`split_text`).
    splits_text: bool = False

    def text_limit(self, reply: Reply) -> int:
        if reply.image is not None:
            return self.caption_chars
        return self.keyboard_text_chars if reply.buttons else self.text_chars

    def text_fits(self, reply: Reply) -> bool:
        if self.splits_text and reply.image is None:
            return True
        return length(reply.text) <= self.text_limit(reply)

    def fits_as_buttons(self, keyboard: Keyboard) -> bool:
        buttons = [button for row in keyboard for button in row]
        return (
            len(buttons) <= self.buttons
            and all(len(row) <= self.buttons_per_row for row in keyboard)
            and all(length(button.label) <= self.label_chars for button in buttons)
            and all(len(button.payload.encode()) <= self.payload_bytes for button in buttons)
        )

    def fits_as_list(self, keyboard: Keyboard) -> bool:
        buttons = [button for row in keyboard for button in row]
        label_chars = max(self.list_label_chars, self.list_description_chars)
        return (
            (len(buttons) <= self.list_rows or (self.pages_lists and self.list_rows > 1))
            and all(length(button.label) <= label_chars for button in buttons)
            and all(len(button.payload.encode()) <= self.list_payload_bytes for button in buttons)
        )

    def fits(self, reply: Reply) -> bool:
        """The reply goes out as it is: its text, and its keyboard as buttons or as a list."""
        keyboard_fits = not reply.buttons or (
            self.fits_as_buttons(reply.buttons) or self.fits_as_list(reply.buttons)
        )
        return self.text_fits(reply) and keyboard_fits


class DeliveryError(Exception):
    """The channel could not deliver; the subclass says what to do next."""


class RetryLater(DeliveryError):
    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}, retry after {seconds:.1f}s")
        self.seconds = seconds


class RecipientGone(DeliveryError):
    """The user blocked the bot or the chat no longer exists: stop writing to them."""


class MessageRefused(DeliveryError):
    """This message can never be delivered as it is (the channel said so)."""


@dataclass(frozen=True)
class Outgoing:
    """What the notifier hands a channel: the reply, the outbox message it comes from, and
    the same message as an approved template, for a channel that may not send free text
    (WhatsApp, more than 24 hours after the user last wrote)."""

    reply: Reply
    message: OutboxMessage
    template: Callable[[], TemplateMessage]


class OutboundChannel(Protocol):
    async def send(self, user: User, outgoing: Outgoing) -> None: ...


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """`text` in pieces of at most `limit` (as `measure` counts), cut between lines where it
    can be, inside a line only when the line alone is longer than `limit`. No piece is
    blank; the pieces hold every character of the text but the new lines cut at."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        while measure(line) > limit:  # a line too long for any message: cut it
            if current is not None:
                pieces.append(current)
                current = None
            cut = limit
            while measure(line[:cut]) > limit:  # wide characters count more than one
                cut -= 1
            pieces.append(line[:cut])
            line = line[cut:]
        if current is None:
            current = line
        elif measure(current) + 1 + measure(line) <= limit:
            current += "\n" + line
        else:
            pieces.append(current)
            current = line
    if current is not None:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]
