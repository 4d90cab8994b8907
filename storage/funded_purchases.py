"""Purchases waiting for the collection that funds them ("pay the rest", migration 0008)."""

import json

from storage.database import Clock, Connection, Row
from storage.models import PURCHASE_ALLOWED_FROM, FundedPurchase, PurchaseState
from storage.timefmt import from_db, to_db


def _purchase(row: Row) -> FundedPurchase:
    return FundedPurchase(
        collection_id=row["collection_id"],
        user_id=row["user_id"],
        quote=json.loads(row["quote"]),
        client_label=row["client_label"],
        state=PurchaseState(row["state"]),
        payment_id=row["payment_id"],
        detail=row["detail"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


class FundedPurchases:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def add(
        self, collection_id: int, user_id: int, quote: dict[str, object], label: str | None
    ) -> None:
        """With the collection, in its transaction: the purchase it funds, WAITING."""
        now = to_db(self._clock())
        await self._conn.execute(  # keyed by its collection: no row id to return
            "INSERT INTO funded_purchases (collection_id, user_id, quote, client_label, state,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (collection_id) DO NOTHING",
            (
                collection_id,
                user_id,
                json.dumps(quote, sort_keys=True),
                label,
                PurchaseState.WAITING.value,
                now,
                now,
            ),
        )

    async def get(self, collection_id: int) -> FundedPurchase | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM funded_purchases WHERE collection_id = ?", (collection_id,)
        )
        return None if row is None else _purchase(row)

    async def move(
        self,
        collection_id: int,
        target: PurchaseState,
        *,
        payment_id: int | None = None,
        detail: str | None = None,
    ) -> bool:
        """Move to `target` from a state allowed before it; False when it was not there (a
        second process, or a second pass, got there first)."""
        allowed = sorted(state.value for state in PURCHASE_ALLOWED_FROM[target])
        if not allowed:
            return False
        marks = ", ".join("?" for _ in allowed)
        changed = await self._conn.execute(
            "UPDATE funded_purchases SET state = ?, payment_id = ?, detail = ?, updated_at = ?"
            f" WHERE collection_id = ? AND state IN ({marks})",
            (
                target.value,
                payment_id,
                detail[:300] if detail else None,
                to_db(self._clock()),
                collection_id,
                *allowed,
            ),
        )
        return changed == 1

    async def due(self, limit: int = 50) -> list[FundedPurchase]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM funded_purchases WHERE state = 'due' ORDER BY collection_id LIMIT ?",
            (limit,),
        )
        return [_purchase(row) for row in rows]
