"""Our HTTP server (Starlette): DEXCHANGE callbacks, the Telegram webhook, health, metrics."""

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.metrics import CONTENT_TYPE, Metrics
from bot.services.callback_urls import CALLBACK_PATH, COLLECTION_CALLBACK_PATH
from bot.services.callbacks import CallbackService, CallbackVerdict
from storage import Storage

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
WEBHOOK_MAX_BYTES = 1024 * 1024  # a chat platform's webhook batches several messages
BODY_TIMEOUT_SECONDS = 10.0  # the default of HTTP_BODY_TIMEOUT_SECONDS

VERDICT_STATUS = {
    CallbackVerdict.APPLIED: 200,
    CallbackVerdict.IGNORED: 200,
    CallbackVerdict.MALFORMED: 400,
    CallbackVerdict.BAD_SIGNATURE: 403,
    CallbackVerdict.UNKNOWN_PAYMENT: 404,
    CallbackVerdict.MISMATCH: 409,
}


class BodyTooLarge(Exception):
    pass


class BodyTooSlow(Exception):
    pass


async def read_body(
    scope: Scope,
    receive: Receive,
    limit: int = MAX_BODY_BYTES,
    timeout: float = BODY_TIMEOUT_SECONDS,
) -> bytes | None:
    """The request's whole body, or None when the caller left before it was whole.

    BodyTooSlow when it is not whole within `timeout` seconds: a client that never sends
    its body must not hold a connection (one of HTTP_MAX_CONNECTIONS) for ever.
    """
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLarge
    chunks = bytearray()
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                chunks.extend(message.get("body", b""))
                if len(chunks) > limit:
                    raise BodyTooLarge
                if not message.get("more_body", False):
                    return bytes(chunks)
    except TimeoutError:
        raise BodyTooSlow from None


class CallbackApplier(Protocol):
    """What verifies, stores and applies a callback: payments' or collections'."""

    async def apply(
        self, external_id: str, given_signature: str, raw: bytes
    ) -> CallbackVerdict: ...


class CallbackEndpoint:
    """POST on a payment's (or a collection's) callback URL: verified, stored, applied,
    committed, then 2xx.

    A bare ASGI endpoint rather than a Request/JSONResponse function: this is the route
    DEXCHANGE hits in bursts, and Starlette's request and response objects cost half as
    much again as the rest of its HTTP handling (docs/performance.md).
    """

    def __init__(
        self,
        callbacks: CallbackApplier,
        metrics: Metrics,
        body_timeout: float = BODY_TIMEOUT_SECONDS,
    ) -> None:
        self._callbacks = callbacks
        self._body_timeout = body_timeout
        self._too_large = metrics.callbacks.labels(outcome="too_large")
        self._too_slow = metrics.callbacks.labels(outcome="too_slow")
        self._answers = {
            verdict: (
                VERDICT_STATUS[verdict],
                json.dumps({"ok": True} if verdict.accepted else {"error": verdict.value}).encode(),
            )
            for verdict in CallbackVerdict
        }
        self._counters = {
            verdict: metrics.callbacks.labels(outcome=verdict.value) for verdict in CallbackVerdict
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = scope["path_params"]
        try:
            raw = await read_body(scope, receive, timeout=self._body_timeout)
        except BodyTooLarge:
            self._too_large.inc()
            log.warning("callback refused: body too large for %s", params["external_id"][:40])
            await self._answer(send, 413, b'{"error":"body too large"}')
            return
        except BodyTooSlow:
            self._too_slow.inc()
            log.warning(
                "callback refused: body not whole in time for %s", params["external_id"][:40]
            )
            await self._answer(send, 408, b'{"error":"body too slow"}', close=True)
            return
        if raw is None:
            return  # the caller left before the body was whole: nothing to apply
        verdict = await self._callbacks.apply(params["external_id"], params["signature"], raw)
        self._counters[verdict].inc()
        await self._answer(send, *self._answers[verdict])

    @staticmethod
    async def _answer(send: Send, status: int, body: bytes, close: bool = False) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class CallbacksFirst:
    """Hands POSTs on a callback URL straight to the endpoint, everything else to Starlette.

    The same route is declared in Starlette (other methods get its 405, odd paths its 404);
    going around its middleware and router saves a tenth to a fifth of the HTTP layer's cost
    on the route DEXCHANGE hits in bursts (`bench.http_layer`). An exception still reaches
    uvicorn, which logs it and answers 500, as Starlette's error middleware would.
    """

    def __init__(
        self, app: ASGIApp, endpoint: ASGIApp, collection_endpoint: ASGIApp | None = None
    ) -> None:
        self.app = app
        # Collections' callbacks have their own path (and signature): never a payment's.
        self._endpoints = [(CALLBACK_PATH + "/", endpoint)]
        if collection_endpoint is not None:
            self._endpoints.append((COLLECTION_CALLBACK_PATH + "/", collection_endpoint))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path: str = scope["path"]
            for prefix, endpoint in self._endpoints:
                if not path.startswith(prefix):
                    continue
                external_id, slash, signature = path[len(prefix) :].partition("/")
                if external_id and slash and signature and "/" not in signature:
                    scope["path_params"] = {"external_id": external_id, "signature": signature}
                    await endpoint(scope, receive, send)
                    return
        await self.app(scope, receive, send)


# Telegram's update (the raw body, and the JSON object read from it): returns once stored.
WebhookSink = Callable[[bytes, dict[str, object]], Awaitable[None]]
HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


class SignedWebhook(Protocol):
    """A channel's webhook as the HTTP server sees it (WhatsApp: the channel's intake)."""

    def verify(self, mode: str | None, token: str | None, challenge: str | None) -> str | None: ...

    async def accept(self, raw: bytes, signature: str | None) -> int: ...


class WhatsAppEndpoint:
    """WhatsApp's webhook: Meta's verification GET, and its signed POSTs, answered once
    what they carry is stored (the intake decides the status). A bare ASGI endpoint, like
    the callbacks': Meta expects its 200 within a few hundred milliseconds, in bursts."""

    def __init__(self, intake: SignedWebhook, body_timeout: float) -> None:
        self._intake = intake
        self._body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))

            def one(name: str) -> str | None:
                values = query.get(name)
                return values[0] if values else None

            challenge = self._intake.verify(
                one("hub.mode"), one("hub.verify_token"), one("hub.challenge")
            )
            if challenge is None:
                log.warning("WhatsApp webhook verification refused")
                await _answer(send, 403, b"forbidden", b"text/plain")
            else:
                await _answer(send, 200, challenge.encode(), b"text/plain")
            return
        signature = None
        for name, value in scope["headers"]:
            if name == b"x-hub-signature-256":
                signature = value.decode("latin-1")
        try:
            raw = await read_body(scope, receive, WEBHOOK_MAX_BYTES, self._body_timeout)
        except BodyTooLarge:
            log.warning("WhatsApp webhook refused: body too large")
            await _answer(send, 413, b'{"error":"body too large"}')
            return
        except BodyTooSlow:
            log.warning("WhatsApp webhook refused: body not whole in time")
            await _answer(send, 408, b'{"error":"body too slow"}', close=True)
            return
        if raw is None:
            return  # the caller left before the body was whole: nothing stored
        status = await self._intake.accept(raw, signature)
        await _answer(send, status, b'{"ok":true}' if status == 200 else b'{"error":"refused"}')


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes = b"application/json",
    *,
    close: bool = False,
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_http_app(
    *,
    storage: Storage,
    callbacks: CallbackService,
    metrics: Metrics,
    health: HealthCheck,
    webhook_path: str | None = None,
    webhook_secret: str | None = None,
    webhook_sink: WebhookSink | None = None,
    body_timeout: float = BODY_TIMEOUT_SECONDS,
    whatsapp_path: str | None = None,
    whatsapp: SignedWebhook | None = None,
    collection_callbacks: CallbackApplier | None = None,
    leader: Callable[[], bool] = lambda: True,  # runs the once-per-deployment workers
) -> CallbacksFirst:
    # Bytes: compare_digest refuses str holding non-ASCII characters (a TypeError).
    expected_secret = webhook_secret.encode() if webhook_secret else None

    async def healthz(request: Request) -> Response:
        checks = await health()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks, "leader": leader()},
            status_code=200 if ok else 503,
        )

    async def funding_page(request: Request) -> Response:
        # DEXCHANGE's successUrl/failureUrl: where a customer's browser may land after a
        # Wave link. Nothing is decided here: the callback and the status lookup settle it.
        return Response(
            "Vous pouvez revenir à la conversation : le résultat du rechargement y arrive.\n",
            media_type="text/plain; charset=utf-8",
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(await metrics.render(storage), media_type=CONTENT_TYPE)

    async def telegram_webhook(request: Request) -> Response:
        # Header values are read as latin-1: encoded back, they are the bytes sent.
        given = request.headers.get("x-telegram-bot-api-secret-token", "").encode("latin-1")
        if not expected_secret or not hmac.compare_digest(given, expected_secret):
            log.warning("webhook call refused: bad secret token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            raw = await read_body(request.scope, request.receive, 1024 * 1024, body_timeout)
            data = json.loads(raw) if raw is not None else None
        except BodyTooLarge:
            log.warning("webhook call refused: body too large")
            return JSONResponse({"error": "body too large"}, status_code=413)
        except BodyTooSlow:
            log.warning("webhook call refused: body not whole in time")
            headers = {"connection": "close"}  # and the connection is not kept
            return JSONResponse({"error": "body too slow"}, status_code=408, headers=headers)
        except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
            log.warning("webhook call refused: malformed body (%s)", type(error).__name__)
            return JSONResponse({"error": "malformed"}, status_code=400)
        if raw is None:
            return JSONResponse({"error": "malformed"}, status_code=400)  # the caller left
        if not isinstance(data, dict) or webhook_sink is None:
            log.warning("webhook call refused: body is not an update")
            return JSONResponse({"error": "malformed"}, status_code=400)
        await webhook_sink(raw, data)  # committed: only now is Telegram told it arrived
        return JSONResponse({"ok": True})

    endpoint = CallbackEndpoint(callbacks, metrics, body_timeout)
    routes = [
        Route(CALLBACK_PATH + "/{external_id:str}/{signature:str}", endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    if webhook_path:
        routes.append(Route(webhook_path, telegram_webhook, methods=["POST"]))
    if whatsapp_path and whatsapp is not None:
        routes.append(
            Route(whatsapp_path, WhatsAppEndpoint(whatsapp, body_timeout), methods=["GET", "POST"])
        )
    collection_endpoint = None
    if collection_callbacks is not None:
        collection_endpoint = CallbackEndpoint(collection_callbacks, metrics, body_timeout)
        path = COLLECTION_CALLBACK_PATH + "/{external_id:str}/{signature:str}"
        routes.append(Route(path, collection_endpoint, methods=["POST"]))
        routes.append(Route("/funding/{outcome:str}", funding_page, methods=["GET"]))
    return CallbacksFirst(Starlette(routes=routes), endpoint, collection_endpoint)
