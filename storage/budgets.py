"""Rate budgets shared by every bot process on PostgreSQL (issue 17).

Telegram's 30 messages/s and 1/s per chat, WhatsApp's pace and DEXCHANGE's 100 calls a
minute hold for the whole deployment: N processes each pacing themselves would spend N
times the budget. So each budget is a row, `budgets(name, tat)`, kept by the generic cell
rate algorithm: `tat` (theoretical arrival time) is the moment from which the next call is
on time, on the database server's clock (`clock_timestamp()`), the one clock every process
shares. One statement takes a call's slot and moves `tat` on by one interval, atomically;
the caller then sleeps until its slot with no lock held. `burst` calls may start at once
after a quiet spell (a token bucket of `burst` tokens, one back every interval).

`take_slot` and `held_off` are the arithmetic; the SQL below does the same on the server.
On SQLite (one process) nothing here is used: the in-memory pacers are the whole budget.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

# Rows whose `tat` is this long past say nothing any more (an absent row is a full bucket):
# pruned now and then, so that the per-chat and per-recipient rows do not pile up.
KEEP_SECONDS = 600.0
PRUNE_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class Slot:
    """A granted slot, both moments on the server's clock (seconds since the epoch)."""

    start: float
    now: float

    @property
    def wait(self) -> float:
        """Seconds to sleep before the call may leave."""
        return max(0.0, self.start - self.now)


def take_slot(tat: float | None, now: float, interval: float, burst: int = 1) -> Slot:
    """The next slot of a budget whose row holds `tat` (None: no row), and its new `tat`
    (`Slot.start` + the calls it lets through at once, see `next_tat`)."""
    base = now if tat is None else max(tat, now)
    return Slot(max(now, base - (burst - 1) * interval), now)


def next_tat(tat: float | None, now: float, interval: float) -> float:
    """The row's `tat` once a slot was taken at `now`."""
    return (now if tat is None else max(tat, now)) + interval


def claim_at(tat: float | None, at: float, interval: float, burst: int = 1) -> tuple[bool, float]:
    """Whether a call leaving at `at` may have the budget (its slot would start by then: the
    row then moves on as `next_tat`), and the row's `tat` after asking."""
    if tat is None or tat - (burst - 1) * interval <= at:
        return True, next_tat(tat, at, interval)
    return False, tat


def held_off(tat: float | None, now: float, seconds: float, interval: float, burst: int) -> float:
    """The row's `tat` after a 429 asking to wait `seconds`: no slot starts before then, and
    the burst is spent (calls resume one an interval)."""
    until = now + seconds + (burst - 1) * interval
    return until if tat is None else max(tat, until)


# The same arithmetic as take_slot/next_tat. The clock is read once (a CTE referenced twice
# is evaluated once); under a concurrent update, READ COMMITTED re-reads the newest `tat`.
TAKE = """
WITH clock AS (SELECT date_part('epoch', clock_timestamp()) AS now),
taken AS (
    INSERT INTO budgets AS b (name, tat) SELECT ?, clock.now + ? FROM clock
    ON CONFLICT (name) DO UPDATE SET tat = greatest(b.tat + ?, excluded.tat)
    RETURNING b.tat
)
SELECT greatest(clock.now, taken.tat - ?) AS start, clock.now AS now FROM taken, clock
"""

# claim_at: the update happens only when the budget is free at that moment; otherwise the
# row (as the statement's snapshot saw it) says from when to ask again.
CLAIM = """
WITH claimed AS (
    INSERT INTO budgets AS b (name, tat) VALUES (?, ?)
    ON CONFLICT (name) DO UPDATE SET tat = greatest(b.tat + ?, excluded.tat)
        WHERE b.tat - ? <= ?
    RETURNING b.tat
)
SELECT (SELECT tat FROM claimed) AS claimed, (SELECT tat FROM budgets WHERE name = ?) AS busy
"""

HOLD_OFF = """
WITH clock AS (SELECT date_part('epoch', clock_timestamp()) AS now),
held AS (
    INSERT INTO budgets AS b (name, tat) SELECT ?, clock.now + ? FROM clock
    ON CONFLICT (name) DO UPDATE SET tat = greatest(b.tat, excluded.tat)
    RETURNING b.tat
)
SELECT clock.now FROM held, clock
"""

PRUNE = "DELETE FROM budgets WHERE tat < date_part('epoch', clock_timestamp()) - ?"

# What a database out of reach raises (an error in the SQL itself is raised): the
# caller's local pace still holds.
UNAVAILABLE = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, TimeoutError)


class SharedBudgets:
    """The budgets' rows, through the process's pool. A budget the database cannot answer
    for lets the call go (logged): the process's own pacer still holds it to its share."""

    def __init__(
        self,
        database: PostgresDatabase,
        *,
        keep: float = KEEP_SECONDS,
        prune_every: float = PRUNE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._keep = keep
        self._prune_every = prune_every
        self._clock = clock
        self._next_prune = clock() + prune_every

    async def take(self, name: str, interval: float, burst: int = 1) -> Slot:
        """Take the next slot of budget `name` (one call every `interval` seconds, `burst`
        at once after a quiet spell)."""
        await self._prune_now_and_then()
        try:
            row = await self._database.single().fetch_one(
                TAKE, (name, interval, interval, burst * interval)
            )
        except UNAVAILABLE as error:
            log.warning("shared budget %s unavailable (%s): local pace only", name, error)
            return Slot(0.0, 0.0)
        assert row is not None  # the insert or the update always returns its row
        return Slot(float(row["start"]), float(row["now"]))

    async def claim(self, name: str, at: float, interval: float, burst: int = 1) -> float | None:
        """Have budget `name` for a call leaving at `at` (the server's clock) if its slot
        would start by then (None); otherwise, the moment from which to ask again."""
        spare = (burst - 1) * interval
        try:
            row = await self._database.single().fetch_one(
                CLAIM, (name, at + interval, interval, spare, at, name)
            )
        except UNAVAILABLE as error:
            log.warning("shared budget %s unavailable (%s): local pace only", name, error)
            return None
        assert row is not None
        if row["claimed"] is not None:
            return None
        # Taken by a call that left after the snapshot (busy is NULL): ask again at once.
        return at if row["busy"] is None else float(row["busy"]) - spare

    async def hold_off(self, name: str, seconds: float, interval: float, burst: int = 1) -> float:
        """After a 429: no slot of `name` starts in any process for `seconds` (see
        `held_off`). Returns the server's clock when it was recorded."""
        try:
            now = await self._database.single().fetch_value(
                HOLD_OFF, (name, seconds + (burst - 1) * interval)
            )
        except UNAVAILABLE as error:
            log.warning("shared budget %s unavailable (%s): 429 kept local", name, error)
            return 0.0
        return float(now)

    async def prune(self) -> int:
        """Forget the budgets quiet for `keep` seconds (their rows say nothing any more)."""
        return await self._database.single().execute(PRUNE, (self._keep,))

    async def _prune_now_and_then(self) -> None:
        now = self._clock()
        if now < self._next_prune:
            return
        self._next_prune = now + self._prune_every  # first, so that one task prunes
        try:
            pruned = await self.prune()
        except UNAVAILABLE as error:
            log.warning("shared budgets not pruned (%s)", error)
            return
        if pruned:
            log.debug("pruned %d quiet shared budgets", pruned)
