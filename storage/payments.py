"""Payments and their guarded status transitions (money rules 1 and 3)."""

import json
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.database import Clock, Connection, Row, placeholders
from storage.models import (
    ALLOWED_FROM,
    OPEN_STATUSES,
    NewPayment,
    Payment,
    PaymentStatus,
    ProviderUpdate,
    Service,
)
from storage.timefmt import from_db, from_db_optional, to_db

log = logging.getLogger(__name__)


def _payment(found: Row) -> Payment:
    # A dict first: sqlite3.Row looks each name up through all 27 columns.
    row: dict[str, Any] = dict(zip(found.keys(), found, strict=True))
    return Payment(
        id=row["id"],
        user_id=row["user_id"],
        idempotency_key=row["idempotency_key"],
        service=Service(row["service"]),
        reference=row["reference"],
        bill_reference=row["bill_reference"],
        holder_name=row["holder_name"],
        due_date=row["due_date"],
        amount=row["amount"],
        fee=row["fee"],
        total=row["total"],
        external_id=row["external_id"],
        provider_tx_id=row["provider_tx_id"],
        status=PaymentStatus(row["status"]),
        codes=json.loads(row["codes"]) if row["codes"] else [],
        provider_message=row["provider_message"],
        provider_fee=row["provider_fee"],
        attempts=row["attempts"],
        provider_has_it=bool(row["provider_has_it"]),
        next_check_at=from_db_optional(row["next_check_at"]),
        checks=row["checks"],
        needs_attention=bool(row["needs_attention"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        completed_at=from_db_optional(row["completed_at"]),
        client_label=row["client_label"],
        maybe_sent=bool(row["maybe_sent"]),
        on_hold=row["on_hold"],
        resolved_by=row["resolved_by"],
    )


class Payments:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def create(self, new: NewPayment) -> tuple[Payment, bool]:
        """Insert the payment unless its idempotency key exists; (payment, created)."""
        now = to_db(self._clock())
        row_id = await self._conn.insert(
            "INSERT INTO payments (user_id, idempotency_key, service, reference, bill_reference,"
            " holder_name, due_date, amount, fee, total, external_id, status, next_check_at,"
            " created_at, updated_at, client_label)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (idempotency_key) DO NOTHING",
            (
                new.user_id,
                new.idempotency_key,
                new.service.value,
                new.reference,
                new.bill_reference,
                new.holder_name,
                new.due_date,
                new.amount,
                new.fee,
                new.total,
                new.external_id,
                PaymentStatus.CREATED.value,
                now,
                now,
                now,
                new.client_label,
            ),
        )
        if row_id is not None:
            await self._event(row_id, None, PaymentStatus.CREATED, "confirm", None)
        payment = await self.by_idempotency_key(new.idempotency_key)
        assert payment is not None
        return payment, row_id is not None

    async def get(self, payment_id: int) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE id = ?" + self._conn.for_update, (payment_id,)
        )
        return None if row is None else _payment(row)

    async def by_external_id(self, external_id: str) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE external_id = ?" + self._conn.for_update, (external_id,)
        )
        return None if row is None else _payment(row)

    async def by_idempotency_key(self, key: str) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE idempotency_key = ?" + self._conn.for_update, (key,)
        )
        return None if row is None else _payment(row)

    async def transition(
        self,
        payment_id: int,
        target: PaymentStatus,
        source: str,
        update: ProviderUpdate | None = None,
        next_check_at: datetime | None = None,
        current: Payment | None = None,
    ) -> Payment | None:
        """Move to `target` only from a state allowed to lead there (money rule 3).

        Returns the updated payment, or None when the guard refused: the refusal is
        logged and nothing changes. `current`, when the caller has just read the payment in
        this same transaction, saves reading it again.
        """
        allowed = ALLOWED_FROM[target]
        if current is None or current.id != payment_id:
            current = await self.get(payment_id)
        if current is None or current.status not in allowed:
            log.info(
                "ignored transition of payment %s from %s to %s (%s)",
                payment_id,
                current.status if current else "missing",
                target,
                source,
            )
            return None
        moment = self._clock()
        now = to_db(moment)
        update = update or ProviderUpdate(status=target)
        after = replace(
            current,
            status=target,
            updated_at=from_db(now),
            provider_tx_id=update.provider_tx_id or current.provider_tx_id,
            codes=update.codes or current.codes,
            provider_message=update.message or current.provider_message,
            provider_fee=update.fee if update.fee is not None else current.provider_fee,
            attempts=current.attempts + (1 if target is PaymentStatus.SUBMITTED else 0),
            completed_at=from_db(now) if target.is_final else None,
            maybe_sent=current.maybe_sent or update.maybe_sent,
            on_hold=update.hold or current.on_hold,
            resolved_by=update.resolved_by or current.resolved_by,
        )
        # A Woyofal success still waiting for its code stays due: it is polled for the code.
        due = not target.is_final or after.awaiting_code
        next_check = (next_check_at or moment) if due else None
        after = replace(
            after, next_check_at=None if next_check is None else from_db(to_db(next_check))
        )
        # `current` was read in this same write transaction, so `after` is what this
        # UPDATE leaves in the row: built here rather than read back (a statement and a
        # row decoding less per transition). The provider's id is assigned only when it
        # changes: assigning it, even to the same value, rewrites its unique index entry.
        new_tx_id = after.provider_tx_id != current.provider_tx_id
        marks = {
            "maybe_sent": 1 if after.maybe_sent != current.maybe_sent else None,
            "on_hold": after.on_hold if after.on_hold != current.on_hold else None,
            "resolved_by": after.resolved_by if after.resolved_by != current.resolved_by else None,
        }
        marked = {column: value for column, value in marks.items() if value is not None}
        changed = await self._conn.execute(
            "UPDATE payments SET status = ?, updated_at = ?,"
            + (" provider_tx_id = ?," if new_tx_id else "")
            + "".join(f" {column} = ?," for column in marked)
            + " codes = coalesce(?, codes),"
            " provider_message = coalesce(?, provider_message),"
            " provider_fee = coalesce(?, provider_fee),"
            " attempts = attempts + ?,"
            " completed_at = ?, next_check_at = ?"
            f" WHERE id = ? AND status IN ({placeholders(allowed)})",
            (
                target.value,
                now,
                *((after.provider_tx_id,) if new_tx_id else ()),
                *marked.values(),
                json.dumps(update.codes) if update.codes else None,
                update.message or None,
                update.fee,
                1 if target is PaymentStatus.SUBMITTED else 0,
                now if target.is_final else None,
                None if next_check is None else to_db(next_check),
                payment_id,
                *(status.value for status in allowed),
            ),
        )
        if not changed:  # cannot happen inside our write transaction; kept as the real guard
            return None
        await self._event(payment_id, current.status, target, source, update.message, now)
        return after

    async def _event(
        self,
        payment_id: int,
        from_status: PaymentStatus | None,
        to_status: PaymentStatus,
        source: str,
        detail: str | None,
        at: str | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO payment_events (payment_id, from_status, to_status, source, detail,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                payment_id,
                from_status.value if from_status else None,
                to_status.value,
                source,
                detail,
                at or to_db(self._clock()),
            ),
        )

    async def add_codes(self, payment_id: int, codes: list[str], source: str) -> Payment | None:
        """Give a Woyofal success that was waiting for its code the code (money rule 3:
        SUCCESS is final, but takes its code from whatever brings it later). None when the
        payment is not waiting for a code: nothing changes."""
        current = await self.get(payment_id)
        if current is None or not current.awaiting_code or not codes:
            return None
        now = to_db(self._clock())
        changed = await self._conn.execute(
            "UPDATE payments SET codes = ?, updated_at = ?, next_check_at = NULL"
            " WHERE id = ? AND status = 'success' AND codes IS NULL",
            (json.dumps(codes), now, payment_id),
        )
        if not changed:
            return None
        await self._event(payment_id, current.status, current.status, source, "codes", now)
        return replace(current, codes=list(codes), updated_at=from_db(now), next_check_at=None)

    async def late_success(
        self, payment_id: int, update: ProviderUpdate, source: str
    ) -> Payment | None:
        """DEXCHANGE's SUCCESS for a payment we had ended as FAILED (an admin's release, or
        a refusal DEXCHANGE contradicts): its word wins. Guarded like any transition."""
        current = await self.get(payment_id)
        if current is None or current.status is not PaymentStatus.FAILED:
            return None
        now = to_db(self._clock())
        codes = update.codes or current.codes
        awaiting = current.service is Service.WOYOFAL and not codes
        next_check = to_db(self._clock()) if awaiting else None
        changed = await self._conn.execute(
            "UPDATE payments SET status = 'success', updated_at = ?, completed_at = ?,"
            " codes = coalesce(?, codes), provider_fee = coalesce(?, provider_fee),"
            " provider_tx_id = coalesce(provider_tx_id, ?), next_check_at = ?"
            " WHERE id = ? AND status = 'failed'",
            (
                now,
                now,
                json.dumps(update.codes) if update.codes else None,
                update.fee,
                update.provider_tx_id,
                next_check,
                payment_id,
            ),
        )
        if not changed:
            return None
        await self._event(
            payment_id, PaymentStatus.FAILED, PaymentStatus.SUCCESS, source, "late success", now
        )
        return await self.get(payment_id)

    async def hold(self, payment_id: int, reason: str) -> bool:
        """Never submit this payment again: only DEXCHANGE's word or an admin ends it."""
        changed = await self._conn.execute(
            "UPDATE payments SET on_hold = ? WHERE id = ? AND on_hold IS NULL",
            (reason[:300], payment_id),
        )
        return changed == 1

    async def by_provider_tx_id(self, provider_tx_id: str) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE provider_tx_id = ?" + self._conn.for_update,
            (provider_tx_id,),
        )
        return None if row is None else _payment(row)

    async def note_provider_tx(self, payment_id: int, provider_tx_id: str) -> None:
        await self._conn.execute(
            "UPDATE payments SET provider_tx_id = coalesce(provider_tx_id, ?), updated_at = ?"
            " WHERE id = ?",
            (provider_tx_id, to_db(self._clock()), payment_id),
        )

    async def note_provider_has_it(self, payment_id: int) -> None:
        """DEXCHANGE answered 409 to a retry: it holds this external id; wait for its word."""
        await self._conn.execute(
            "UPDATE payments SET provider_has_it = 1, updated_at = ? WHERE id = ?",
            (to_db(self._clock()), payment_id),
        )

    async def schedule_check(self, payment_id: int, at: datetime | None) -> None:
        """Look at it again at `at`; None stops looking (a code that never came)."""
        await self._conn.execute(
            "UPDATE payments SET next_check_at = ?, checks = checks + 1 WHERE id = ?"
            f" AND (next_check_at IS NOT NULL OR status IN ({placeholders(OPEN_STATUSES)}))",
            (
                None if at is None else to_db(at),
                payment_id,
                *(status.value for status in OPEN_STATUSES),
            ),
        )

    async def flag_attention(self, payment_id: int, reason: str) -> bool:
        """Mark for an admin's eyes, with the reason (each distinct reason is recorded once);
        True the first time the payment is flagged."""
        changed = await self._conn.execute(
            "UPDATE payments SET needs_attention = 1 WHERE id = ? AND needs_attention = 0",
            (payment_id,),
        )
        reason = reason[:300]
        seen = await self._conn.fetch_value(
            "SELECT 1 FROM payment_events WHERE payment_id = ? AND source = 'attention'"
            " AND detail = ?",
            (payment_id, reason),
        )
        if not seen:
            status = await self._conn.fetch_value(
                "SELECT status FROM payments WHERE id = ?", (payment_id,)
            )
            if status is not None:
                current = PaymentStatus(status)
                await self._event(payment_id, current, current, "attention", reason)
        return changed == 1

    async def attention_reasons(self, payment_id: int) -> list[str]:
        rows = await self._conn.fetch_all(
            "SELECT detail FROM payment_events WHERE payment_id = ? AND source = 'attention'"
            " ORDER BY id",
            (payment_id,),
        )
        return [row["detail"] for row in rows if row["detail"]]

    async def due_for_check(self, now: datetime, limit: int = 100) -> list[Payment]:
        """Open payments and Woyofal successes waiting for their code, when due: only they
        keep a next_check_at."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?",
            (to_db(now), limit),
        )
        return [_payment(row) for row in rows]

    async def open_payments(self) -> list[Payment]:
        """Every payment not settled yet: open, or a success still waiting for its code."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE next_check_at IS NOT NULL"
            f" OR status IN ({placeholders(OPEN_STATUSES)}) ORDER BY id",
            tuple(status.value for status in OPEN_STATUSES),
        )
        return [_payment(row) for row in rows]

    async def open_payments_of(self, user_id: int) -> list[Payment]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE user_id = ?"
            f" AND status IN ({placeholders(OPEN_STATUSES)}) ORDER BY id",
            (user_id, *(status.value for status in OPEN_STATUSES)),
        )
        return [_payment(row) for row in rows]

    async def for_user(self, user_id: int, limit: int = 10, offset: int = 0) -> list[Payment]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [_payment(row) for row in rows]

    # --- a user's own payments (history, /find, /last, reports) ------------------------------
    # Every query below is scoped by user id: a user only ever reads their own payments.

    async def get_for_user(self, payment_id: int, user_id: int) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE id = ? AND user_id = ?" + self._conn.for_update,
            (payment_id, user_id),
        )
        return None if row is None else _payment(row)

    async def count_for_user(self, user_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments WHERE user_id = ?", (user_id,)
        )
        return int(value)

    async def count_newer_for_user(self, user_id: int, payment_id: int) -> int:
        """How many of the user's payments come after this one (its place in the history)."""
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments WHERE user_id = ? AND id > ?", (user_id, payment_id)
        )
        return int(value)

    async def find_for_user(
        self, user_id: int, reference: str | None, label: str | None, limit: int = 5
    ) -> list[Payment]:
        """The user's latest payments to `reference`, or whose client label contains `label`
        (spaces ignored, so "77 123 45 67" finds "771234567")."""
        clauses, params = [], []
        if reference is not None:
            clauses.append("reference = ?")
            params.append(reference)
        if label:
            pattern = "".join(label.split()).lower()
            pattern = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("lower(replace(client_label, ' ', '')) LIKE ? ESCAPE '\\'")
            params.append(f"%{pattern}%")
        if not clauses:
            return []
        rows = await self._conn.fetch_all(
            f"SELECT * FROM payments WHERE user_id = ? AND ({' OR '.join(clauses)})"
            " ORDER BY id DESC LIMIT ?",
            (user_id, *params, limit),
        )
        return [_payment(row) for row in rows]

    async def last_with_codes(self, user_id: int) -> Payment | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM payments WHERE user_id = ? AND status = 'success'"
            " AND codes IS NOT NULL ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else _payment(row)

    async def user_totals_between(
        self, user_id: int, start: str, end: str
    ) -> list[tuple[str, int, int, int]]:
        """The user's successful payments completed in [start, end): per service count,
        amount and the fees they were charged (the quote's, or the provider's when lower:
        what the wallet settled)."""
        rows = await self._conn.fetch_all(
            "SELECT service, count(*) AS n, sum(amount) AS amount,"
            " sum(CASE WHEN provider_fee < fee THEN provider_fee ELSE fee END) AS fees"
            " FROM payments"
            " WHERE user_id = ? AND status = 'success' AND completed_at >= ? AND completed_at < ?"
            " GROUP BY service ORDER BY service",
            (user_id, start, end),
        )
        return [(row["service"], row["n"], row["amount"], row["fees"]) for row in rows]

    async def user_failed_between(self, user_id: int, start: str, end: str) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments WHERE user_id = ? AND status = 'failed'"
            " AND completed_at >= ? AND completed_at < ?",
            (user_id, start, end),
        )
        return int(value)

    async def user_open_created_between(self, user_id: int, start: str, end: str) -> int:
        """Payments confirmed in [start, end) and not finished yet: their money is held."""
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments WHERE user_id = ? AND created_at >= ?"
            f" AND created_at < ? AND status IN ({placeholders(OPEN_STATUSES)})",
            (user_id, start, end, *(status.value for status in OPEN_STATUSES)),
        )
        return int(value)

    async def user_created_between(self, user_id: int, start: str, end: str) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments"
            " WHERE user_id = ? AND created_at >= ? AND created_at < ?",
            (user_id, start, end),
        )
        return int(value)

    async def recent_references(self, user_id: int, service: Service, limit: int = 5) -> list[str]:
        rows = await self._conn.fetch_all(
            "SELECT reference FROM payments WHERE user_id = ? AND service = ?"
            " GROUP BY reference ORDER BY max(id) DESC LIMIT ?",
            (user_id, service.value, limit),
        )
        return [row["reference"] for row in rows]

    async def count_by_service_status(self) -> list[tuple[str, str, int]]:
        rows = await self._conn.fetch_all(
            "SELECT service, status, count(*) AS n FROM payments GROUP BY service, status"
        )
        return [(row["service"], row["status"], row["n"]) for row in rows]

    async def totals_between(self, start: str, end: str) -> list[tuple[str, int, int, int]]:
        """Successful payments completed in [start, end): per service count, amount, fees."""
        rows = await self._conn.fetch_all(
            "SELECT service, count(*) AS n, sum(amount) AS amount,"
            " sum(coalesce(provider_fee, fee)) AS fees FROM payments"
            " WHERE status = 'success' AND completed_at >= ? AND completed_at < ?"
            " GROUP BY service ORDER BY service",
            (start, end),
        )
        return [(row["service"], row["n"], row["amount"], row["fees"]) for row in rows]

    async def status_counts_between(self, start: str, end: str) -> dict[str, int]:
        rows = await self._conn.fetch_all(
            "SELECT status, count(*) AS n FROM payments"
            " WHERE created_at >= ? AND created_at < ? GROUP BY status",
            (start, end),
        )
        return {row["status"]: row["n"] for row in rows}

    async def touching_between(self, start: str, end: str) -> list[Payment]:
        """Payments created or completed in [start, end): a day's books."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE (created_at >= ? AND created_at < ?)"
            " OR (completed_at >= ? AND completed_at < ?) ORDER BY id",
            (start, end, start, end),
        )
        return [_payment(row) for row in rows]

    async def attention_count(self) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM payments WHERE needs_attention = 1"
        )
        return int(value)

    async def needing_attention(self, limit: int = 50) -> list[Payment]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM payments WHERE needs_attention = 1 ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_payment(row) for row in rows]

    async def events(self, payment_id: int) -> list[tuple[str | None, str, str]]:
        rows = await self._conn.fetch_all(
            "SELECT from_status, to_status, source FROM payment_events"
            " WHERE payment_id = ? ORDER BY id",
            (payment_id,),
        )
        return [(row["from_status"], row["to_status"], row["source"]) for row in rows]
