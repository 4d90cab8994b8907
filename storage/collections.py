"""Mobile-money collections ('in': the customer funds their balance) and payouts ('out': a
refund to their mobile money), with guarded status transitions (money rules 1, 3 and 9).

Days are UTC days: Dakar keeps UTC all year (no daylight saving), so a customer's day, for
the daily funding cap, runs from 00:00 to 24:00 UTC.
"""

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from storage.database import Clock, Connection, Row, placeholders
from storage.models import (
    COLLECTION_ALLOWED_FROM,
    COLLECTION_OPEN,
    Collection,
    CollectionStatus,
    Direction,
    FeePaidBy,
    MoneyMethod,
    NewCollection,
)
from storage.timefmt import from_db, from_db_optional, to_db

log = logging.getLogger(__name__)

# What counts against the daily funding cap: what succeeded, and what may still succeed.
COUNTED_FOR_CAP = (CollectionStatus.SUCCESS, *COLLECTION_OPEN)


def _collection(found: Row) -> Collection:
    row: dict[str, Any] = dict(zip(found.keys(), found, strict=True))
    return Collection(
        id=row["id"],
        user_id=row["user_id"],
        direction=Direction(row["direction"]),
        idempotency_key=row["idempotency_key"],
        external_id=row["external_id"],
        service_code=row["service_code"],
        method=MoneyMethod(row["method"]),
        number=row["number"],
        amount=row["amount"],
        fee=row["fee"],
        fee_paid_by=FeePaidBy(row["fee_paid_by"]),
        total=row["total"],
        status=CollectionStatus(row["status"]),
        maybe_sent=bool(row["maybe_sent"]),
        attempts=row["attempts"],
        provider_tx_id=row["provider_tx_id"],
        provider_message=row["provider_message"],
        payment_link=row["payment_link"],
        for_payment_id=row["for_payment_id"],
        actor=row["actor"],
        checks=row["checks"],
        next_check_at=from_db_optional(row["next_check_at"]),
        needs_attention=bool(row["needs_attention"]),
        attention_reason=row["attention_reason"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        completed_at=from_db_optional(row["completed_at"]),
    )


def utc_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC day (Dakar's) holding `moment`: [start, end)."""
    start = datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


class Collections:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def create(self, new: NewCollection) -> tuple[Collection, bool]:
        """Insert the collection unless this user's idempotency key exists (a double tap,
        a redelivered update): (collection, created). Two statements or three: run it in
        `Storage.transaction()`. A new row is due for a check at once, so one committed but
        never sent (the process died) is found by polling."""
        now = to_db(self._clock())
        row_id = await self._conn.insert(
            "INSERT INTO collections (user_id, direction, idempotency_key, external_id,"
            " service_code, method, number, amount, fee, fee_paid_by, total, status,"
            " for_payment_id, actor, next_check_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, idempotency_key) DO NOTHING",
            (
                new.user_id,
                new.direction.value,
                new.idempotency_key,
                new.external_id,
                new.service_code,
                new.method.value,
                new.number,
                new.amount,
                new.fee,
                new.fee_paid_by.value,
                new.total,
                CollectionStatus.CREATED.value,
                new.for_payment_id,
                new.actor,
                now,
                now,
                now,
            ),
        )
        if row_id is not None:
            await self._event(row_id, None, CollectionStatus.CREATED, "create", None, now)
        found = await self.by_idempotency_key(new.user_id, new.idempotency_key)
        assert found is not None
        return found, row_id is not None

    async def get(self, collection_id: int) -> Collection | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM collections WHERE id = ?" + self._conn.for_update, (collection_id,)
        )
        return None if row is None else _collection(row)

    async def get_for_user(self, collection_id: int, user_id: int) -> Collection | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM collections WHERE id = ? AND user_id = ?" + self._conn.for_update,
            (collection_id, user_id),
        )
        return None if row is None else _collection(row)

    async def by_idempotency_key(self, user_id: int, key: str) -> Collection | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM collections WHERE user_id = ? AND idempotency_key = ?"
            + self._conn.for_update,
            (user_id, key),
        )
        return None if row is None else _collection(row)

    async def by_external_id(self, external_id: str) -> Collection | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM collections WHERE external_id = ?" + self._conn.for_update,
            (external_id,),
        )
        return None if row is None else _collection(row)

    async def by_provider_tx_id(self, provider_tx_id: str) -> Collection | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM collections WHERE provider_tx_id = ?" + self._conn.for_update,
            (provider_tx_id,),
        )
        return None if row is None else _collection(row)

    async def for_payment(self, payment_id: int) -> list[Collection]:
        """The "pay the rest" collections made for this purchase, oldest first."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections WHERE for_payment_id = ? ORDER BY id", (payment_id,)
        )
        return [_collection(row) for row in rows]

    async def for_user(self, user_id: int, limit: int = 10) -> list[Collection]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_collection(row) for row in rows]

    async def transition(
        self,
        collection_id: int,
        target: CollectionStatus,
        source: str,
        *,
        provider_tx_id: str | None = None,
        message: str | None = None,
        payment_link: str | None = None,
        maybe_sent: bool = False,
        next_check_at: datetime | None = None,
    ) -> Collection | None:
        """Move to `target` only from a state allowed to lead there (money rule 3; the
        table refuses any other move too). Returns the updated collection, or None when
        the guard refused: the refusal is logged and nothing changes.

        DEXCHANGE's transaction id is kept from its first word (a different one later is
        for the caller to notice: money rule 8). A state that is not final stays due for a
        check at `next_check_at` (now by default); a final one is never looked at again.
        """
        allowed = COLLECTION_ALLOWED_FROM[target]
        current = await self.get(collection_id)
        if current is None or current.status not in allowed:
            log.info(
                "ignored transition of collection %s from %s to %s (%s)",
                collection_id,
                current.status if current else "missing",
                target,
                source,
            )
            return None
        moment = self._clock()
        now = to_db(moment)
        final = target.is_final
        next_check = None if final else to_db(next_check_at or moment)
        changed = await self._conn.execute(
            "UPDATE collections SET status = ?, updated_at = ?,"
            " provider_tx_id = coalesce(provider_tx_id, ?),"
            " provider_message = coalesce(?, provider_message),"
            " payment_link = coalesce(?, payment_link),"
            " maybe_sent = CASE WHEN ? = 1 THEN 1 ELSE maybe_sent END, attempts = attempts + ?,"
            " completed_at = ?, next_check_at = ?"
            f" WHERE id = ? AND status IN ({placeholders(allowed)})",
            (
                target.value,
                now,
                provider_tx_id or None,
                message or None,
                payment_link or None,
                1 if maybe_sent else 0,
                1 if target is CollectionStatus.SUBMITTED else 0,
                now if final else None,
                next_check,
                collection_id,
                *(status.value for status in allowed),
            ),
        )
        if not changed:  # cannot happen inside our write transaction; kept as the real guard
            return None
        await self._event(collection_id, current.status, target, source, message, now)
        return await self.get(collection_id)

    async def mark_maybe_sent(self, collection_id: int) -> bool:
        """Some attempt may have reached DEXCHANGE (a timeout, a dropped connection, the
        process died during the call): from now on it is retried only under its own id."""
        changed = await self._conn.execute(
            "UPDATE collections SET maybe_sent = 1, updated_at = ? WHERE id = ? AND maybe_sent = 0",
            (to_db(self._clock()), collection_id),
        )
        return changed == 1

    async def note_provider_tx(self, collection_id: int, provider_tx_id: str) -> None:
        """DEXCHANGE's transaction id, kept from its first word."""
        await self._conn.execute(
            "UPDATE collections SET provider_tx_id = coalesce(provider_tx_id, ?),"
            " updated_at = ? WHERE id = ?",
            (provider_tx_id, to_db(self._clock()), collection_id),
        )

    async def note_payment_link(self, collection_id: int, link: str) -> None:
        await self._conn.execute(
            "UPDATE collections SET payment_link = ?, updated_at = ? WHERE id = ?",
            (link, to_db(self._clock()), collection_id),
        )

    async def schedule_check(self, collection_id: int, at: datetime | None) -> None:
        """Look at an open collection again at `at` (None: stop looking); counts checks."""
        await self._conn.execute(
            "UPDATE collections SET next_check_at = ?, checks = checks + 1 WHERE id = ?"
            f" AND status IN ({placeholders(COLLECTION_OPEN)})",
            (
                None if at is None else to_db(at),
                collection_id,
                *(status.value for status in COLLECTION_OPEN),
            ),
        )

    async def due_for_check(self, now: datetime, limit: int = 100) -> list[Collection]:
        """Open collections whose next check has come, the most overdue first (only open
        ones keep a next_check_at)."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections WHERE next_check_at <= ? ORDER BY next_check_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_collection(row) for row in rows]

    async def flag_attention(self, collection_id: int, reason: str) -> bool:
        """Mark for an admin's eyes, with the reason (each distinct reason is recorded once
        among the events; the column keeps the first); True the first time."""
        reason = reason[:300]
        changed = await self._conn.execute(
            "UPDATE collections SET needs_attention = 1, attention_reason = ?"
            " WHERE id = ? AND needs_attention = 0",
            (reason, collection_id),
        )
        seen = await self._conn.fetch_value(
            "SELECT 1 FROM collection_events WHERE collection_id = ? AND source = 'attention'"
            " AND detail = ?",
            (collection_id, reason),
        )
        if not seen:
            status = await self._conn.fetch_value(
                "SELECT status FROM collections WHERE id = ?", (collection_id,)
            )
            if status is not None:
                current = CollectionStatus(status)
                await self._event(collection_id, current, current, "attention", reason)
        return changed == 1

    async def open_collections(self, limit: int = 50) -> list[Collection]:
        """Not settled yet, the oldest first: what an admin watches."""
        rows = await self._conn.fetch_all(
            f"SELECT * FROM collections WHERE status IN ({placeholders(COLLECTION_OPEN)})"
            " ORDER BY id LIMIT ?",
            (*(status.value for status in COLLECTION_OPEN), limit),
        )
        return [_collection(row) for row in rows]

    async def failed_collections(self, limit: int = 50) -> list[Collection]:
        """Failed ones, and any flagged for attention, the latest first."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections WHERE status = 'failed' OR needs_attention = 1"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [_collection(row) for row in rows]

    async def ended_unsuccessfully_since(
        self, since: datetime, limit: int = 50
    ) -> list[Collection]:
        """Failed, cancelled or expired since `since`, the latest first: what an admin
        looks at in /collections (a refund among them gave its money back)."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections WHERE status IN ('failed', 'cancelled', 'expired')"
            " AND completed_at >= ? ORDER BY id DESC LIMIT ?",
            (to_db(since), limit),
        )
        return [_collection(row) for row in rows]

    async def flagged_since(self, since: datetime, limit: int = 50) -> list[Collection]:
        """Flagged for an admin and still open, or flagged since `since`, the latest first
        (a flag is never lifted: older ones of settled collections stay in their events)."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM collections c WHERE needs_attention = 1"
            f" AND (status IN ({placeholders(COLLECTION_OPEN)}) OR EXISTS ("
            "SELECT 1 FROM collection_events e WHERE e.collection_id = c.id"
            " AND e.source = 'attention' AND e.created_at >= ?))"
            " ORDER BY id DESC LIMIT ?",
            (*(status.value for status in COLLECTION_OPEN), to_db(since), limit),
        )
        return [_collection(row) for row in rows]

    async def funded_between(self, user_id: int, start: datetime, end: datetime) -> int:
        """What the user's collections created in [start, end) bring or may still bring to
        their balance: successes and open ones (the daily cap counts both)."""
        value = await self._conn.fetch_value(
            "SELECT coalesce(sum(amount), 0) FROM collections WHERE user_id = ?"
            " AND direction = 'in' AND created_at >= ? AND created_at < ?"
            f" AND status IN ({placeholders(COUNTED_FOR_CAP)})",
            (user_id, to_db(start), to_db(end), *(status.value for status in COUNTED_FOR_CAP)),
        )
        return int(value)

    async def funded_today(self, user_id: int, now: datetime | None = None) -> int:
        """`funded_between` over the user's day (Dakar's, a UTC day) holding `now`."""
        start, end = utc_day(now or self._clock())
        return await self.funded_between(user_id, start, end)

    async def count_by_method_status(self) -> list[tuple[str, str, str, int]]:
        """(direction, method, status, count) of every collection: the /metrics counters."""
        rows = await self._conn.fetch_all(
            "SELECT direction, method, status, count(*) AS n FROM collections"
            " GROUP BY direction, method, status ORDER BY direction, method, status"
        )
        return [(row["direction"], row["method"], row["status"], row["n"]) for row in rows]

    async def events(self, collection_id: int) -> list[tuple[str | None, str, str]]:
        rows = await self._conn.fetch_all(
            "SELECT from_status, to_status, source FROM collection_events"
            " WHERE collection_id = ? ORDER BY id",
            (collection_id,),
        )
        return [(row["from_status"], row["to_status"], row["source"]) for row in rows]

    async def _event(
        self,
        collection_id: int,
        from_status: CollectionStatus | None,
        to_status: CollectionStatus,
        source: str,
        detail: str | None,
        at: str | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO collection_events (collection_id, from_status, to_status, source,"
            " detail, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                collection_id,
                None if from_status is None else from_status.value,
                to_status.value,
                source,
                detail,
                at or to_db(self._clock()),
            ),
        )
