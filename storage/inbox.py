"""What users send through a webhook (WhatsApp), stored before the 200 is answered and
handled afterwards: per user one at a time, in order; deduplicated by the channel's message
id, also across restarts. Bodies we cannot read are kept whole for an admin."""

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
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
