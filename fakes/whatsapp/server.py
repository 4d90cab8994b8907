"""FakeWhatsApp: the HTTP server, the webhook side and what tests look at."""

import asyncio
import json
import logging
import re
import secrets
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .api import GraphApi
from .errors import GraphError, bad_token, invalid
from .loopback import Loopback
from .media import describe, parse_multipart
from .models import JSON, ApiCall, BotMessage, UserMessage, WaUser
from .pace import Pace
from .signals import wait_for
from .state import BotObserver
from .templates import TemplatesArg
from .webhook import Notification, sign

_LOGGER = logging.getLogger(__name__)
DEFAULT_TOKEN = "EAAG-TEST-TOKEN"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_DISPLAY_NUMBER = "221338001122"
DEFAULT_WABA_ID = "102290129340398"
DEFAULT_APP_SECRET = "test-app-secret"
DEFAULT_VERIFY_TOKEN = "test-verify-token"
_VERSION = re.compile(r"v\d+\.\d+")

MessagePredicate = Callable[[BotMessage], bool]
CallPredicate = Callable[[ApiCall], bool]


@dataclass(frozen=True, slots=True)
class Verification:
    """The bot's answer to Meta's subscription handshake (GET with hub.challenge)."""

    status: int
    text: str
    challenge: str

    @property
    def ok(self) -> bool:
        """Meta subscribes only when the answer is 200 with the challenge as the body."""
        return self.status == 200 and self.text == self.challenge


@dataclass(slots=True)
class _Fault:
    method: str
    code: int | None
    status: int
    remaining: int


class FakeWhatsApp(GraphApi):
    """A fake WhatsApp Cloud API on loopback, driven from the test's event loop.

    `async with FakeWhatsApp(templates=...) as wa:` starts it; point the bot's
    WHATSAPP_API_BASE_URL at `wa.base_url` and the fake at the bot's webhook with
    `webhook_url=` or `wa.set_webhook(url)`. See the package's docstring for the test API.
    """

    def __init__(
        self,
        access_token: str = DEFAULT_TOKEN,
        *,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
        waba_id: str = DEFAULT_WABA_ID,
        app_secret: str = DEFAULT_APP_SECRET,
        verify_token: str = DEFAULT_VERIFY_TOKEN,
        templates: TemplatesArg | None = None,
        pace: Pace | None = None,
        realistic: bool = True,
        clock: Callable[[], float] | None = None,
        webhook_url: str | None = None,
        webhook_retry_delay: float = 0.05,
        webhook_concurrency: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        record_calls: bool = True,
    ) -> None:
        super().__init__(
            access_token=access_token,
            phone_number_id=phone_number_id,
            display_phone_number=display_phone_number,
            waba_id=waba_id,
            app_secret=app_secret,
            verify_token=verify_token,
            templates=templates,
            pace=pace,
            realistic=realistic,
            clock=clock,
            webhook_url=webhook_url,
            webhook_retry_delay=webhook_retry_delay,
            webhook_concurrency=webhook_concurrency,
            record_calls=record_calls,
        )
        self._faults: deque[_Fault] = deque()
        self._injected: Counter[int] = Counter()  # refusals answered by fail_next
        self._fates_pending = 0  # accepted messages whose statuses are not queued yet
        self.app = Starlette(
            routes=[
                Route("/{version}/{number}/messages", self._messages, methods=["POST"]),
                Route("/{version}/{number}/media", self._media, methods=["POST"]),
                Route("/{path:path}", self._unknown, methods=["GET", "POST", "DELETE"]),
            ]
        )
        self.server = Loopback(self.app, host=host, port=port)
        self._http: httpx.AsyncClient | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await self.server.start()
        self._deliverer.start()
        self._http = httpx.AsyncClient(timeout=10.0, trust_env=False)

    async def stop(self) -> None:
        """Stop at once: notifications not yet acknowledged are dropped."""
        await self._deliverer.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await self.server.stop()

    async def __aenter__(self) -> "FakeWhatsApp":
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def base_url(self) -> str:
        """WHATSAPP_API_BASE_URL for the bot (any API version is accepted after it)."""
        return self.server.url

    @property
    def phone_number_id(self) -> str:
        return self.business.phone_number_id

    # --- the Graph API over HTTP --------------------------------------------------------------

    async def _messages(self, request: Request) -> Response:
        return await self._endpoint(request, "messages")

    async def _media(self, request: Request) -> Response:
        return await self._endpoint(request, "media")

    async def _endpoint(self, request: Request, method: str) -> Response:
        arrived = asyncio.get_running_loop().time()
        recorded: JSON = {}
        accepted: BotMessage | None = None
        injected = False
        try:
            self._check_path(request)
            raw = await request.body()
            if method == "media":
                fields = parse_multipart(raw, request.headers.get("content-type", ""))
                recorded = describe(fields)
                self._raise_fault(method)
                answer = self._upload(fields)
            else:
                body = _json(raw)
                recorded = body if isinstance(body, dict) else {"": body}
                if isinstance(body, dict) and "status" in body:
                    method = "read"
                self._raise_fault(method)
                if method == "read":
                    answer = self._mark_read(body)
                else:
                    answer, accepted = self._send(body)
            status = 200
        except _Injected as fault:
            injected = True
            status, answer = fault.status, {}
            if fault.code is not None:
                answer = GraphError(fault.code, status=fault.status).body()
                self.refused[fault.code] += 1
                self._injected[fault.code] += 1
        except GraphError as error:
            status, answer = error.status, error.body()
            self.refused[error.code] += 1
        except Exception as exc:  # a bug of the fake: a 500 the test will see
            _LOGGER.exception("fake WhatsApp failed on %s", request.url.path)
            self.internal_errors.append(exc)
            status, answer = 500, GraphError(131000, f"fake WhatsApp bug: {exc!r}").body()
        if self.record_calls:
            self.calls.append(
                ApiCall(
                    self._next_seq(),
                    method,
                    request.url.path,
                    recorded,
                    arrived,
                    status,
                    answer,
                    injected,
                )
            )
        self.changed.fire()
        background = None
        if accepted is not None:
            self._fates_pending += 1
            background = BackgroundTask(self._after_answer, accepted)
        if status >= 500 and not answer:
            return Response("Service Unavailable", status_code=status, background=background)
        content = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return Response(content, status, media_type="application/json", background=background)

    def _check_path(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            token.strip().encode(), self.access_token.encode()
        ):
            raise bad_token()
        version = request.path_params["version"]
        number = request.path_params["number"]
        if not _VERSION.fullmatch(version):
            raise invalid(f"Unknown path components: /{version}")
        if number != self.business.phone_number_id:
            raise invalid(
                f"Unsupported post request. Object with ID '{number}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation"
            )

    def _raise_fault(self, method: str) -> None:
        """Raise _Injected if fail_next asked for this call to fail."""
        for fault in self._faults:
            if fault.method in (method, "*"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise _Injected(fault.code, fault.status)

    async def _after_answer(self, message: BotMessage) -> None:
        """Once the bot has its answer: the message's statuses, by the rules."""
        try:
            self._deliver(message)
        except Exception as exc:
            _LOGGER.exception("fake WhatsApp failed to post statuses")
            self.internal_errors.append(exc)
        finally:
            self._fates_pending -= 1
            self.changed.fire()

    async def _unknown(self, request: Request) -> Response:
        error = invalid(f"Unsupported {request.method.lower()} request: {request.url.path}")
        self.refused[error.code] += 1
        if self.record_calls:
            loop_time = asyncio.get_running_loop().time()
            self.calls.append(
                ApiCall(
                    self._next_seq(),
                    "unknown",
                    request.url.path,
                    {},
                    loop_time,
                    400,
                    error.body(),
                )
            )
        self.changed.fire()
        return Response(json.dumps(error.body()), 400, media_type="application/json")

    # --- the webhook ------------------------------------------------------------------------

    @property
    def webhook_url(self) -> str | None:
        return self._deliverer.url

    def set_webhook(self, url: str | None) -> None:
        """Where notifications go (None: they wait). Ones already queued go there too."""
        self._deliverer.set_url(url)

    async def verify_webhook(
        self,
        url: str | None = None,
        *,
        verify_token: str | None = None,
        challenge: str | None = None,
        mode: str = "subscribe",
    ) -> Verification:
        """Meta's handshake: GET url?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…"""
        target = url or self.webhook_url
        assert target is not None and self._http is not None, "start the fake, give a URL"
        challenge = challenge if challenge is not None else str(secrets.randbelow(10**9))
        params = {
            "hub.mode": mode,
            "hub.verify_token": verify_token if verify_token is not None else self.verify_token,
            "hub.challenge": challenge,
        }
        answer = await self._http.get(target, params=params)
        return Verification(answer.status_code, answer.text, challenge)

    async def subscribe(self, url: str, *, verify_token: str | None = None) -> Verification:
        """What the app dashboard does: verify `url`, and send notifications there if it
        answered the challenge."""
        verification = await self.verify_webhook(url, verify_token=verify_token)
        if verification.ok:
            self.set_webhook(url)
        return verification

    def sign(self, body: bytes) -> str:
        """The X-Hub-Signature-256 header value the fake would send with `body`."""
        return sign(self.app_secret, body)

    async def post_raw(
        self, body: bytes | JSON, *, signature: str | None = "valid", url: str | None = None
    ) -> int | None:
        """POST `body` once to the webhook (no retry) with `signature` ("valid": the right
        one; None: no header; else that header value); the HTTP status (None: no answer)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        header = self.sign(raw) if signature == "valid" else signature
        previous = self._deliverer.url
        self._deliverer.url = url or previous
        try:
            return await self._deliverer.post(raw, header)
        finally:
            self._deliverer.url = previous

    def redeliver(self, message: UserMessage) -> Notification:
        """Queue again the very notification that carried `message` (same wamid, same
        bytes), as Meta does when it is unsure it was received."""
        original = self._deliverer.notifications.get(message.notification)
        if original is None:
            raise ValueError(f"{message.wamid} is in no notification yet (inside a batch?)")
        self.changed.fire()
        return self._deliverer.put(self._deliverer.new(original.payload, original.body))

    @property
    def pending_webhooks(self) -> int:
        """Notifications not yet answered 2xx (queued, retrying or in flight)."""
        return self._deliverer.pending + self._fates_pending

    @property
    def webhooks_in_flight(self) -> int:
        """POSTs to the webhook under way (not yet answered)."""
        return self._deliverer.in_flight

    # --- what tests look at -------------------------------------------------------------------

    def mark(self) -> int:
        """A point in time for `since=`: only messages changed and calls made after it count."""
        return self._seq

    def messages(
        self, user: WaUser, *, include_failed: bool = False, since: int | None = None
    ) -> list[BotMessage]:
        """The bot's messages to `user`, in order (by default only those that reached them)."""
        found = self.messages_to(user, include_failed=include_failed)
        return [m for m in found if since is None or m.seq > since]

    def last_message(self, user: WaUser) -> BotMessage | None:
        found = self.messages(user)
        return found[-1] if found else None

    def message(self, wamid: str) -> BotMessage:
        return self._sent_by_id[wamid]

    def user_messages(self, user: WaUser) -> list[UserMessage]:
        """What `user` sent (system messages about them included), in order."""
        return [message for message in self.inbound if message.user is user]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one kind: "messages" (sends), "read", "media"."""
        return [call for call in self.calls if call.method == method]

    def on_bot_message(self, observer: BotObserver) -> None:
        """Call observer(message, "accepted" | "sent" | "delivered" | "read" | "failed")."""
        self._observers.append(observer)

    def assert_contract_kept(
        self,
        *,
        refused: Mapping[int, int] | None = None,
        failed: Mapping[int, int] | None = None,
    ) -> None:
        """Nothing refused and no message failed, but what the test expects (by code) and
        what it injected; no bug of the fake."""
        problems = []
        got_refused = +(self.refused - self._injected)
        if dict(got_refused) != dict(refused or {}):
            details = [repr(c) for c in self.calls if c.code is not None and not c.injected]
            problems.append(f"refused {dict(got_refused)}: {details[-5:]}")
        got_failed = +(self.failed - self._injected_failures)
        if dict(got_failed) != dict(failed or {}):
            details = [repr(m) for m in self.sent if m.failed][-5:]
            problems.append(f"failed {dict(got_failed)}: {details}")
        if self.internal_errors:
            problems.append(f"fake bugs: {self.internal_errors!r}")
        if problems:
            raise AssertionError("WhatsApp contract broken:\n  " + "\n  ".join(problems))

    # --- waiting ----------------------------------------------------------------------------

    async def wait_until(
        self, check: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Until `check()` is true, re-checked on every change the fake sees."""
        done = await wait_for(self.changed, lambda: True if check() else None, timeout)
        if done is None:
            raise TimeoutError(f"{what} not met within {timeout}s")

    async def wait_for_message(
        self,
        user: WaUser,
        predicate: MessagePredicate | str | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
        include_failed: bool = False,
    ) -> BotMessage:
        """The newest of the bot's messages to `user` that matches, waiting for one.

        `predicate` is a function of the message, or a text its text must contain (a body,
        a caption, a filled template, a button or row title). With `since=wa.mark()` only
        messages sent (or whose status changed) after the mark count.
        """
        match = _message_predicate(predicate)

        def check() -> BotMessage | None:
            for message in reversed(self.messages(user, include_failed=include_failed)):
                if (since is None or message.seq > since) and match(message):
                    return message
            return None

        found = await wait_for(self.changed, check, timeout)
        if found is None:
            last = "\n".join(f"  {m!r}" for m in self.messages(user, include_failed=True)[-10:])
            raise TimeoutError(
                f"no message to {user!r} matching {predicate!r} within {timeout}s; the last "
                f"ones:\n{last or '  (none)'}"
            )
        return found

    async def wait_for_call(
        self,
        method: str = "messages",
        predicate: CallPredicate | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
    ) -> ApiCall:
        """The first call of `method` (after `since`) that matches, waiting for it."""

        def check() -> ApiCall | None:
            for call in self.calls:
                if since is not None and call.seq <= since:
                    continue
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        found = await wait_for(self.changed, check, timeout)
        if found is None:
            raise TimeoutError(f"no {method} call matching within {timeout}s: {self.calls[-5:]}")
        return found

    async def wait_until_idle(self, *, timeout: float = 5.0) -> None:
        """Until every notification (messages, statuses) has been answered 2xx."""
        await self.wait_until(
            lambda: self.pending_webhooks == 0,
            timeout=timeout,
            what=f"webhooks delivered ({self.pending_webhooks} pending)",
        )

    # --- injection ----------------------------------------------------------------------------

    def fail_next(
        self,
        code: int | None = 131000,
        n: int = 1,
        *,
        http_status: int | None = None,
        method: str = "messages",
    ) -> None:
        """Answer the next n calls of `method` ("messages", "read", "media" or "*") with
        Meta's error `code` (HTTP 400, 401 for 190, unless `http_status`), or with a bare
        `http_status` (default 503) and no JSON body when `code` is None."""
        status = http_status or (503 if code is None else 401 if code == 190 else 400)
        if n > 0:
            self._faults.append(_Fault(method, code, status, n))

    def fail_delivery_next(self, code: int = 131026, n: int = 1) -> None:
        """The next n messages accepted fail afterwards: a `failed` status with `code`."""
        self._delivery_faults.extend([code] * n)


class _Injected(Exception):
    """An answer fail_next asked for: Meta's `code` (None: no JSON body) with `status`."""

    def __init__(self, code: int | None, status: int) -> None:
        super().__init__(code, status)
        self.code = code
        self.status = status


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("the body is not JSON") from None


def _message_predicate(predicate: MessagePredicate | str | None) -> MessagePredicate:
    if predicate is None:
        return lambda message: True
    if isinstance(predicate, str):
        text = predicate
        return lambda message: (
            text in message.text or any(text in title for _, title in message.choices)
        )
    return predicate
