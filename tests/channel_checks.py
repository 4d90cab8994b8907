"""What in a reply a channel's limits do not allow, named so a report can say which text
and which keyboard (test_channel_limits.py, test_whatsapp_drawn_values.py)."""

import re
from collections.abc import Iterator

from bot.channels.base import ChannelLimits, length
from handlers.i18n import CATALOGS
from handlers.types import Reply
from tests.flow_walk import shape


def opening(text: str) -> str:
    """The catalogue key whose first line the text's first line is (the most specific)."""
    first = text.split("\n", 1)[0]
    best = (7, text[:20])  # a key needs 8 characters of its own to name a text
    for catalog in CATALOGS.values():
        for key, template in catalog.items():
            parts = re.split(r"\{[^}]*\}", template.split("\n", 1)[0])
            own = sum(len(part) for part in parts)
            if own > best[0] and re.match(".*".join(map(re.escape, parts)), first):
                best = (own, key)
    return best[1]


def misfits(limits: ChannelLimits, reply: Reply) -> Iterator[tuple[str, str, str]]:
    """(what, name, detail) for each thing in `reply` that `limits` does not allow."""
    keyboard = reply.buttons
    buttons = [button for row in keyboard for button in row]
    name = shape(buttons[0].payload) if buttons else ""  # a keyboard: by its first button
    if not limits.text_fits(reply):
        text = f"{opening(reply.text)} {name}".strip()
        yield "text", text, f"{length(reply.text)} > {limits.text_limit(reply)}"
    if not keyboard or limits.fits_as_buttons(keyboard):
        return
    most = max(limits.buttons, limits.list_rows)
    if len(buttons) > most and not limits.pages_lists:
        yield "choices", name, f"{len(buttons)} > {most}"
    if len(buttons) <= limits.buttons:
        for row in keyboard:
            if len(row) > limits.buttons_per_row:
                yield "row", name, f"{len(row)} > {limits.buttons_per_row}"
    for button in buttons:
        size = length(button.label)
        if size > max(limits.label_chars, limits.list_label_chars, limits.list_description_chars):
            yield "label", shape(button.payload), f"{button.label!r}: {size}"
        elif size > limits.label_chars:
            yield "list only", shape(button.payload), f"{button.label!r}: {size}"
        payload = len(button.payload.encode())
        if payload > max(limits.payload_bytes, limits.list_payload_bytes):
            yield "payload", shape(button.payload), f"{button.payload!r}: {payload} bytes"
