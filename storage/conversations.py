"""Conversation state, one row per user, committed at every step."""

import json
from typing import Any

from storage.database import Clock, Connection
from storage.models import Conversation
from storage.timefmt import from_db, to_db


class Conversations:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def get(self, user_id: int) -> Conversation | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM conversations WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return Conversation(
            user_id=row["user_id"],
            state=row["state"],
            data=json.loads(row["data"]),
            token=row["token"],
            updated_at=from_db(row["updated_at"]),
        )

    async def save(self, user_id: int, state: str, data: dict[str, Any], token: str) -> None:
        await self._conn.execute(
            "INSERT INTO conversations (user_id, state, data, token, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " state = excluded.state, data = excluded.data, token = excluded.token,"
            " updated_at = excluded.updated_at",
            (user_id, state, json.dumps(data, ensure_ascii=False), token, to_db(self._clock())),
        )
