"""Pacing of Bot API calls: 30 messages/s overall, about 1/s per private chat.

AIORateLimiter's leaky bucket lets bursts through (30 at once, then 30 more within the
second), which a strict limit answers with 429s. Here the overall limit is an even pace
(one call every 1/rate seconds, with a small margin), and each private chat gets its own
pace, counted from its previous message's real departure, on the calls that show something
to the user. Both also count from when calls were answered, so that a call delayed on its
way cannot crowd the window it arrives in (see `_Departure`). AIORateLimiter still handles
group limits and waits out any 429 that gets through, retrying the same request.

With several processes (PostgreSQL), the limits are the deployment's: after its own pace,
each call also takes its slot of the shared budgets (storage/budgets.py), "telegram" and
"telegram:chat:<id>", and a 429 holds the overall one off for every process.
"""

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from storage.budgets import SharedBudgets

JSONish = bool | dict[str, Any] | list[dict[str, Any]]

# Spacing a little wider than the nominal rate, so that scheduling jitter cannot squeeze
# one more call into a one-second window: 2.5 % overall (29.3 messages/s for 30: 25 ms of
# slack per window), 10 % per chat.
OVERALL_MARGIN = 1.025
CHAT_MARGIN = 1.1
# Telegram's windows, counted from when a call can have arrived at the latest (see
# `_Departure`).
WINDOW = 1.0
# How many recent round trips the quickest one is taken from.
ROUND_TRIPS_KEPT = 30
# The shared budgets' rows (storage/budgets.py).
SHARED_OVERALL = "telegram"
# The deployment's slots are wider still (27.7 messages/s for 30): a slot is granted by the
# database and the call leaves a round trip and a scheduling delay later, which on a busy
# machine took more than the 25 ms of slack above (one 429 in the three-process test).
SHARED_SPREAD = 1.06
SHARED_CHAT = "telegram:chat:"

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


class _Departure:
    """One paced call on its way: when it left, and when its answer came back.

    Telegram counts a call when it arrives, somewhere between the two; a call held up on
    the way (a busy network, a paused server) arrives late and shrinks the window between
    it and later calls. Its answer comes back after it arrived, by at least the time the
    quickest recent round trip took beyond its own way there: delays only ever add to the
    quickest trip. So a later call leaves a WINDOW after this call's answer less the
    quickest round trip, and the two arrive more than a WINDOW apart. On a steady network
    that moment is the call's departure, which the even grid already covers: only a call
    slower than the quickest holds a later one back (by its extra delay).
    """

    __slots__ = ("arrived", "left")

    def __init__(self, left: float) -> None:
        self.left = left
        # Set when the answer comes back: the latest the call can have arrived.
        self.arrived: asyncio.Future[float] = asyncio.get_running_loop().create_future()


class PacedRateLimiter(AIORateLimiter):
    def __init__(
        self,
        messages_per_second: float = 30,
        chat_messages_per_second: float = 1,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedBudgets | None = None,
    ) -> None:
        # The overall pace is ours (below); AIORateLimiter keeps the group limit and the
        # waiting out of 429s.
        if messages_per_second > 0:
            super().__init__(overall_max_rate=0, max_retries=max_retries)
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._interval = OVERALL_MARGIN / messages_per_second if messages_per_second else 0
        self._next_slot = 0.0
        # At most `burst` calls in any window of one second (plus the margin).
        self._burst = max(1, int(messages_per_second))
        self._window = OVERALL_MARGIN
        self._departures: deque[_Departure] = deque(maxlen=self._burst)
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS_KEPT)
        self._departure_lock = asyncio.Lock()
        self._chat_interval = (
            CHAT_MARGIN / chat_messages_per_second if chat_messages_per_second else 0
        )
        self._chat_window = WINDOW / chat_messages_per_second if chat_messages_per_second else 0
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_free_at: dict[int, float] = {}  # when a chat's next message may leave
        self._clock = clock
        self._shared = shared

    def _answered(self, left: float, *, note: bool = True) -> float:
        """As a call's answer comes back: when the call can have arrived at the latest
        (see `_Departure`); before any round trip is known, that is its answer. `note`:
        keep its round trip (once per call, where the overall pace also times it)."""
        answered = self._clock()
        trip = answered - left
        quickest = min(min(self._round_trips), trip) if self._round_trips else 0.0
        if note:
            self._round_trips.append(trip)
        return answered - quickest

    def _chat_of(self, endpoint: str, data: dict[str, Any]) -> int | None:
        """The private chat this call shows something in, if it is paced per chat."""
        if not self._chat_interval or endpoint not in PACED_PER_CHAT:
            return None
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return chat_id if chat_id > 0 else None  # groups have AIORateLimiter's own limit

    async def _shared_slot(self, chat_id: int | None) -> None:
        """Wait for the deployment's pace (after this process's own): the next slot of the
        overall budget, at which the chat's budget must be free too. The chat's is claimed
        for that very moment, so that the chat's calls are a full interval apart when they
        leave, whichever process sends them; when another process has it, the overall slot
        is let go and a later one taken once the chat is free (rare: two processes writing
        to one chat within a second)."""
        assert self._shared is not None
        while True:
            slot = await self._shared.take(SHARED_OVERALL, self._interval * SHARED_SPREAD)
            if chat_id is None or not slot.now:  # no chat, or the database out of reach
                break
            busy = await self._shared.claim(
                f"{SHARED_CHAT}{chat_id}", slot.start, self._chat_interval
            )
            if busy is None:
                break
            await asyncio.sleep(max(0.0, busy - slot.now))
        if slot.wait > 0:
            await asyncio.sleep(slot.wait)

    def _paced(
        self, callback: Callable[..., Coroutine[Any, Any, JSONish]], chat_id: int | None = None
    ) -> Callable[..., Coroutine[Any, Any, JSONish]]:
        """The call, held until its slot on an even grid of one call per interval, and
        until the last `burst` calls span more than a window.

        Slots are taken in order and follow each other exactly one interval apart while
        calls queue up, so a late wake-up never slows the pace down (a leaky bucket would
        drift below the rate). The grid alone is not enough: when the event loop stalls
        (a long commit, a burst of work), the call due during the stall leaves late, the
        next ones on time, and a second later one call too many falls in a one-second
        window; and a call delayed on its way arrives late, with the same effect. So a
        call also waits until the call `burst` places before it left a window ago and
        can have arrived a WINDOW ago (see `_Departure`). A retry after a 429 takes a new
        slot.
        """

        async def in_its_slot(*call_args: Any, **call_kwargs: Any) -> JSONish:
            async with self._departure_lock:  # calls leave one at a time, in order
                now = self._clock()
                slot = max(now, self._next_slot)
                if len(self._departures) == self._burst:
                    oldest = self._departures[0]
                    slot = max(slot, oldest.left + self._window)
                    if not oldest.arrived.done():  # rare: an answer slower than a second
                        await asyncio.shield(oldest.arrived)
                        now = self._clock()
                    slot = max(slot, oldest.arrived.result() + WINDOW)
                self._next_slot = slot + self._interval
                if slot > now:
                    await asyncio.sleep(slot - now)
                if self._shared is not None:  # the deployment's pace, after our own
                    await self._shared_slot(chat_id)
                departure = _Departure(self._clock())
                self._departures.append(departure)
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as error:
                if self._shared is not None:  # every process waits it out
                    await self._shared.hold_off(
                        SHARED_OVERALL, _seconds(error.retry_after), self._interval
                    )
                raise
            finally:
                departure.arrived.set_result(self._answered(departure.left))

        return in_its_slot

    def _forget_quiet_chats(self) -> None:
        if len(self._chat_free_at) > 10_000:
            now = self._clock()
            for chat_id in [c for c, at in self._chat_free_at.items() if at < now]:
                lock = self._chat_locks.get(chat_id)
                if lock is None or not lock.locked():
                    self._chat_free_at.pop(chat_id, None)
                    self._chat_locks.pop(chat_id, None)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        overall = bool(self._interval and "chat_id" in data)
        chat_id = self._chat_of(endpoint, data)
        if chat_id is None:
            call = self._paced(callback) if overall else callback
            return await super().process_request(
                call, args, kwargs, endpoint, data, rate_limit_args
            )
        self._forget_quiet_chats()
        # One call at a time per chat, spaced from the moment the previous one really went
        # out (after the overall pace), not from when it was asked for, and a chat window
        # from when it can have arrived (as for the overall pace).
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            wait = self._chat_free_at.get(chat_id, float("-inf")) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            if self._shared is not None and not overall:  # (only the chat is paced)
                shared = await self._shared.take(f"{SHARED_CHAT}{chat_id}", self._chat_interval)
                if shared.wait > 0:
                    await asyncio.sleep(shared.wait)

            async def stamped(*call_args: Any, **call_kwargs: Any) -> JSONish:
                left = self._clock()  # as it leaves, after any wait
                self._chat_free_at[chat_id] = left + self._chat_interval
                try:
                    return await callback(*call_args, **call_kwargs)
                finally:
                    arrived = self._answered(left, note=not overall)
                    self._chat_free_at[chat_id] = max(
                        left + self._chat_interval, arrived + self._chat_window
                    )

            call = self._paced(stamped, chat_id) if overall else stamped
            return await super().process_request(
                call, args, kwargs, endpoint, data, rate_limit_args
            )


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
