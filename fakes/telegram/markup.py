"""Validation of reply_markup objects the way the Bot API checks them."""

import re
from typing import Any

from .errors import bad_request

# The optional fields of an InlineKeyboardButton, of which exactly one must be used.
INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100

_URL_RE = re.compile(r"(?:https?|tg|ton)://\S+|(?:[\w-]+\.)+[a-z]{2,}(?:[/?#]\S*)?", re.I)

Buttons = list[list[tuple[str, str | None]]]


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """The markup, checked; None when absent. An empty inline keyboard counts as absent."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        if not any(markup["inline_keyboard"]):
            return None
        return markup
    if inline_only:
        if not markup:
            return None
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(keyboard: Any, field: str, markup: str) -> list[list[Any]]:
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request(f'Field "{field}" of the {markup} should be an Array of Arrays')
    if sum(len(row) for row in keyboard) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return keyboard


def _check_inline_keyboard(keyboard: Any) -> None:
    for row in _rows(keyboard, "inline_keyboard", "InlineKeyboardMarkup"):
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_BUTTON_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(prefix + "exactly one of the optional fields must be used")
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise bad_request(prefix + 'Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str):
            raise bad_request(prefix + 'Field "url" must be of type String')
        if not _URL_RE.fullmatch(url.strip()):
            raise bad_request("BUTTON_URL_INVALID")


def _check_reply_keyboard(keyboard: Any) -> None:
    for row in _rows(keyboard, "keyboard", "ReplyKeyboardMarkup"):
        for button in row:
            if isinstance(button, str):
                text = button
            elif isinstance(button, dict) and isinstance(button.get("text"), str):
                text = button["text"]
            else:
                raise bad_request("can't parse keyboard button: Can't find field \"text\"")
            if not text:
                raise bad_request("keyboard button text must be non-empty")


def inline_buttons(markup: dict[str, Any] | None) -> Buttons:
    """Rows of (text, callback_data) of an inline keyboard; callback_data None for the others."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        [(button["text"], button.get("callback_data")) for button in row]
        for row in markup["inline_keyboard"]
    ]
