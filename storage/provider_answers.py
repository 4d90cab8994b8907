"""DEXCHANGE's answers to pay calls and status lookups, stored raw before they are applied.

A pay answer can carry a recharge code: written down in its own transaction first, it
survives whatever goes wrong while it is applied, and the reconciler applies it later.
"""

from dataclasses import dataclass
from datetime import datetime

from storage.database import Clock, Connection, Row
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ProviderAnswer:
    id: int
    payment_id: int
    source: str  # "pay" or "status"
    http_status: int | None
    body: str
    applied: bool
    received_at: datetime


class ProviderAnswers:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def record(self, payment_id: int, source: str, http_status: int | None, body: str) -> int:
        row_id = await self._conn.insert(
            "INSERT INTO provider_answers (payment_id, source, http_status, body, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (payment_id, source, http_status, body, to_db(self._clock())),
        )
        assert row_id is not None
        return row_id

    async def mark_applied(self, answer_id: int) -> None:
        await self._conn.execute(
            "UPDATE provider_answers SET applied = 1 WHERE id = ?", (answer_id,)
        )

    async def unapplied(self, payment_id: int) -> list[ProviderAnswer]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM provider_answers WHERE payment_id = ? AND applied = 0 ORDER BY id",
            (payment_id,),
        )
        return [_answer(row) for row in rows]

    async def for_payment(self, payment_id: int) -> list[ProviderAnswer]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM provider_answers WHERE payment_id = ? ORDER BY id", (payment_id,)
        )
        return [_answer(row) for row in rows]


def _answer(row: Row) -> ProviderAnswer:
    return ProviderAnswer(
        id=row["id"],
        payment_id=row["payment_id"],
        source=row["source"],
        http_status=row["http_status"],
        body=row["body"],
        applied=bool(row["applied"]),
        received_at=from_db(row["received_at"]),
    )
