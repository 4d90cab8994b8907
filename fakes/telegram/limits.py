"""Telegram's flood limits and the faults a test can inject, both switchable at runtime."""

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ApiError, injected_error
from .params import Params

# The calls that Telegram's flood control counts by default.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)


@dataclass(slots=True)
class RateLimits:
    """Sliding one-second windows; `enabled` off by default. Change fields at any time."""

    enabled: bool = False
    global_per_second: int = 30
    per_chat_per_second: int = 1
    # Telegram's 20 messages a minute in groups; None leaves groups to the per-chat limit.
    per_group_per_minute: int | None = None
    methods: set[str] = field(default_factory=lambda: set(SENDING_METHODS))


class RateLimiter:
    """Counts the accepted sending calls; answers how long to wait when a window is full."""

    def __init__(self, config: RateLimits) -> None:
        self.config = config
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._groups: dict[int, deque[float]] = {}
        # Which window refused each call: "overall", "chat" or "group" (for diagnostics).
        self.refusals: list[str] = []

    def counts(self, method: str) -> bool:
        return self.config.enabled and method in self.config.methods

    def retry_after(self, chat_id: int | None, now: float) -> int | None:
        """Seconds to wait before this call may pass, or None if it may pass now."""
        config = self.config
        waits = {"overall": _wait(self._global, config.global_per_second, 1.0, now)}
        if chat_id is not None:
            waits["chat"] = _wait(self._chats.get(chat_id), config.per_chat_per_second, 1.0, now)
            if chat_id < 0 and config.per_group_per_minute is not None:
                groups = self._groups.get(chat_id)
                waits["group"] = _wait(groups, config.per_group_per_minute, 60.0, now)
        window, longest = max(waits.items(), key=lambda item: item[1])
        if longest <= 0:
            return None
        self.refusals.append(window)
        return max(1, math.ceil(longest))

    def record(self, chat_id: int | None, now: float) -> None:
        self._global.append(now)
        if chat_id is not None:
            self._chats.setdefault(chat_id, deque()).append(now)
            if chat_id < 0 and self.config.per_group_per_minute is not None:
                self._groups.setdefault(chat_id, deque()).append(now)

    def reset(self) -> None:
        self._global.clear()
        self._chats.clear()
        self._groups.clear()


def _wait(window: deque[float] | None, limit: int, span: float, now: float) -> float:
    """How long until `window` holds fewer than `limit` calls of the last `span` seconds."""
    if window is None:
        return 0.0 if limit > 0 else span
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < limit:
        return 0.0
    if limit <= 0:
        return span
    return window[-limit] + span - now


# An injected error: an HTTP status, or a function of the call's parameters that returns the
# error to answer (or None to answer this call normally).
ErrorSpec = int | Callable[[Params], ApiError | None]


@dataclass(slots=True)
class _Failure:
    remaining: int
    spec: ErrorSpec
    description: str | None
    retry_after: int | None


class Faults:
    """Failures and latency injected by tests, per API method ("*" for latency on all)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[_Failure]] = {}
        self.latency: dict[str, float] = {}

    def fail_next(
        self,
        method: str,
        n: int,
        spec: ErrorSpec,
        description: str | None,
        retry_after: int | None,
    ) -> None:
        if n > 0:
            failure = _Failure(n, spec, description, retry_after)
            self._failures.setdefault(method, deque()).append(failure)

    def take(self, method: str, params: Params) -> ApiError | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if callable(failure.spec):
            error = failure.spec(params)
            if error is None:
                return None
        else:
            error = injected_error(failure.spec, failure.description, failure.retry_after)
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        return error

    def pending(self, method: str) -> int:
        return sum(failure.remaining for failure in self._failures.get(method, ()))

    def delay(self, method: str) -> float:
        return self.latency.get(method, self.latency.get("*", 0.0))

    def clear(self) -> None:
        self._failures.clear()
        self.latency.clear()
