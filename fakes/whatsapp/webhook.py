"""Delivery of notifications to the bot's webhook, as Meta does it: each POST signed with
`X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>`, and each one retried
with backoff until it is answered 2xx. A notification that failed waits for its retry while
the next ones go (Meta does not hold the others back), so a retried one arrives late.
"""

import asyncio
import contextlib
import hashlib
import heapq
import hmac
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .models import JSON, WebhookAttempt

SIGNATURE_HEADER = "X-Hub-Signature-256"
USER_AGENT = "facebookexternalua"


def sign(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 header of a body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: JSON) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(eq=False, slots=True)
class Notification:
    """One webhook POST body, delivered until acknowledged."""

    id: int
    payload: JSON = field(repr=False)
    body: bytes = field(repr=False)
    signature: str
    attempts: int = 0
    acked: bool = False
    due: float = 0.0  # loop time of its next try
    delay: float = 0.0  # before the try after a failure


class WebhookDeliverer:
    """A task POSTing queued notifications to `url` (nothing goes while it is None)."""

    def __init__(
        self,
        app_secret: str,
        attempts: list[WebhookAttempt],
        on_change: Callable[[], None],
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        timeout: float = 10.0,
        concurrency: int = 1,
    ) -> None:
        self.app_secret = app_secret
        self.url: str | None = None
        self._attempts = attempts
        self._on_change = on_change
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._timeout = timeout
        self._concurrency = max(1, concurrency)
        self._fresh: deque[Notification] = deque()
        self._retries: list[tuple[float, int, Notification]] = []  # a heap by due time
        self._in_flight: dict[asyncio.Task[None], Notification] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._next_id = 0
        self.notifications: dict[int, Notification] = {}  # every one made, by id
        self.held: list[Notification] | None = None  # inside FakeWhatsApp.batch()

    @property
    def pending(self) -> int:
        """Notifications not yet acknowledged (waiting, retrying or in flight)."""
        return len(self._fresh) + len(self._retries) + len(self._in_flight)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def new(self, payload: JSON, body: bytes | None = None) -> Notification:
        """A notification of `payload` (as `body` when given: a redelivery's very bytes)."""
        self._next_id += 1
        raw = body if body is not None else encode(payload)
        made = Notification(self._next_id, payload, raw, sign(self.app_secret, raw))
        self.notifications[made.id] = made
        return made

    def put(self, notification: Notification) -> Notification:
        self._fresh.append(notification)
        self._wake.set()
        return notification

    def start(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, trust_env=False)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="fake-whatsapp-webhook")

    def set_url(self, url: str | None) -> None:
        self.url = url
        self._wake.set()

    async def close(self) -> None:
        """Stop posting; what was in flight goes first when started again."""
        task, self._task = self._task, None
        interrupted = list(self._in_flight.values())
        running = [*self._in_flight, *([task] if task else [])]
        for each in running:
            each.cancel()
        for each in running:
            with contextlib.suppress(asyncio.CancelledError):
                await each
        self._in_flight.clear()
        self._fresh.extendleft(reversed(interrupted))
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, body: bytes, signature: str | None, notification: int = 0) -> int | None:
        """POST a body once to the webhook, recording the attempt; its status (None: no answer)."""
        assert self._client is not None and self.url is not None, "start with a webhook URL"
        loop = asyncio.get_running_loop()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(self.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempt = WebhookAttempt(
            notification, self.url, status, error, loop.time(), signature, body
        )
        self._attempts.append(attempt)
        self._on_change()
        return status

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            next_due = self._start_ready(loop.time())
            timeout = None if next_due is None else max(0.0, next_due - loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    def _start_ready(self, now: float) -> float | None:
        """Start what may go now; the loop time of the next retry that waits, if any."""
        while self.url is not None and len(self._in_flight) < self._concurrency:
            if self._retries and self._retries[0][0] <= now:
                notification = heapq.heappop(self._retries)[2]
            elif self._fresh:
                notification = self._fresh.popleft()
            else:
                break
            task = asyncio.create_task(self._deliver(notification))
            self._in_flight[task] = notification
            self._on_change()
        if self.url is None or len(self._in_flight) >= self._concurrency or not self._retries:
            return None
        return self._retries[0][0]

    async def _deliver(self, notification: Notification) -> None:
        try:
            notification.attempts += 1
            status = await self.post(notification.body, notification.signature, notification.id)
            if status is not None and 200 <= status < 300:
                notification.acked = True
            else:
                loop = asyncio.get_running_loop()
                notification.delay = min(
                    self.max_retry_delay, max(self.retry_delay, notification.delay * 2)
                )
                notification.due = loop.time() + notification.delay
                heapq.heappush(self._retries, (notification.due, notification.id, notification))
        finally:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.pop(task, None)
            self._wake.set()
            self._on_change()
