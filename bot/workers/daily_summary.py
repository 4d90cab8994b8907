"""The agents' daily summary, pushed at DAILY_REPORT_HOUR (Dakar time, which is UTC).

A small worker looks once a minute. From the configured hour on, every agent who did
something that day gets one outbox NOTICE carrying the day's figures; its dedupe key
(`daily:<user>:<day>`) makes it once per agent per day, across restarts and processes.
The check is `run_due()`, callable with any moment (tests do not wait for the hour).
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from storage import Storage
from storage.database import Clock, utc_now
from storage.day_report import day_report
from storage.models import OutboxKind, Role

log = logging.getLogger(__name__)


def dedupe_key(user_id: int, day: str) -> str:
    return f"daily:{user_id}:{day}"


class DailySummary:
    def __init__(
        self,
        storage: Storage,
        hour: int | None,
        *,
        clock: Clock = utc_now,
        interval: float = 60.0,
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self._storage = storage
        self.hour = hour
        self._clock = clock
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._sent: set[str] = set()  # dedupe keys known to be queued: no query for them
        self._on_outbox = on_outbox  # the reports are queued: deliver them

    def start(self) -> None:
        if self.hour is not None:
            self._task = asyncio.create_task(self._run(), name="daily-summary")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("daily summary pass failed; trying again later")
            await asyncio.sleep(self._interval)

    async def run_due(self, now: datetime | None = None) -> int:
        """Queue the summaries due at `now` (default: the clock); returns how many."""
        now = (now or self._clock()).astimezone(UTC)
        if self.hour is None or now.hour < self.hour:
            return 0
        day = now.date()
        queued = 0
        for agent in await self._storage.read.users.with_role(Role.AGENT):
            key = dedupe_key(agent.id, day.isoformat())
            if key in self._sent:
                continue
            if await self._storage.read.outbox.exists(key):
                self._sent.add(key)
                continue
            report = await day_report(self._storage.read, agent.id, day, now)
            if not report.active:
                continue  # nothing to sum up; looked at again next time
            async with self._storage.transaction() as tx:
                added = await tx.outbox.add(
                    agent.id,
                    OutboxKind.NOTICE,
                    {"report": report.to_payload(), "daily": True},
                    dedupe_key=key,
                )
                tx.after_commit(self._on_outbox)
            self._sent.add(key)
            queued += added is not None
        if len(self._sent) > 10_000:
            self._sent.clear()
        return queued
