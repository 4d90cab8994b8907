"""Recharge codes have a lifetime: RETENTION_DAYS after a payment, only the last four digits
of its code stay (issue 12, item 7).

A small worker runs the purge shortly after start and then once a day; `python -m bot admin
purge-codes` runs it once. Payments completed before the cutoff get their codes as
EXPIRED:<last four> (storage.codes), and raw callback and pay/status bodies received before
it lose their codes the same way. The work goes in short transactions of a batch each, and
each step is idempotent, so running it twice, or in two processes, is harmless.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import Storage
from storage.database import Clock, utc_now
from storage.retention import RAW_TABLES

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600.0
FIRST_RUN_DELAY_SECONDS = 60.0  # out of the way of the start itself
BATCH = 200


@dataclass(frozen=True)
class PurgeReport:
    payments: int  # payments whose codes expired in this run
    bodies: dict[str, int]  # raw bodies redacted, by table

    def summary(self, days: int) -> str:
        bodies = ", ".join(f"{count} {table}" for table, count in self.bodies.items())
        return (
            f"codes older than {days} days: {self.payments} payment(s) expired;"
            f" raw bodies redacted: {bodies}"
        )


class CodeRetention:
    def __init__(
        self,
        storage: Storage,
        days: int,
        *,
        clock: Clock = utc_now,
        interval: float = DAY_SECONDS,
        first_delay: float = FIRST_RUN_DELAY_SECONDS,
    ) -> None:
        self._storage = storage
        self.days = days
        self._clock = clock
        self._interval = interval
        self._first_delay = first_delay
        self._task: asyncio.Task[None] | None = None
        # How far each table of raw bodies is known to be redacted: a later run starts there
        # instead of reading every old body again (a new process starts from the beginning).
        self._reached = dict.fromkeys(RAW_TABLES, 0)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="code-retention")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        await asyncio.sleep(self._first_delay)
        while True:
            try:
                report = await self.run_once()
                log.info("retention: %s", report.summary(self.days))
            except Exception:
                log.exception("retention pass failed; trying again at the next one")
            await asyncio.sleep(self._interval)

    def cutoff(self, now: datetime | None = None) -> datetime:
        return (now or self._clock()) - timedelta(days=self.days)

    async def run_once(self, now: datetime | None = None) -> PurgeReport:
        """Purge what is older than RETENTION_DAYS before `now` (default: the clock)."""
        cutoff = self.cutoff(now)
        payments = 0
        after = 0
        while True:
            async with self._storage.transaction() as tx:
                batch = await tx.retention.expire_codes(cutoff, after, BATCH)
            payments += batch.changed
            after = batch.reached
            if batch.done:
                break
            await asyncio.sleep(0)  # let the bot's own work in between batches
        bodies = {}
        for table in RAW_TABLES:
            redacted = 0
            while True:
                async with self._storage.transaction() as tx:
                    batch = await tx.retention.redact_bodies(
                        table, cutoff, self._reached[table], BATCH
                    )
                redacted += batch.changed
                self._reached[table] = batch.reached
                if batch.done:
                    break
                await asyncio.sleep(0)
            bodies[table] = redacted
        return PurgeReport(payments, bodies)
