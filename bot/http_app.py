"""Our HTTP server (Starlette): DEXCHANGE callbacks, the Telegram webhook, health, metrics."""

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.callback_urls import CALLBACK_PATH
from bot.metrics import CONTENT_TYPE, Metrics
from bot.payment_service import CallbackVerdict, PaymentService
from storage import Storage

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024

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


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks = bytearray()
    async for chunk in request.stream():
        chunks.extend(chunk)
        if len(chunks) > limit:
            raise BodyTooLarge
    return bytes(chunks)


WebhookSink = Callable[[dict[str, object]], Awaitable[None]]
HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


def build_http_app(
    *,
    storage: Storage,
    payments: PaymentService,
    metrics: Metrics,
    health: HealthCheck,
    webhook_path: str | None = None,
    webhook_secret: str | None = None,
    webhook_sink: WebhookSink | None = None,
) -> Starlette:
    async def callback(request: Request) -> Response:
        external_id = request.path_params["external_id"]
        signature = request.path_params["signature"]
        try:
            raw = await read_body(request)
        except BodyTooLarge:
            metrics.callbacks.labels(outcome="too_large").inc()
            return JSONResponse({"error": "body too large"}, status_code=413)
        verdict = await payments.apply_callback(external_id, signature, raw)
        metrics.callbacks.labels(outcome=verdict.value).inc()
        status = VERDICT_STATUS[verdict]
        body = {"ok": True} if verdict.accepted else {"error": verdict.value}
        return JSONResponse(body, status_code=status)

    async def healthz(request: Request) -> Response:
        checks = await health()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(await metrics.render(storage), media_type=CONTENT_TYPE)

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not webhook_secret or not hmac.compare_digest(given, webhook_secret):
            log.warning("webhook call refused: bad secret token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            data = json.loads(await read_body(request, 1024 * 1024))
        except BodyTooLarge:
            return JSONResponse({"error": "body too large"}, status_code=413)
        except ValueError:
            return JSONResponse({"error": "malformed"}, status_code=400)
        if not isinstance(data, dict) or webhook_sink is None:
            return JSONResponse({"error": "malformed"}, status_code=400)
        await webhook_sink(data)
        return JSONResponse({"ok": True})

    routes = [
        Route(CALLBACK_PATH + "/{external_id:str}/{signature:str}", callback, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    if webhook_path:
        routes.append(Route(webhook_path, telegram_webhook, methods=["POST"]))
    return Starlette(routes=routes)
