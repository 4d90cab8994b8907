"""Pacing of Bot API calls: 30 messages/s overall, about 1/s per private chat.

AIORateLimiter's leaky bucket lets bursts through (30 at once, then 30 more within the
second), which a strict limit answers with 429s. Here the overall limit is an even pace
(one call every 1/rate seconds, with a small margin), and each private chat gets its own
pace on the calls that show something to the user. AIORateLimiter still handles group
limits and waits out any 429 that gets through, retrying the same request.
"""

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONish = bool | dict[str, Any] | list[dict[str, Any]]

# Spacing is 2 % wider than the nominal rate, so network jitter cannot squeeze one more
# call into a one-second window.
MARGIN = 1.02

# Calls that put something in front of the user (and so count against a chat's limit).
PACED_PER_CHAT = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "copyMessage",
        "forwardMessage",
    }
)


class PacedRateLimiter(AIORateLimiter):
    def __init__(
        self,
        messages_per_second: float = 30,
        chat_messages_per_second: float = 1,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if messages_per_second > 0:
            super().__init__(
                overall_max_rate=1,
                overall_time_period=MARGIN / messages_per_second,
                max_retries=max_retries,
            )
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._chat_interval = MARGIN / chat_messages_per_second if chat_messages_per_second else 0
        self._next_slot: dict[int, float] = {}
        self._clock = clock

    async def _pace_chat(self, chat_id: int) -> None:
        now = self._clock()
        if len(self._next_slot) > 10_000:  # forget chats that have been quiet a while
            self._next_slot = {k: v for k, v in self._next_slot.items() if v > now}
        slot = max(now, self._next_slot.get(chat_id, 0.0))
        self._next_slot[chat_id] = slot + self._chat_interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        chat_id = data.get("chat_id")
        if self._chat_interval and endpoint in PACED_PER_CHAT and chat_id is not None:
            try:
                numeric = int(chat_id)
            except (TypeError, ValueError):
                numeric = -1
            if numeric > 0:  # private chats; groups have AIORateLimiter's own limit
                await self._pace_chat(numeric)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
