"""Raw DEXCHANGE callbacks, append-only."""

from datetime import datetime

from storage.database import Clock, Connection
from storage.timefmt import from_db, to_db


class Callbacks:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def record(
        self, payment_id: int | None, external_id: str, body: str, outcome: str
    ) -> int:
        row_id = await self._conn.insert(
            "INSERT INTO callbacks (payment_id, external_id, body, outcome, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (payment_id, external_id, body, outcome, to_db(self._clock())),
        )
        assert row_id is not None
        return row_id

    async def count(self, payment_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM callbacks WHERE payment_id = ?", (payment_id,)
        )
        return int(value)

    async def for_payment(self, payment_id: int) -> list[tuple[str, str]]:
        """(outcome, raw body) of every stored callback of a payment, oldest first."""
        rows = await self._conn.fetch_all(
            "SELECT outcome, body FROM callbacks WHERE payment_id = ? ORDER BY id", (payment_id,)
        )
        return [(row["outcome"], row["body"]) for row in rows]

    async def received(self, payment_id: int) -> list[tuple[str, str, datetime]]:
        """(outcome, raw body, when received) of every stored callback of a payment."""
        rows = await self._conn.fetch_all(
            "SELECT outcome, body, received_at FROM callbacks WHERE payment_id = ? ORDER BY id",
            (payment_id,),
        )
        return [(row["outcome"], row["body"], from_db(row["received_at"])) for row in rows]
