"""What the fake remembers: users, the bot's messages and the users', media, API calls,
statuses and webhook deliveries."""

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# A message's delivery, in the order it progresses (a later status never goes back).
PROGRESS = ("accepted", "sent", "delivered", "read")


@dataclass(eq=False, slots=True)
class WaUser:
    """A WhatsApp user on the other side of the bot (one person, even across changes).

    `phone` is their number (digits, country code first); it shows in webhooks as `wa_id` /
    `from` only when `with_number`. `bsuid` is the business-scoped user id ("SN.123…"), or
    None for a user from before BSUIDs. The bot may send `to` either.
    """

    phone: str
    name: str
    bsuid: str | None = None
    with_number: bool = True
    blocked: bool = False  # messages to them are accepted, then fail with 131026
    last_inbound: float | None = None  # the fake's clock at their last message (the window)

    @property
    def wa_id(self) -> str | None:
        """The number as webhooks show it, or None for a user who hides it."""
        return self.phone if self.with_number else None

    @property
    def id(self) -> str:
        """How the bot identifies them: the BSUID when they have one, else the number."""
        return self.bsuid or self.phone

    def contact(self) -> JSON:
        contact: JSON = {"profile": {"name": self.name}}
        if self.with_number:
            contact["wa_id"] = self.phone
        if self.bsuid is not None:
            contact["user_id"] = self.bsuid
        return contact

    def sender(self) -> JSON:
        """The `from` / `from_user_id` of a message from them."""
        fields: JSON = {}
        if self.with_number:
            fields["from"] = self.phone
        if self.bsuid is not None:
            fields["from_user_id"] = self.bsuid
        return fields

    def __repr__(self) -> str:
        return f"WaUser({self.phone}, {self.name!r}, bsuid={self.bsuid})"


@dataclass(frozen=True, slots=True)
class Media:
    """An image the bot uploaded."""

    id: str
    mime_type: str
    data: bytes = field(repr=False)
    sha256: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """A list message's row."""

    id: str
    title: str
    description: str | None = None
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """A message the bot sent, as the user sees it (read from the validated request)."""

    type: str  # "text", "interactive", "image", "template"
    text: str  # text body, interactive body, image caption or the template's filled body
    interactive: str | None = None  # "button", "list" or "cta_url"
    buttons: tuple[tuple[str, str], ...] = ()  # reply buttons: (id, title)
    rows: tuple[Row, ...] = ()
    list_button: str | None = None
    header: str | None = None
    footer: str | None = None
    link: tuple[str, str] | None = None  # a cta_url's (display_text, url): opened, not pressed
    media: Media | None = None
    template: str | None = None
    language: str | None = None
    params: tuple[str, ...] = ()

    @property
    def free_form(self) -> bool:
        """Anything but a template: allowed only inside the 24-hour window."""
        return self.type != "template"


@dataclass(eq=False, slots=True)
class BotMessage:
    """A message the bot sent and the fake accepted (its wamid came back)."""

    wamid: str
    to: str  # as the bot wrote it
    user: WaUser | None  # who that is; None when no user has that number or id
    content: Content
    payload: JSON = field(repr=False)  # the request body as sent
    time: float  # the fake's clock when accepted
    context_id: str | None = None  # the message it replied to
    statuses: list[str] = field(default_factory=list)  # as decided, in order (no duplicates)
    error_code: int | None = None  # of the `failed` status
    seq: int = 0  # the fake's event counter at the last change; see FakeWhatsApp.mark()

    @property
    def type(self) -> str:
        return self.content.type

    @property
    def text(self) -> str:
        """What the user reads: the body, the caption or the filled template."""
        return self.content.text

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Reply buttons as (id, title)."""
        return list(self.content.buttons)

    @property
    def rows(self) -> list[Row]:
        return list(self.content.rows)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """What the user may press: (id, title) of the buttons or of the list's rows."""
        return self.buttons + [(row.id, row.title) for row in self.content.rows]

    @property
    def template(self) -> str | None:
        return self.content.template

    @property
    def params(self) -> list[str]:
        return list(self.content.params)

    @property
    def image(self) -> bytes | None:
        return self.content.media.data if self.content.media is not None else None

    @property
    def status(self) -> str:
        """ "accepted", "sent", "delivered", "read" or "failed"."""
        return self.statuses[-1] if self.statuses else "accepted"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def id_for(self, choice: str) -> str:
        """The id of the button or row with this id or title."""
        for ident, title in self.choices:
            if choice in (ident, title):
                return ident
        raise KeyError(f"no button or row {choice!r} on {self!r}")

    def __repr__(self) -> str:
        choices = [title for _, title in self.choices]
        extra = f", template={self.template}{self.params}" if self.template else ""
        return (
            f"BotMessage({self.wamid[-8:]} to {self.to}, {self.type}, {self.text[:80]!r}, "
            f"choices={choices}{extra}, {self.status})"
        )


@dataclass(eq=False, slots=True)
class UserMessage:
    """A message a fake user sent to the bot (or a system message about them)."""

    wamid: str
    user: WaUser
    type: str
    payload: JSON = field(repr=False)  # the `messages[]` item of the webhook
    time: float
    notification: int = 0  # the id of the webhook notification carrying it
    read_by_bot: bool = False

    @property
    def text(self) -> str | None:
        text = self.payload.get("text")
        return text.get("body") if isinstance(text, dict) else None

    @property
    def reply(self) -> JSON | None:
        """The button_reply / list_reply of a press."""
        interactive = self.payload.get("interactive")
        if not isinstance(interactive, dict):
            return None
        found = interactive.get(str(interactive.get("type")))
        return found if isinstance(found, dict) else None


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made, with the fake's answer."""

    seq: int
    method: str  # "messages", "read", "media" or "unknown"
    path: str
    body: JSON  # the JSON body, or the form's fields (a file as "<n bytes image/png>")
    time: float  # loop time of arrival
    status: int
    response: JSON
    injected: bool = False  # answered by fail_next, not by the rules

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def code(self) -> int | None:
        """Meta's error code, None when it succeeded."""
        error = self.response.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, int) else None

    @property
    def details(self) -> str | None:
        error = self.response.get("error")
        data = error.get("error_data") if isinstance(error, dict) else None
        details = data.get("details") if isinstance(data, dict) else None
        return details if isinstance(details, str) else None

    def __repr__(self) -> str:
        extra = f" {self.code}: {self.details}" if self.code is not None else ""
        return f"ApiCall({self.method}, {self.status}{extra}, {self.body})"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A status webhook the fake queued (duplicates included)."""

    wamid: str
    status: str
    error_code: int | None
    notification: int


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST to the bot's webhook: status None when the connection failed."""

    notification: int  # 0 for post_raw
    url: str
    status: int | None
    error: str | None
    time: float  # loop time
    signature: str | None
    body: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300
