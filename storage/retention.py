"""Codes past their retention: taken out of payments and raw DEXCHANGE bodies (issue 12,
item 7).

Each method handles one batch in the caller's transaction and says where the next batch
starts, so a purge of a large database is many short transactions that other writers slip
between. Every step is idempotent: running it again changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from storage.codes import expired_code, mask_codes, redact_body
from storage.database import Clock, Connection, placeholders
from storage.timefmt import to_db

# The tables of raw DEXCHANGE bodies, each with its `received_at`.
RAW_TABLES = ("callbacks", "provider_answers")


@dataclass(frozen=True)
class Batch:
    changed: int  # rows rewritten
    reached: int  # every row up to this id has been looked at: the next batch starts after it
    done: bool  # nothing left to look at (for now)


class Retention:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def expire_codes(self, cutoff: datetime, after_id: int, limit: int = 200) -> Batch:
        """Payments completed before `cutoff`: each code becomes EXPIRED:<last four digits>,
        and code-like runs in the provider's message and the payment's events are masked."""
        rows = await self._conn.fetch_all(
            "SELECT id, codes, provider_message FROM payments"
            " WHERE id > ? AND codes IS NOT NULL AND completed_at < ?"
            " AND codes NOT LIKE '[\"EXPIRED:%' ORDER BY id LIMIT ?",
            (after_id, to_db(cutoff), limit),
        )
        changed = []
        for row in rows:
            codes: list[str] = json.loads(row["codes"])
            expired = [expired_code(code) for code in codes]
            message = row["provider_message"]
            cleaned = mask_codes(message) if message else message
            if expired == codes and cleaned == message:
                continue
            await self._conn.execute(
                "UPDATE payments SET codes = ?, provider_message = ? WHERE id = ?",
                (json.dumps(expired), cleaned, row["id"]),
            )
            changed.append(row["id"])
        if changed:
            await self._mask_event_details(changed)
        reached = rows[-1]["id"] if rows else after_id
        return Batch(len(changed), reached, len(rows) < limit)

    async def _mask_event_details(self, payment_ids: list[int]) -> None:
        events = await self._conn.fetch_all(
            "SELECT id, detail FROM payment_events WHERE detail IS NOT NULL"
            f" AND payment_id IN ({placeholders(payment_ids)})",
            tuple(payment_ids),
        )
        for event in events:
            cleaned = mask_codes(event["detail"])
            if cleaned != event["detail"]:
                await self._conn.execute(
                    "UPDATE payment_events SET detail = ? WHERE id = ?", (cleaned, event["id"])
                )

    async def redact_bodies(
        self, table: str, cutoff: datetime, after_id: int, limit: int = 200
    ) -> Batch:
        """Raw bodies received before `cutoff`, in id order: their codes taken out (see
        `redact_body`). Ids grow with time, so the walk stops at the first row still young;
        `reached` never passes it, so a caller that starts its next run after `reached`
        reads no row twice and misses none."""
        if table not in RAW_TABLES:
            raise ValueError(f"not a table of raw bodies: {table}")
        rows = await self._conn.fetch_all(
            f"SELECT id, body, received_at < ? AS old FROM {table}"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (to_db(cutoff), after_id, limit),
        )
        changed = 0
        reached = after_id
        for row in rows:
            if not row["old"]:
                return Batch(changed, reached, True)
            redacted = redact_body(row["body"])
            if redacted != row["body"]:
                await self._conn.execute(
                    f"UPDATE {table} SET body = ? WHERE id = ?", (redacted, row["id"])
                )
                changed += 1
            reached = row["id"]
        return Batch(changed, reached, len(rows) < limit)
