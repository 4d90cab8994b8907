"""What users send through a webhook (WhatsApp, Telegram), stored before the 200 is answered
and handled afterwards: per user one at a time, in order; deduplicated by the channel's
message id, also across restarts. Bodies we cannot read are kept whole for an admin.

Several processes share the inbox: a process takes a user's head message with a lease
(`claim`), and another process leaves that user alone until the message is done or the
lease has run out (its holder died).
"""

import json
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from storage.database import Clock, Connection, Row
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class InboxMessage:
    id: int
    channel: str
    message_id: str
    user_id: int
    payload: dict[str, Any]
    attempts: int
    received_at: datetime


@dataclass(frozen=True)
class WebhookReject:
    id: int
    channel: str
    body: str
    reason: str
    received_at: datetime


def _message(row: Row) -> InboxMessage:
    return InboxMessage(
        id=row["id"],
        channel=row["channel"],
        message_id=row["message_id"],
        user_id=row["user_id"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        received_at=from_db(row["received_at"]),
    )


class Inbox:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def store(
        self, channel: str, message_id: str, user_id: int, payload: dict[str, Any]
    ) -> int | None:
        """Keep a message to handle; None when this message id was stored before."""
        return await self._conn.insert(
            "INSERT INTO inbox (channel, message_id, user_id, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, message_id) DO NOTHING",
            (
                channel,
                message_id,
                user_id,
                json.dumps(payload, ensure_ascii=False),
                to_db(self._clock()),
            ),
        )

    async def heads(
        self, channel: str, limit: int = 100, skip_users: Collection[int] = ()
    ) -> list[InboxMessage]:
        """The oldest pending message of each user: the one to handle next, in order."""
        rows = await self._conn.fetch_all(
            "SELECT i.* FROM inbox i WHERE i.channel = ? AND i.status = 'pending'"
            " AND i.id = (SELECT min(h.id) FROM inbox h"
            "             WHERE h.user_id = i.user_id AND h.status = 'pending')"
            " ORDER BY i.id LIMIT ?",
            (channel, limit + len(skip_users)),
        )
        heads = [_message(row) for row in rows if row["user_id"] not in skip_users]
        return heads[:limit]

    async def claimable(self, channel: str) -> bool:
        """Whether some head message nobody holds waits (a look without a transaction,
        before `claim`)."""
        value = await self._conn.fetch_value(
            "SELECT 1 FROM inbox i WHERE i.channel = ? AND i.status = 'pending'"
            " AND i.id = (SELECT min(h.id) FROM inbox h"
            "             WHERE h.user_id = i.user_id AND h.status = 'pending')"
            " AND (i.claimed_until IS NULL OR i.claimed_until <= ?) LIMIT 1",
            (channel, to_db(self._clock())),
        )
        return value is not None

    async def claim(
        self,
        channel: str,
        claimant: str,
        lease: timedelta,
        limit: int,
        skip_users: Collection[int] = (),
    ) -> list[InboxMessage]:
        """Take the head message of up to `limit` users whose head nobody holds (no lease,
        or one that has run out), leased to `claimant`; each claim counts an attempt (the
        messages returned carry it). Run it in a transaction: on PostgreSQL the heads are
        locked, and those another process is claiming at this moment are skipped."""
        now = self._clock()
        rows = await self._conn.fetch_all(
            "SELECT i.* FROM inbox i WHERE i.channel = ? AND i.status = 'pending'"
            " AND i.id = (SELECT min(h.id) FROM inbox h"
            "             WHERE h.user_id = i.user_id AND h.status = 'pending')"
            " AND (i.claimed_until IS NULL OR i.claimed_until <= ?)"
            " ORDER BY i.id LIMIT ?" + self._conn.skip_locked,
            (channel, to_db(now), limit + len(skip_users)),
        )
        heads = [_message(row) for row in rows if row["user_id"] not in skip_users][:limit]
        if not heads:
            return []
        marks = ", ".join("?" for _ in heads)
        await self._conn.execute(
            "UPDATE inbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1"
            f" WHERE id IN ({marks})",
            (claimant, to_db(now + lease), *(head.id for head in heads)),
        )
        return [replace(head, attempts=head.attempts + 1) for head in heads]

    async def renew(self, inbox_ids: Collection[int], claimant: str, lease: timedelta) -> int:
        """Extend the leases `claimant` still holds (a message that takes long to handle
        is not taken over); returns how many it held."""
        if not inbox_ids:
            return 0
        marks = ", ".join("?" for _ in inbox_ids)
        return await self._conn.execute(
            "UPDATE inbox SET claimed_until = ?"
            f" WHERE claimed_by = ? AND status = 'pending' AND id IN ({marks})",
            (to_db(self._clock() + lease), claimant, *inbox_ids),
        )

    async def finish(self, inbox_id: int, claimant: str, status: str = "handled") -> bool:
        """Mark a claimed message 'handled' (or 'failed': set aside); False when the lease
        was lost meanwhile (another process took the message over)."""
        changed = await self._conn.execute(
            "UPDATE inbox SET status = ?, handled_at = ?, claimed_until = NULL"
            " WHERE id = ? AND claimed_by = ? AND status = 'pending'",
            (status, to_db(self._clock()), inbox_id, claimant),
        )
        return changed > 0

    async def release(self, inbox_id: int, claimant: str, retry_at: datetime | None) -> None:
        """Give a claimed message back: to be taken again from `retry_at` (after a failure),
        or at once (None: a clean stop)."""
        await self._conn.execute(
            "UPDATE inbox SET claimed_by = NULL, claimed_until = ?"
            " WHERE id = ? AND claimed_by = ? AND status = 'pending'",
            (None if retry_at is None else to_db(retry_at), inbox_id, claimant),
        )

    async def mark_handled(self, inbox_id: int) -> None:
        await self._conn.execute(
            "UPDATE inbox SET status = 'handled', handled_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            (to_db(self._clock()), inbox_id),
        )

    async def mark_failed(self, inbox_id: int) -> None:
        """Handling it kept failing: set aside, so the user's next messages go on."""
        await self._conn.execute(
            "UPDATE inbox SET status = 'failed', handled_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            (to_db(self._clock()), inbox_id),
        )

    async def count_attempt(self, inbox_id: int) -> None:
        await self._conn.execute(
            "UPDATE inbox SET attempts = attempts + 1 WHERE id = ?", (inbox_id,)
        )

    async def pending_count(self, channel: str) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM inbox WHERE channel = ? AND status = 'pending'", (channel,)
        )
        return int(value)

    async def exists(self, channel: str, message_id: str) -> bool:
        value = await self._conn.fetch_value(
            "SELECT 1 FROM inbox WHERE channel = ? AND message_id = ?", (channel, message_id)
        )
        return value is not None

    # --- bodies we could not read ---------------------------------------------------------

    async def reject(self, channel: str, body: str, reason: str) -> int:
        row_id = await self._conn.insert(
            "INSERT INTO webhook_rejects (channel, body, reason, received_at) VALUES (?, ?, ?, ?)",
            (channel, body, reason[:500], to_db(self._clock())),
        )
        assert row_id is not None
        return row_id

    async def rejects_count(self) -> int:
        return int(await self._conn.fetch_value("SELECT count(*) FROM webhook_rejects"))

    async def rejects(self, limit: int = 20) -> list[WebhookReject]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM webhook_rejects ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [
            WebhookReject(
                row["id"], row["channel"], row["body"], row["reason"], from_db(row["received_at"])
            )
            for row in rows
        ]
