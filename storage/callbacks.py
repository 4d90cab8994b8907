"""Raw DEXCHANGE callbacks, append-only."""

from storage.database import Clock, Connection
from storage.timefmt import to_db


class Callbacks:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def record(self, payment_id: int | None, external_id: str, body: str) -> int:
        row_id = await self._conn.insert(
            "INSERT INTO callbacks (payment_id, external_id, body, outcome, received_at)"
            " VALUES (?, ?, ?, 'received', ?)",
            (payment_id, external_id, body, to_db(self._clock())),
        )
        assert row_id is not None
        return row_id

    async def set_outcome(self, callback_id: int, outcome: str) -> None:
        # The raw body never changes; only the verdict is filled in, in the same transaction.
        await self._conn.execute(
            "UPDATE callbacks SET outcome = ? WHERE id = ?", (outcome, callback_id)
        )

    async def count(self, payment_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM callbacks WHERE payment_id = ?", (payment_id,)
        )
        return int(value)
