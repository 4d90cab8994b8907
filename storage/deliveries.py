"""What a channel that reports on its messages (WhatsApp) said about each send of an outbox
message: accepted when the send call answered, then sent, delivered, read, or failed with a
code. Statuses come twice and out of order: a status never goes back."""

from dataclasses import dataclass
from datetime import datetime

from storage.database import Clock, Connection, Row, placeholders
from storage.timefmt import from_db, to_db

# Later statuses win; `failed` replaces anything but `delivered` and `read` (a message
# WhatsApp delivered was delivered, whatever comes after).
RANK = {"accepted": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}


@dataclass(frozen=True)
class Delivery:
    id: int
    outbox_id: int
    part: int
    channel: str
    channel_message_id: str
    as_template: bool
    status: str
    error_code: int | None
    created_at: datetime
    updated_at: datetime


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=row["id"],
        outbox_id=row["outbox_id"],
        part=row["part"],
        channel=row["channel"],
        channel_message_id=row["channel_message_id"],
        as_template=bool(row["as_template"]),
        status=row["status"],
        error_code=row["error_code"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


@dataclass(frozen=True)
class MessageState:
    """Where a payment's latest message to its user stands (a receipt aside): the outbox's
    word (pending, sent, dead, undeliverable), then the channel's when it reports one."""

    outbox_status: str
    delivery: str | None  # accepted … read, failed; None: the channel says nothing more
    error_code: int | None

    @property
    def word(self) -> str:
        """pending, dead, undeliverable; else the channel's last word, or sent."""
        if self.outbox_status != "sent":
            return self.outbox_status
        return self.delivery or "sent"


class Deliveries:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def record(
        self,
        outbox_id: int,
        channel: str,
        channel_message_id: str,
        *,
        as_template: bool,
        part: int = 0,
    ) -> int | None:
        """A send the channel accepted (`part`: which message of the reply); None when this
        outbox message already went out as its template (it goes so at most once)."""
        now = to_db(self._clock())
        return await self._conn.insert(
            "INSERT INTO deliveries (outbox_id, part, channel, channel_message_id,"
            " as_template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (outbox_id, part, channel, channel_message_id, 1 if as_template else 0, now, now),
        )

    async def parts_on_their_way(self, outbox_id: int) -> set[int]:
        """The parts of a reply whose latest free-form send did not fail: not sent again."""
        rows = await self._conn.fetch_all(
            "SELECT d.part FROM deliveries d WHERE d.outbox_id = ? AND d.as_template = 0"
            " AND d.status != 'failed' AND d.id = (SELECT max(e.id) FROM deliveries e"
            " WHERE e.outbox_id = d.outbox_id AND e.part = d.part AND e.as_template = 0)",
            (outbox_id,),
        )
        return {row["part"] for row in rows}

    async def template_sent(self, outbox_id: int) -> bool:
        """Whether the message went as its template already, and that did not fail: a
        template goes at most once."""
        value = await self._conn.fetch_value(
            "SELECT 1 FROM deliveries WHERE outbox_id = ? AND as_template = 1"
            " AND status != 'failed'",
            (outbox_id,),
        )
        return value is not None

    async def failures_to_act_on(self, limit: int = 100) -> list[Delivery]:
        """Failures reported and not acted on yet, whose message the notifier marked sent
        (one still being sent is acted on at a later look)."""
        rows = await self._conn.fetch_all(
            "SELECT d.* FROM deliveries d JOIN outbox o ON o.id = d.outbox_id"
            " WHERE d.status = 'failed' AND d.acted = 0 AND o.status != 'pending'"
            " ORDER BY d.id LIMIT ?",
            (limit,),
        )
        return [_delivery(row) for row in rows]

    async def mark_acted(self, delivery_id: int) -> None:
        await self._conn.execute("UPDATE deliveries SET acted = 1 WHERE id = ?", (delivery_id,))

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

    async def of_payments(self, payment_ids: list[int]) -> dict[int, MessageState]:
        """For each payment, where its latest message (code, result, notice of a change;
        not the receipt) stands: "delivered" only when the channel said so."""
        if not payment_ids:
            return {}
        rows = await self._conn.fetch_all(
            "SELECT o.payment_id, o.status, d.status AS delivery, d.error_code FROM outbox o"
            " LEFT JOIN deliveries d ON d.id ="
            " (SELECT max(id) FROM deliveries WHERE outbox_id = o.id)"
            " WHERE o.id IN (SELECT max(id) FROM outbox WHERE payment_id IN"
            f" ({placeholders(payment_ids)}) AND kind != 'receipt' GROUP BY payment_id)",
            tuple(payment_ids),
        )
        return {
            row["payment_id"]: MessageState(row["status"], row["delivery"], row["error_code"])
            for row in rows
        }

    async def counts(self) -> list[tuple[str, str, int]]:
        rows = await self._conn.fetch_all(
            "SELECT channel, status, count(*) AS n FROM deliveries GROUP BY channel, status"
        )
        return [(row["channel"], row["status"], row["n"]) for row in rows]
