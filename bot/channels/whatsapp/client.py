"""The WhatsApp Cloud API client (httpx), as thin as DexchangeClient: send a message, upload
an image, mark a message read. Every error Meta answers is raised as the class its code
says to act by (never by the HTTP status alone): try later, send the template instead, give
up on this recipient, alert an admin, or set the message aside as malformed.
"""

import logging
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

GRAPH = "https://graph.facebook.com"


class WhatsAppError(Exception):
    """Base of every error the client raises; `code` is Meta's (None for a network fault)."""

    kind = "error"

    def __init__(
        self, message: str, *, code: int | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(f"{code}: {message}" if code is not None else message)
        self.message = message
        self.code = code
        self.http_status = http_status


class Later(WhatsAppError):
    """Not now: throughput (130429), this recipient's pace (131056), a temporary fault, a
    5xx, the network. Never a failure of the message."""

    kind = "later"


class OutsideWindow(WhatsAppError):
    """131047: more than 24 hours since the user wrote; only a template may go."""

    kind = "outside_window"


class Undeliverable(WhatsAppError):
    """131026 and kin: this recipient cannot receive it (no WhatsApp, blocked us…)."""

    kind = "undeliverable"


class TemplateRefused(WhatsAppError):
    """132000-132016: the template's name, language or parameters are not as approved."""

    kind = "template_refused"


class AccessDenied(WhatsAppError):
    """190 and kin: our token, our permissions or our account: an admin must act."""

    kind = "access_denied"


class Refused(WhatsAppError):
    """The request itself is wrong (100, 131008, 131009, 131051…): as it is, it never goes."""

    kind = "refused"


LATER = {4, 80007, 130429, 131000, 131016, 131056, 133004, 133005}
OUTSIDE_WINDOW = {131047}
UNDELIVERABLE = {131021, 131026, 131045, 131050}
ACCESS = {0, 3, 10, 190, 131005, 131031, 131042, 133010, 368}


def error_class(code: int | None, http_status: int) -> type[WhatsAppError]:
    """What a failed call means, from Meta's code first, its HTTP status second."""
    if code in LATER or (code is None and (http_status >= 500 or http_status == 429)):
        return Later
    if code in OUTSIDE_WINDOW:
        return OutsideWindow
    if code in UNDELIVERABLE:
        return Undeliverable
    if code is not None and 132000 <= code <= 132999:
        return TemplateRefused
    if code in ACCESS or (code is not None and 200 <= code <= 299) or http_status == 401:
        return AccessDenied
    if http_status >= 500:
        return Later
    return Refused


def _error_of(response: httpx.Response) -> WhatsAppError:
    try:
        body: Any = response.json()
    except (ValueError, RecursionError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    code: int | None = None
    message = f"HTTP {response.status_code}"
    if isinstance(error, dict):
        raw_code = error.get("code")
        try:
            code = int(raw_code) if raw_code is not None else None
        except (TypeError, ValueError):
            code = None
        details = error.get("error_data", {})
        detail = details.get("details") if isinstance(details, dict) else None
        message = str(detail or error.get("message") or message)[:300]
    kind = error_class(code, response.status_code)
    return kind(message, code=code, http_status=response.status_code)


class WhatsAppClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        phone_number_id: str,
        access_token: str,
        *,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        on_error: Callable[[WhatsAppError], None] = lambda error: None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/{version.strip('/')}/{phone_number_id}",
            headers={"Authorization": f"Bearer {access_token}", "User-Agent": "senpay-bot"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
        )
        self._on_error = on_error  # every error raised, as it is raised (metrics)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """Send one message (`message`: its type and content, as Meta writes them) and
        return its id (wamid). Accepted is not delivered: statuses tell the rest."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        answer = await self._call("POST", "/messages", json={**body, **message})
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            message_id = messages[0].get("id")
            if isinstance(message_id, str) and message_id:
                return message_id
        # Accepted, yet no id to follow it by: tried again later, like a timeout.
        raise self._report(Later("accepted without a message id"))

    async def upload_image(
        self, data: bytes, mime: str = "image/png", name: str = "image.png"
    ) -> str:
        answer = await self._call(
            "POST",
            "/media",
            data={"messaging_product": "whatsapp", "type": mime},
            files={"file": (name, data, mime)},
        )
        media_id = answer.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise self._report(Later("upload answered without a media id"))
        return media_id

    async def mark_read(self, message_id: str) -> None:
        await self._call(
            "POST",
            "/messages",
            json={"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
        )

    def _report(self, error: WhatsAppError) -> WhatsAppError:
        self._on_error(error)
        return error

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            # The message may have gone: the outbox sends it again (at least once).
            raise self._report(Later(f"timeout: {type(error).__name__}")) from None
        except httpx.TransportError as error:
            raise self._report(Later(f"connection: {type(error).__name__}")) from None
        if response.status_code >= 400:
            raise self._report(_error_of(response))
        try:
            body: Any = response.json()
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            raise self._report(Later(f"unreadable answer ({response.status_code})"))
        return body
