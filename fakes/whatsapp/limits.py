"""WhatsApp's limits on one message (Cloud API), and the helpers that check a request's shape.

Lengths are counted in UTF-16 code units (an emoji outside the BMP counts two): Meta says
"characters" without saying which, and this is the stricter reading.
"""

from collections.abc import Set
from typing import Any

from .errors import bad_value, invalid, too_long

TEXT_BODY = 4096
INTERACTIVE_BODY = 1024
CAPTION = 1024
HEADER_FOOTER = 60
BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256
LIST_BUTTON = 20
LIST_ROWS = 10
LIST_SECTIONS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ROW_ID = 200
SECTION_TITLE = 24
# An interactive "cta_url" message (Meta, "Interactive Call-to-Action URL Button Messages"):
# one button opening `url`, its display_text at most 20 characters, body 1 024.
CTA_DISPLAY_TEXT = 20
CTA_URL_SCHEMES = ("https://", "http://")
TEMPLATE_BODY = 1024  # a template's body once filled
MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def units(text: str) -> int:
    """The length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def keys(what: str, value: dict[str, Any], required: Set[str], optional: Set[str]) -> None:
    """`value` has every `required` key and none but those and `optional` (else code 100)."""
    missing = sorted(required - set(value))
    if missing:
        raise invalid(f"{what}: missing {', '.join(missing)}")
    extra = sorted(set(value) - required - optional)
    if extra:
        raise invalid(f"{what}: unexpected {', '.join(extra)}")


def obj(what: str, value: Any, required: Set[str], optional: Set[str] = frozenset()) -> Any:
    """`value` as an object with exactly those keys (the return is for chaining)."""
    if not isinstance(value, dict):
        raise invalid(f"{what} must be an object")
    keys(what, value, required, optional)
    return value


def text(what: str, value: Any, most: int, *, one_line: bool = False) -> str:
    """A text the user reads: a string, not blank, at most `most` units."""
    if not isinstance(value, str):
        raise invalid(f"{what} must be a string")
    if not value.strip():
        raise bad_value(f"{what} is empty")
    if units(value) > most:
        raise too_long(what, units(value), most)
    if one_line and ("\n" in value or "\r" in value):
        raise bad_value(f"{what} cannot contain a new line")
    return value


def ident(what: str, value: Any, most: int) -> str:
    """An id the bot gets back when the user presses: a non-empty string, at most `most`."""
    if not isinstance(value, str):
        raise invalid(f"{what} must be a string")
    if not value:
        raise bad_value(f"{what} is empty")
    if units(value) > most:
        raise too_long(what, units(value), most)
    return value
