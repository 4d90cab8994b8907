"""The durable outbox: messages a user must get (money rule 4)."""

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Clock, Connection, Row, lock_user
from storage.models import OutboxKind, OutboxMessage, OutboxStatus
from storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class DeadLetter:
    """A message set aside for admins (OutboxStatus.DEAD) and the error that stopped it."""

    message: OutboxMessage
    error: str


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        user_id=row["user_id"],
        payment_id=row["payment_id"],
        kind=OutboxKind(row["kind"]),
        payload=json.loads(row["payload"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=from_db(row["next_attempt_at"]),
        created_at=from_db(row["created_at"]),
        sent_at=from_db_optional(row["sent_at"]),
        send_as=row["send_as"],
    )


class Outbox:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def add(
        self,
        user_id: int,
        kind: OutboxKind,
        payload: dict[str, Any] | None = None,
        payment_id: int | None = None,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> int | None:
        """Queue a message; None when a message with the same dedupe key exists already.

        Money messages are keyed by payment and kind, so a repeated status change or a
        replayed callback can never queue the same message twice. `not_before` holds the
        message back until then (messages queued after it for the same user wait too).
        """
        if dedupe_key is None and payment_id is not None:
            dedupe_key = f"payment:{payment_id}:{kind.value}"
        moment = self._clock()
        now = to_db(moment)
        due = to_db(max(moment, not_before)) if not_before is not None else now
        await lock_user(self._conn, user_id)  # per-user order = id order = commit order
        return await self._conn.insert(
            "INSERT INTO outbox (user_id, payment_id, kind, payload, dedupe_key,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING",
            (
                user_id,
                payment_id,
                kind.value,
                json.dumps(payload or {}, ensure_ascii=False),
                dedupe_key,
                due,
                now,
            ),
        )

    async def supersede(self, payment_id: int, kind: OutboxKind) -> int:
        """Drop a payment's message of this kind if it has not gone out yet."""
        return await self._conn.execute(
            "UPDATE outbox SET status = 'superseded'"
            " WHERE payment_id = ? AND kind = ? AND status = 'pending'",
            (payment_id, kind.value),
        )

    async def exists(self, dedupe_key: str) -> bool:
        value = await self._conn.fetch_value(
            "SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)
        )
        return value is not None

    async def heads_due(
        self,
        now: datetime,
        limit: int = 200,
        skip_users: Collection[int] = (),
        channel: str | None = None,
    ) -> list[OutboxMessage]:
        """The oldest pending message of each user (of `channel`'s users, when given), when
        it is due: order per user holds. `skip_users`: users whose head is being delivered
        already."""
        rows = await self._conn.fetch_all(
            "SELECT o.* FROM outbox o"
            " WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
            " AND o.id = (SELECT min(h.id) FROM outbox h"
            "             WHERE h.user_id = o.user_id AND h.status = 'pending')"
            + (" AND o.user_id IN (SELECT id FROM users WHERE channel = ?)" if channel else "")
            + " ORDER BY o.id LIMIT ?",
            # The users skipped are left out here rather than in SQL: one statement text
            # whatever their number, on both backends.
            (to_db(now), *((channel,) if channel else ()), limit + len(skip_users)),
        )
        heads = [_message(row) for row in rows if row["user_id"] not in skip_users]
        return heads[:limit]

    async def next_due_at(self, channel: str | None = None) -> datetime | None:
        value = await self._conn.fetch_value(
            "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'"
            + (" AND user_id IN (SELECT id FROM users WHERE channel = ?)" if channel else ""),
            (channel,) if channel else (),
        )
        return None if value is None else from_db(value)

    async def requeue(
        self, message_id: int, at: datetime, error: str, *, as_template: bool = False
    ) -> bool:
        """A message the channel accepted and later reported failed, to go again at `at`
        (as its template when `as_template`). False when it is not a sent message, or was
        already made a template."""
        changed = await self._conn.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?,"
            " send_as = CASE WHEN ? THEN 'template' ELSE send_as END"
            " WHERE id = ? AND status = 'sent' AND (NOT ? OR send_as IS NULL)",
            (to_db(at), error[:500], as_template, message_id, as_template),
        )
        return changed == 1

    async def set_aside(self, message_id: int, status: str, error: str) -> bool:
        """A sent message the channel reported it could never deliver: 'undeliverable'
        (the recipient) or 'dead' (the message), for admins."""
        changed = await self._conn.execute(
            "UPDATE outbox SET status = ?, last_error = ? WHERE id = ? AND status = 'sent'",
            (status, error[:500], message_id),
        )
        return changed == 1

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = await self._conn.fetch_one("SELECT * FROM outbox WHERE id = ?", (message_id,))
        return None if row is None else _message(row)

    async def mark_sent(self, message_id: int) -> None:
        await self._conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE id = ? AND status = 'pending'",
            (to_db(self._clock()), message_id),
        )

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        await self._conn.execute(
            "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?"
            " WHERE id = ? AND status = 'pending'",
            (to_db(at), error[:500], message_id),
        )

    async def mark_dead(self, message_id: int, error: str) -> None:
        """This message can never go out as it is (it cannot be rendered, or the channel
        refused it as malformed): set it aside for admins, so the user's next ones flow."""
        await self._conn.execute(
            "UPDATE outbox SET status = 'dead', last_error = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            (error[:500], message_id),
        )

    async def dead_count(self) -> int:
        value = await self._conn.fetch_value("SELECT count(*) FROM outbox WHERE status = 'dead'")
        return int(value)

    async def dead_letters(self, limit: int = 50) -> list[DeadLetter]:
        """The dead messages, newest first, with why each could not go out."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [DeadLetter(_message(row), row["last_error"] or "") for row in rows]

    async def mark_undeliverable_for_user(self, user_id: int, error: str) -> int:
        """The user blocked us: keep their messages for admins, stop trying."""
        return await self._conn.execute(
            "UPDATE outbox SET status = 'undeliverable', last_error = ?, attempts = attempts + 1"
            " WHERE user_id = ? AND status = 'pending'",
            (error[:500], user_id),
        )

    async def pending_count(self) -> int:
        value = await self._conn.fetch_value("SELECT count(*) FROM outbox WHERE status = 'pending'")
        return int(value)

    async def for_payment(self, payment_id: int) -> list[OutboxMessage]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM outbox WHERE payment_id = ? ORDER BY id", (payment_id,)
        )
        return [_message(row) for row in rows]

    async def for_user(self, user_id: int) -> list[OutboxMessage]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM outbox WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [_message(row) for row in rows]
