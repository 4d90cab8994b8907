"""What a WhatsApp webhook POST says, read from Meta's body: the messages users sent (with
who sent them), the statuses of ours, and the users whose number or id changed.

Pure: `read_webhook(data)` gives a `WebhookBatch`, or raises `Unreadable` with the reason
when the body is not Meta's shape (the caller keeps such a body for an admin). Fields Meta
may leave out (a number for a user with a username, a BSUID before they existed, contacts
in system messages) are optional; unknown message types are kept as "other".
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class Unreadable(ValueError):
    """Not a WhatsApp webhook body we can act on (the reason says why)."""


@dataclass(frozen=True)
class Sender:
    user_id: str | None  # business-scoped user id (BSUID), when Meta sends it
    phone: str | None  # wa_id, when Meta shares it
    name: str | None

    @property
    def key(self) -> str:
        found = self.user_id or self.phone
        assert found is not None
        return found


@dataclass(frozen=True)
class InboundMessage:
    message_id: str  # wamid
    sender: Sender
    kind: str  # "text", "button" (a reply button or list row pressed), "reaction", "other"
    text: str  # the text, or the pressed button's id
    sent_at: datetime
    context_id: str | None = None  # the message whose button was pressed
    type: str = "text"  # Meta's type, for the record


@dataclass(frozen=True)
class StatusReport:
    message_id: str  # our wamid
    status: str  # sent, delivered, read, failed (others ignored)
    error_code: int | None
    error_title: str | None
    at: datetime


@dataclass(frozen=True)
class IdentityChange:
    old: Sender
    new_user_id: str | None
    new_phone: str | None


@dataclass
class WebhookBatch:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusReport] = field(default_factory=list)
    changes: list[IdentityChange] = field(default_factory=list)


def signature_ok(app_secret: str, raw: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 = "sha256=" + HMAC-SHA256 of the raw body under the app secret,
    compared in constant time (as bytes: a header may hold anything)."""
    if not header:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode(errors="replace"))


def _str(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _message(raw: dict[str, Any], contacts: dict[str, dict[str, Any]]) -> InboundMessage:
    message_id = _str(raw.get("id"))
    if message_id is None:
        raise Unreadable("a message without an id")
    phone = _str(raw.get("from"))
    user_id = _str(raw.get("from_user_id"))
    contact = contacts.get(user_id or "") or contacts.get(phone or "") or {}
    user_id = user_id or _str(contact.get("user_id"))
    phone = phone or _str(contact.get("wa_id"))
    profile = contact.get("profile")
    name = _str(profile.get("name")) if isinstance(profile, dict) else None
    if user_id is None and phone is None:
        raise Unreadable(f"message {message_id[:60]} from nobody")
    sender = Sender(user_id, phone, name)
    kind, text = "other", ""
    meta_type = _str(raw.get("type")) or "unknown"
    if meta_type == "text":
        body = raw.get("text")
        kind, text = "text", (_str(body.get("body")) if isinstance(body, dict) else None) or ""
    elif meta_type == "interactive":
        interactive = raw.get("interactive")
        if isinstance(interactive, dict):
            reply = interactive.get("button_reply") or interactive.get("list_reply")
            if isinstance(reply, dict) and _str(reply.get("id")):
                kind, text = "button", str(_str(reply.get("id")))
    elif meta_type == "reaction":  # an emoji put on a message: nothing to answer
        kind = "reaction"
    elif meta_type == "button":  # a template's quick-reply button
        button = raw.get("button")
        if isinstance(button, dict):
            payload = _str(button.get("payload")) or _str(button.get("text"))
            if payload:
                kind, text = "text", payload
    context = raw.get("context")
    context_id = _str(context.get("id")) if isinstance(context, dict) else None
    return InboundMessage(
        message_id, sender, kind, text, _moment(raw.get("timestamp")), context_id, meta_type
    )


def _change(raw: dict[str, Any]) -> IdentityChange | None:
    system = raw.get("system")
    if not isinstance(system, dict):
        return None
    old = Sender(_str(raw.get("from_user_id")), _str(raw.get("from")), None)
    new_phone = _str(system.get("new_wa_id")) or _str(system.get("wa_id"))
    new_user_id = _str(system.get("new_user_id")) or _str(system.get("user_id"))
    if (old.user_id is None and old.phone is None) or (new_phone is None and new_user_id is None):
        return None
    return IdentityChange(old, new_user_id, new_phone)


def _status(raw: dict[str, Any]) -> StatusReport | None:
    message_id = _str(raw.get("id"))
    status = _str(raw.get("status"))
    if message_id is None or status is None:
        return None
    errors = _dicts(raw.get("errors"))
    code: int | None = None
    title: str | None = None
    if errors:
        try:
            code = int(str(errors[0].get("code")))
        except (TypeError, ValueError):
            code = None
        title = _str(errors[0].get("title")) or _str(errors[0].get("message"))
    return StatusReport(message_id, status.lower(), code, title, _moment(raw.get("timestamp")))


def read_webhook(data: Any) -> WebhookBatch:
    if not isinstance(data, dict) or data.get("object") not in (None, "whatsapp_business_account"):
        raise Unreadable("not a WhatsApp Business Account notification")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise Unreadable("no entry list")
    batch = WebhookBatch()
    for entry in _dicts(entries):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                raise Unreadable("a change without a value")
            contacts: dict[str, dict[str, Any]] = {}
            for contact in _dicts(value.get("contacts")):
                for key in (_str(contact.get("user_id")), _str(contact.get("wa_id"))):
                    if key:
                        contacts[key] = contact
            for raw in _dicts(value.get("messages")):
                if raw.get("type") == "system":
                    identity = _change(raw)
                    if identity is not None:
                        batch.changes.append(identity)
                    continue
                batch.messages.append(_message(raw, contacts))
            for raw in _dicts(value.get("statuses")):
                status = _status(raw)
                if status is not None:
                    batch.statuses.append(status)
    return batch
