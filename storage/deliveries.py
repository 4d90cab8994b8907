"""What a channel that reports on its messages (WhatsApp) said about each send of an outbox
message: accepted when the send call answered, then sent, delivered, read, or failed with a
code. Statuses come twice and out of order: a status never goes back."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.database import Clock, Connection
from storage.timefmt import from_db, to_db

# Later statuses win; `failed` replaces anything but `delivered` and `read` (a message
# WhatsApp delivered was delivered, whatever comes after).
RANK = {"accepted": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}


@dataclass(frozen=True)
class Delivery:
    id: int
    outbox_id: int
    channel: str
    channel_message_id: str
    as_template: bool
    status: str
    error_code: int | None
    created_at: datetime
    updated_at: datetime


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        outbox_id=row["outbox_id"],
        channel=row["channel"],
        channel_message_id=row["channel_message_id"],
        as_template=bool(row["as_template"]),
        status=row["status"],
        error_code=row["error_code"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


class Deliveries:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def record(
        self, outbox_id: int, channel: str, channel_message_id: str, *, as_template: bool
    ) -> int | None:
        """A send the channel accepted; None when this outbox message already went out as
        its template (it goes so at most once)."""
        now = to_db(self._clock())
        return await self._conn.insert(
            "INSERT INTO deliveries (outbox_id, channel, channel_message_id, as_template,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (outbox_id, channel, channel_message_id, 1 if as_template else 0, now, now),
        )

    async def report(
        self, channel: str, channel_message_id: str, status: str, error_code: int | None
    ) -> tuple[Delivery, Delivery] | None:
        """Apply a status the channel reported: (before, after) when it moved the delivery
        forward, None when it was ours to ignore (unknown message, a repeat, an older one)."""
        if status not in RANK:
            return None
        row = await self._conn.fetch_one(
            "SELECT * FROM deliveries WHERE channel = ? AND channel_message_id = ?",
            (channel, channel_message_id),
        )
        if row is None:
            return None
        before = _delivery(row)
        if RANK[status] <= RANK[before.status]:
            return None
        now = to_db(self._clock())
        await self._conn.execute(
            "UPDATE deliveries SET status = ?, error_code = ?, updated_at = ?"
            " WHERE id = ? AND status = ?",
            (status, error_code, now, before.id, before.status),
        )
        after = Delivery(**{**before.__dict__, "status": status, "error_code": error_code})
        return before, after

    async def for_outbox(self, outbox_id: int) -> list[Delivery]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM deliveries WHERE outbox_id = ? ORDER BY id", (outbox_id,)
        )
        return [_delivery(row) for row in rows]

    async def by_message_id(self, channel: str, channel_message_id: str) -> Delivery | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM deliveries WHERE channel = ? AND channel_message_id = ?",
            (channel, channel_message_id),
        )
        return None if row is None else _delivery(row)
