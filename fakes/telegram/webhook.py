"""Delivery of updates to a webhook: in order, one at a time, retried until a 2xx answer."""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

import httpx

from .models import WebhookAttempt, WebhookConfig
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer:
    """A task POSTing the head of the queue to the webhook while one is set."""

    def __init__(
        self,
        queue: UpdateQueue,
        attempts: list[WebhookAttempt],
        on_attempt: Callable[[], None],
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self._queue = queue
        self._attempts = attempts
        self._on_attempt = on_attempt
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self, config: WebhookConfig) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, trust_env=False)
        self._task = asyncio.create_task(self._run(config), name="fake-telegram-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        await self.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self, config: WebhookConfig) -> None:
        assert self._client is not None
        loop = asyncio.get_running_loop()
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers[SECRET_HEADER] = config.secret_token
        delay = self.retry_delay
        while True:
            update = self._queue.first()
            if update is None:
                await self._queue.signal.waiter().wait()
                continue
            body = json.dumps(update.payload, ensure_ascii=False).encode("utf-8")
            status: int | None = None
            error: str | None = None
            try:
                response = await self._client.post(config.url, content=body, headers=headers)
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
            except httpx.HTTPError as exc:
                error = _connection_error(exc)
            self._attempts.append(
                WebhookAttempt(
                    update_id=update.update_id,
                    url=config.url,
                    status=status,
                    error=error,
                    time=loop.time(),
                    secret_token=config.secret_token,
                )
            )
            if error is None:
                self._queue.confirm_first(update.update_id)
                delay = self.retry_delay
                self._on_attempt()
                continue
            config.last_error_date = int(time.time())
            config.last_error_message = error
            self._on_attempt()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)


def _connection_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "Connection refused"
    if isinstance(exc, httpx.TimeoutException):
        return "Read timeout expired"
    return f"{type(exc).__name__}: {exc}"
