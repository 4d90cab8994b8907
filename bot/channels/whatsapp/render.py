"""A channel-neutral `Reply` made into the WhatsApp messages that carry it, in order, each
within WhatsApp's limits (`limits.LIMITS`; lengths counted by `base.length`, UTF-16 units).

- No buttons: text messages (a text over 4 096 is cut between lines, `base.split_text`).
- Up to 3 buttons, each label fitting a reply button's title (20), all labels different:
  reply buttons, each button's id its payload. Otherwise a list message, one row a button:
  a label longer than a row's title (24) is cut there with "…" and given whole as the row's
  description (72). A body with buttons or a list holds 1 024: a longer text goes first as
  text message(s), its last part (cut between lines) as the body.
- An image (a PNG) is uploaded, then sent with the text as its caption when the caption
  fits 1 024 and no buttons follow; else the image goes bare and the text (with the
  buttons) as above. A receipt (short caption, Menu button) is an image with its caption,
  then the buttons under "What do you want to do now?".
- A link (a URL button) alone under a text, its label fitting 20: an interactive "cta_url"
  message (a button that opens it). With other buttons, or a longer label, the link is
  written under the text instead (its formatting marks percent-encoded).
- WhatsApp's formatting marks (* _ ~ `) are replaced by look-alikes everywhere we write
  text (`neutralise`): a name like _Awa_ is shown as typed, never in italics.

Lists of more than 10 rows ("More…"). A list shows 9 rows and a tenth, "More…", whose id is
`wa:more:<token>:<page>`; the renderer remembers, per user, the last such list (its buttons
and language, under a fresh random token; at most `users_kept` users, the least recently
shown forgotten first). When a pressed button's id starts with `wa:more:` (`is_more`),
the inbound side calls `next_page(user_key, id)`:
- a list of messages (one list message: the next 9 rows and "More…" again, or the last
  up to 10 rows): send them; the press is not the conversation's business;
- None (another list was shown since, the process restarted, a forged id): hand the press
  to the conversation as any button press; it answers that the button is no longer valid
  and shows the current step again.
A row pressed on any page carries the button's own payload, as on the first page.
"""

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bot.channels.base import length, split_text
from bot.channels.whatsapp.limits import LIMITS
from handlers.i18n import t
from handlers.types import Button, Reply

MORE_PREFIX = "wa:more:"
ELLIPSIS = "…"

# Meta's marks are ASCII; the same-looking characters below are not marks at all, so no
# rule of WhatsApp's parser (undocumented: what counts as a word boundary, whether a
# zero-width joiner breaks a pair) can turn them into formatting. Each is one UTF-16 unit,
# like the mark it replaces: lengths, and so the limits, do not change.
LOOK_ALIKES = str.maketrans(
    {
        "*": "\u2217",  # ∗ ASTERISK OPERATOR
        "_": "\u02cd",  # ˍ MODIFIER LETTER LOW MACRON
        "~": "\u223c",  # ∼ TILDE OPERATOR
        "`": "\u02cb",  # ˋ MODIFIER LETTER GRAVE ACCENT
    }
)


def neutralise(text: str) -> str:
    """`text` with WhatsApp's formatting marks replaced by look-alikes that format nothing."""
    return text.translate(LOOK_ALIKES)


@dataclass(frozen=True)
class Upload:
    """An image to upload (WhatsAppClient.upload_image) before its message is sent."""

    data: bytes
    name: str
    mime: str = "image/png"


@dataclass(frozen=True)
class Outgoing:
    """One message to send. `body` is the `message` of WhatsAppClient.send, except for an
    image (`upload` set): upload it first and send `with_media(<its media id>)`."""

    body: dict[str, Any]
    upload: Upload | None = None

    @property
    def kind(self) -> str:
        return str(self.body["type"])

    def with_media(self, media_id: str) -> dict[str, Any]:
        if self.upload is None:
            raise ValueError("only an image message takes a media id")
        return {**self.body, "image": {"id": media_id, **self.body["image"]}}


def is_more(payload: str) -> bool:
    """The id of a list's "More…" row (served by `next_page`, not by the conversation)."""
    return payload.startswith(MORE_PREFIX)


def cut(text: str, limit: int) -> str:
    """`text` if it fits `limit`, else its longest head that fits with "…" after it."""
    if length(text) <= limit:
        return text
    room = limit - length(ELLIPSIS)
    end = size = 0
    while end < len(text) and size + length(text[end]) <= room:
        size += length(text[end])
        end += 1
    # A cut emoji sequence should not end on its joiner or its variation selector.
    return text[:end].rstrip(" \u200d\ufe0f") + ELLIPSIS


def one_line(label: str) -> str:
    """A title holds one line: runs of blanks and new lines become one space."""
    return " ".join(label.split()) or "•"


# --- the messages, as Meta writes them ---------------------------------------------------------


def text_message(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def buttons_message(body: str, buttons: list[Button]) -> dict[str, Any]:
    replies = [
        {"type": "reply", "reply": {"id": button.payload, "title": button.label}}
        for button in buttons
    ]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": replies}},
    }


def row(button: Button) -> dict[str, str]:
    if len(button.payload.encode()) > LIMITS.list_payload_bytes:
        raise ValueError(f"a payload over {LIMITS.list_payload_bytes} bytes: {button.payload!r}")
    found = {"id": button.payload, "title": cut(button.label, LIMITS.list_label_chars)}
    if length(button.label) > LIMITS.list_label_chars:  # the whole label, below its cut title
        found["description"] = cut(button.label, LIMITS.list_description_chars)
    return found


def list_message(body: str, language: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    action = {"button": neutralise(t(language, "whatsapp.choose")), "sections": [{"rows": rows}]}
    return {
        "type": "interactive",
        "interactive": {"type": "list", "body": {"text": body}, "action": action},
    }


def cta_message(body: str, button: Button) -> dict[str, Any]:
    """One button opening `button.url` (an interactive "cta_url" message)."""
    parameters = {"display_text": neutralise(one_line(button.label)), "url": button.url}
    return {
        "type": "interactive",
        "interactive": {
            "type": "cta_url",
            "body": {"text": body},
            "action": {"name": "cta_url", "parameters": parameters},
        },
    }


def as_cta(reply: Reply) -> Button | None:
    """The link of a reply whose only button is a link with a label that fits, else None."""
    found = [button for line in reply.buttons for button in line]
    if len(found) != 1 or found[0].url is None or reply.image is not None:
        return None
    fits = length(neutralise(one_line(found[0].label))) <= LIMITS.label_chars
    return found[0] if fits else None


def image_message(image: bytes, name: str, caption: str) -> Outgoing:
    body: dict[str, Any] = {"type": "image", "image": {"caption": caption} if caption else {}}
    return Outgoing(body, Upload(image, name))


# --- texts -------------------------------------------------------------------------------------


def texts(text: str) -> list[Outgoing]:
    if not text.strip():
        return []
    return [Outgoing(text_message(piece)) for piece in split_text(text, LIMITS.text_chars, length)]


def head_and_body(text: str, limit: int) -> tuple[str, str]:
    """`text` as what goes before (any length) and a last part of at most `limit`, cut
    between lines where the last line fits, inside the last line where it does not."""
    text = text.rstrip()
    if length(text) <= limit:
        return "", text
    lines = text.split("\n")
    keep = len(lines)
    while keep > 0 and length("\n".join(lines[keep - 1 :])) <= limit:
        keep -= 1
    if keep < len(lines):  # whole lines, the last one (not blank) among them
        return "\n".join(lines[:keep]).rstrip(), "\n".join(lines[keep:]).lstrip("\n")
    last = lines[-1]  # alone longer than `limit`: its end is the body
    start, size = len(last), 0
    while start > 0 and size + length(last[start - 1]) <= limit:
        start -= 1
        size += length(last[start])
    return "\n".join([*lines[:-1], last[:start]]), last[start:]


# --- keyboards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """The rows of one list message: `start` to `end` of the buttons, "More…" if `more`."""

    start: int
    end: int
    more: bool


def pages(count: int, rows: int = LIMITS.list_rows) -> list[Page]:
    """All the buttons on one list if they fit, else `rows - 1` a page and "More…", the
    last page up to `rows`."""
    found: list[Page] = []
    start = 0
    while count - start > rows:
        found.append(Page(start, start + rows - 1, True))
        start += rows - 1
    found.append(Page(start, count, False))
    return found


def list_page(
    body: str, language: str, buttons: list[Button], number: int, token: str
) -> dict[str, Any]:
    every = pages(len(buttons))
    page = every[number]
    rows = [row(button) for button in buttons[page.start : page.end]]
    if page.more:
        after = every[number + 1]
        rows.append(
            {
                "id": f"{MORE_PREFIX}{token}:{number + 1}",
                "title": cut(neutralise(t(language, "whatsapp.more")), LIMITS.list_label_chars),
                "description": cut(
                    neutralise(
                        t(
                            language,
                            "whatsapp.more.rows",
                            first=after.start + 1,
                            last=after.end,
                            total=len(buttons),
                        )
                    ),
                    LIMITS.list_description_chars,
                ),
            }
        )
    return list_message(body, language, rows)


def shown(buttons: tuple[tuple[Button, ...], ...]) -> list[Button]:
    """The keyboard's buttons in order, as WhatsApp shows them: labels on one line without
    formatting marks; a payload met twice once (ids must differ; both do the same)."""
    found: dict[str, Button] = {}
    for line in buttons:
        for button in line:
            if button.url is not None:
                continue  # a link goes in the text (`with_links`)
            label = neutralise(one_line(button.label))
            found.setdefault(button.payload, Button(label, button.payload))
    return list(found.values())


# A link's formatting marks, percent-encoded: the same address (RFC 3986: `_` and `~` are
# unreserved, their encodings equivalent), and nothing WhatsApp could take for a mark.
URL_MARKS = str.maketrans({"*": "%2A", "_": "%5F", "~": "%7E", "`": "%60"})


def with_links(text: str, buttons: tuple[tuple[Button, ...], ...]) -> str:
    """The keyboard's links (URL buttons) written under the text, where WhatsApp makes them
    tappable (a look-alike in an address would break it: its marks are percent-encoded)."""
    links = [button for line in buttons for button in line if button.url is not None]
    lines = [
        f"{neutralise(one_line(button.label))} : {(button.url or '').translate(URL_MARKS)}"
        for button in links
    ]
    return "\n".join([text, *lines]) if lines else text


def as_reply_buttons(buttons: list[Button]) -> bool:
    return (
        len(buttons) <= LIMITS.buttons
        and all(length(button.label) <= LIMITS.label_chars for button in buttons)
        and all(len(button.payload.encode()) <= LIMITS.payload_bytes for button in buttons)
        and len({button.label for button in buttons}) == len(buttons)  # titles must differ
    )


# --- the renderer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptList:
    token: str
    language: str
    buttons: list[Button]


class WhatsAppRenderer:
    """Replies made into messages; remembers each user's last list too long for one
    message, for its "More…" row (see the module's docstring)."""

    def __init__(self, users_kept: int = 10_000) -> None:
        self._users_kept = users_kept
        self._lists: OrderedDict[str | int, KeptList] = OrderedDict()

    def render(self, user_key: str | int, reply: Reply, language: str) -> list[Outgoing]:
        found: list[Outgoing] = []
        link = as_cta(reply)
        if link is not None:
            head, body = head_and_body(neutralise(reply.text).strip(), LIMITS.keyboard_text_chars)
            if not body.strip():
                body = neutralise(one_line(link.label))
            return [*texts(head), Outgoing(cta_message(body, link))]
        text = with_links(neutralise(reply.text).strip(), reply.buttons)
        buttons = shown(reply.buttons)
        if reply.image is not None:
            fits = length(text) <= LIMITS.caption_chars
            if fits and not buttons:
                return [image_message(reply.image, reply.image_name, text)]
            found.append(image_message(reply.image, reply.image_name, text if fits else ""))
            if fits:  # the text went as the caption: the buttons go under a question
                text = neutralise(t(language, "result.next"))
        if not buttons:
            return found + texts(text)
        head, body = head_and_body(text, LIMITS.keyboard_text_chars)
        found += texts(head)
        if not body.strip():  # an interactive message needs a body
            body = neutralise(t(language, "whatsapp.choose"))
        if as_reply_buttons(buttons):
            return [*found, Outgoing(buttons_message(body, buttons))]
        token = ""
        if len(buttons) > LIMITS.list_rows:
            token = secrets.token_hex(4)
            self._keep(user_key, KeptList(token, language, buttons))
        return [*found, Outgoing(list_page(body, language, buttons, 0, token))]

    def next_page(self, user_key: str | int, payload: str) -> list[Outgoing] | None:
        """The page a "More…" row asks for, or None when it is not this user's last list."""
        if not is_more(payload):
            return None
        token, _, number = payload[len(MORE_PREFIX) :].partition(":")
        kept = self._lists.get(user_key)
        if kept is None or not secrets.compare_digest(kept.token, token):
            return None
        if not number.isdigit() or not 0 < int(number) < len(pages(len(kept.buttons))):
            return None
        self._lists.move_to_end(user_key)
        count = len(pages(len(kept.buttons)))
        body = neutralise(t(kept.language, "whatsapp.more.body", page=int(number) + 1, pages=count))
        return [Outgoing(list_page(body, kept.language, kept.buttons, int(number), token))]

    def _keep(self, user_key: str | int, kept: KeptList) -> None:
        self._lists[user_key] = kept
        self._lists.move_to_end(user_key)
        while len(self._lists) > self._users_kept:
            self._lists.popitem(last=False)
