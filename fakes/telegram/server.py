"""FakeTelegram: the HTTP server, the waiting Bot API methods and what tests look at."""

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.server import LoopbackServer

from .api import BotApiMethods, Described, scope_key
from .errors import ApiError, bad_request, too_many_requests
from .limits import ErrorSpec, RateLimits
from .models import JSON, ApiCall, BotMessage, CallbackAnswer, PressedButton, WebhookConfig
from .params import Params, read_params
from .signals import wait_for
from .state import MessageObserver, Who
from .users import UserSide
from .webhook import WebhookDeliverer

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_LOGGER = logging.getLogger(__name__)
MAX_POLL_TIMEOUT = 50.0
DEFAULT_TOKEN = "123456:TEST-TOKEN"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

AsyncHandler = Callable[[Params], Awaitable[Any]]
MessagePredicate = Callable[[BotMessage], bool]
CallPredicate = Callable[[ApiCall], bool]


class FakeTelegram(UserSide, BotApiMethods):
    """A fake Telegram Bot API server on loopback, driven from the test's event loop.

    `async with FakeTelegram() as tg:` starts it; point python-telegram-bot at `tg.base_url`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "senpay_test_bot",
        bot_first_name: str = "SenPay",
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: bool | RateLimits = False,
        first_update_id: int = 1,
        webhook_retry_delay: float = 0.05,
        record_calls: bool = True,
    ) -> None:
        super().__init__(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            first_update_id=first_update_id,
            rate_limits=rate_limits,
        )
        self.record_calls = record_calls
        self._methods: dict[str, tuple[str, Callable[[Params], Any], bool]] = {}
        for name, handler in self._sync_methods().items():
            self._methods[name.lower()] = (name, handler, False)
        for name, waiting in self._async_methods().items():
            self._methods[name.lower()] = (name, waiting, True)
        self.internal_errors: list[Exception] = []  # bugs of the fake itself, answered 500
        self._poll_generation = 0
        self._closing = False
        self._deliverer = WebhookDeliverer(
            self.updates,
            self.webhook_attempts,
            self._calls_signal.fire,
            retry_delay=webhook_retry_delay,
        )
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file_endpoint, methods=["GET"]),
                Route("/{path:path}", _not_found, methods=["GET", "POST"]),
            ]
        )
        self.server = LoopbackServer(self.app, host=host, port=port)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._closing = False
        await self.server.start()
        if self.webhook is not None:  # restarted with a webhook still set
            self._deliverer.start(self.webhook)

    async def stop(self) -> None:
        """Stop promptly: pending long polls answer [] at once, the webhook task ends."""
        self._closing = True
        self.updates.signal.fire()
        await self._deliverer.close()
        await self.server.stop()

    async def __aenter__(self) -> "FakeTelegram":
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
        """For `ApplicationBuilder().base_url(...)` / `Bot(token, base_url=...)`."""
        return f"{self.server.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.server.url}/file/bot"

    # --- HTTP -----------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        name = request.path_params["method"]
        params = Params({})
        try:
            params = Params(await read_params(request))
            status, body = 200, await self._dispatch(request.path_params["token"], name, params)
        except ApiError as error:
            status, body = error.code, error.body()
        except Exception as exc:  # a bug of the fake: answer like Telegram would, keep it
            _LOGGER.exception("fake Telegram failed on %s", name)
            self.internal_errors.append(exc)
            status, body = 500, ApiError(500, f"Internal Server Error: {exc!r}").body()
        if status == 429:
            self.count_429 += 1
        if self.record_calls:
            entry = self._methods.get(name.lower())
            self.calls.append(
                ApiCall(
                    seq=self._next_seq(),
                    method=entry[0] if entry else name,
                    params=params.public(),
                    time=arrived,
                    duration=loop.time() - arrived,
                    status=status,
                    response=body,
                )
            )
            self._calls_signal.fire()
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return Response(content, status_code=status, media_type="application/json")

    async def _dispatch(self, token: str, name: str, params: Params) -> JSON:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        entry = self._methods.get(name.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        method, handler, waits = entry
        delay = self.faults.delay(method)
        if delay > 0:
            await asyncio.sleep(delay)
        injected = self.faults.take(method, params)
        if injected is not None:
            raise injected
        if waits:
            result = await handler(params)
        elif self._limiter.counts(method):
            chat_id = self._rate_chat(params.raw.get("chat_id"))
            now = asyncio.get_running_loop().time()
            retry_after = self._limiter.retry_after(chat_id, now)
            if retry_after is not None:
                raise too_many_requests(retry_after)
            result = handler(params)
            self._limiter.record(chat_id, now)
        else:
            result = handler(params)
        if isinstance(result, Described):
            return {"ok": True, "result": result.result, "description": result.description}
        return {"ok": True, "result": result}

    async def _file_endpoint(self, request: Request) -> Response:
        stored = None
        if request.path_params["token"] == self.token:
            stored = self._file_paths.get(request.path_params["path"])
        if stored is None or stored.data is None:
            return await _not_found(request)
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")

    # --- the methods that wait or touch the webhook task ------------------------------------

    def _async_methods(self) -> dict[str, AsyncHandler]:
        return {
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._log_out,
            "close": self._log_out,
        }

    async def _get_updates(self, p: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = p.get_int("offset")
        limit = p.get_int("limit") or 100
        limit = min(max(limit, 1), 100)
        timeout = min(max(p.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.updates.set_allowed(str(kind) for kind in allowed)
        if offset is not None:
            if offset < 0:
                self.updates.keep_last(-offset)
            else:
                self.updates.confirm_below(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.updates.signal.fire()  # an older poll still waiting learns it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            if self.webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            batch = self.updates.take(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return [update.payload for update in batch]
            event = self.updates.signal.waiter()
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                pass

    async def _set_webhook(self, p: Params) -> Described:
        url = (p.get_str("url") or "").strip()
        if not url:
            return await self._delete_webhook(p)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get_str("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = p.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if p.get_bool("drop_pending_updates"):
            self.updates.drop_all()
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.updates.set_allowed(str(kind) for kind in allowed)
        current = self.webhook
        if current is not None and (current.url, current.secret_token) == (url, secret):
            return Described(True, "Webhook is already set")
        await self._deliverer.stop()
        self.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            ip_address=p.get_str("ip_address"),
        )
        self._deliverer.start(self.webhook)
        self.updates.signal.fire()  # long polls now answer 409
        return Described(True, "Webhook was set")

    async def _delete_webhook(self, p: Params) -> Described:
        if p.get_bool("drop_pending_updates"):
            self.updates.drop_all()
        if self.webhook is None:
            return Described(True, "Webhook is already deleted")
        await self._deliverer.stop()
        self.webhook = None
        return Described(True, "Webhook was deleted")

    async def _get_webhook_info(self, p: Params) -> JSON:
        info: JSON = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = self.webhook.ip_address or "127.0.0.1"
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    async def _log_out(self, p: Params) -> bool:
        return True

    # --- what tests look at -----------------------------------------------------------------

    def mark(self) -> int:
        """A point in time for `since=`: only messages changed and calls made after it count."""
        return self._seq

    def messages(self, who: Who, *, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in a chat, in order, each in its current state."""
        found = self._bot_messages.get(self._chat_id_of(who), [])
        return [m for m in found if include_deleted or not m.deleted]

    def last_message(self, who: Who) -> BotMessage | None:
        found = self.messages(who)
        return found[-1] if found else None

    def message(self, who: Who, message_id: int) -> BotMessage:
        found = self._history.get(self._chat_id_of(who), {}).get(message_id)
        if not isinstance(found, BotMessage):
            raise KeyError(f"no bot message {message_id} in chat {self._chat_id_of(who)}")
        return found

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    @property
    def commands(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """Commands set by scope key ("default", "chat:42"…) and language code ("" for all)."""
        return {key: list(value) for key, value in self._commands.items()}

    def commands_for(
        self, scope: str | JSON = "default", language_code: str = ""
    ) -> list[tuple[str, str]]:
        return list(self._commands.get((scope_key(scope), language_code), []))

    @property
    def pending_updates(self) -> int:
        return len(self.updates)

    @property
    def webhook_url(self) -> str | None:
        return self.webhook.url if self.webhook else None

    def on_bot_message(self, observer: MessageObserver) -> None:
        """Call observer(message, "sent" | "edited" | "deleted") on every change."""
        self._observers.append(observer)

    # --- waiting ----------------------------------------------------------------------------

    async def wait_for_message(
        self,
        who: Who,
        predicate: MessagePredicate | str | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
    ) -> BotMessage:
        """The newest bot message in the chat that matches, waiting for one to appear.

        `predicate` is a function of the message, or a text its content must contain. Edits
        count: an edited message is matched in its current state. With `since=tg.mark()` only
        messages sent or edited after the mark are considered.
        """
        chat_id = self._chat_id_of(who)
        match = _message_predicate(predicate)
        messages = self._bot_messages.setdefault(chat_id, [])

        def check() -> BotMessage | None:
            for message in reversed(messages):
                if message.deleted or (since is not None and message.seq <= since):
                    continue
                if match(message):
                    return message
            return None

        signal = self._chat_signal(chat_id)
        found = await wait_for(lambda: [signal], check, timeout)
        if found is None:
            raise TimeoutError(
                f"no bot message matching {predicate!r} in chat {chat_id} within {timeout}s; "
                f"the last ones:\n{self._describe_chat(chat_id)}"
            )
        return found

    async def wait_for_call(
        self,
        method: str,
        predicate: CallPredicate | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
    ) -> ApiCall:
        """The first call of `method` (after `since`) that matches, waiting for it if needed."""
        position = 0
        if since is not None:
            position = (
                next(
                    (i for i in range(len(self.calls) - 1, -1, -1) if self.calls[i].seq <= since),
                    -1,
                )
                + 1
            )

        def check() -> ApiCall | None:
            nonlocal position
            while position < len(self.calls):
                call = self.calls[position]
                position += 1
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        found = await wait_for(lambda: [self._calls_signal], check, timeout)
        if found is None:
            recent = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-10:])
            raise TimeoutError(f"no {method} call matching within {timeout}s; last calls: {recent}")
        return found

    async def wait_for_answer(
        self, pressed: PressedButton, *, timeout: float = 5.0
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for this press."""
        found = await wait_for(lambda: [self._calls_signal], lambda: pressed.answer, timeout)
        if found is None:
            raise TimeoutError(f"callback query {pressed.data!r} not answered within {timeout}s")
        return found

    async def wait_until_delivered(self, *, timeout: float = 5.0) -> None:
        """Until the bot has confirmed every update (by a later getUpdates or the webhook)."""
        done = await wait_for(
            lambda: [self.updates.signal], lambda: True if not len(self.updates) else None, timeout
        )
        if done is None:
            raise TimeoutError(f"{len(self.updates)} updates still pending after {timeout}s")

    # --- injection --------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        n: int = 1,
        status: ErrorSpec = 500,
        *,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next n calls of `method` with an error.

        `status` is an HTTP status (Telegram's description is used unless given; 429 gets
        retry_after, default 1), or a function of the call's Params returning the ApiError to
        answer, or None to let that call through (it then does not count).
        """
        self.faults.fail_next(method, n, status, description, retry_after)

    def set_latency(self, method: str, seconds: float) -> None:
        """Sleep before answering calls of `method` ("*": all methods); 0 removes it."""
        if seconds > 0:
            self.faults.latency[method] = seconds
        else:
            self.faults.latency.pop(method, None)

    @property
    def refusals(self) -> dict[str, int]:
        """429s answered so far, by the window that was full: overall, chat or group."""
        return dict(Counter(self._limiter.refusals))

    def enable_rate_limits(
        self,
        *,
        global_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        per_group_per_minute: int | None = None,
    ) -> RateLimits:
        limits = self.rate_limits
        limits.enabled = True
        if global_per_second is not None:
            limits.global_per_second = global_per_second
        if per_chat_per_second is not None:
            limits.per_chat_per_second = per_chat_per_second
        if per_group_per_minute is not None:
            limits.per_group_per_minute = per_group_per_minute
        return limits

    def disable_rate_limits(self) -> None:
        self.rate_limits.enabled = False
        self._limiter.reset()


async def _not_found(request: Request) -> Response:
    body = json.dumps({"ok": False, "error_code": 404, "description": "Not Found"})
    return Response(body, status_code=404, media_type="application/json")


def _message_predicate(predicate: MessagePredicate | str | None) -> MessagePredicate:
    if predicate is None:
        return lambda message: True
    if isinstance(predicate, str):
        text = predicate
        return lambda message: text in message.content
    return predicate
