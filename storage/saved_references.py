"""Meters and bill references users saved under a nickname ("Maison", "Boutique").

Every query is scoped by user id: a user only ever reads or changes their own.
"""

from storage.database import Clock, Connection, Row
from storage.models import SavedReference, Service
from storage.timefmt import to_db

_USES = (
    "(SELECT count(*) FROM payments p WHERE p.user_id = s.user_id"
    " AND p.service = s.service AND p.reference = s.reference)"
)
_LAST_USE = (
    "(SELECT max(p.id) FROM payments p WHERE p.user_id = s.user_id"
    " AND p.service = s.service AND p.reference = s.reference)"
)


def _saved(row: Row) -> SavedReference:
    keys = row.keys()
    return SavedReference(
        id=row["id"],
        user_id=row["user_id"],
        service=Service(row["service"]),
        reference=row["reference"],
        nickname=row["nickname"],
        uses=row["uses"] if "uses" in keys else 0,
    )


class SavedReferences:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def add(
        self, user_id: int, service: Service, reference: str
    ) -> tuple[SavedReference, bool]:
        """Save (user, service, reference) unless saved already; (saved, created).

        Two statements: run it inside `Storage.transaction()`.
        """
        now = to_db(self._clock())
        row_id = await self._conn.insert(
            "INSERT INTO saved_references (user_id, service, reference, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, service, reference) DO NOTHING",
            (user_id, service.value, reference, now, now),
        )
        saved = await self.find(user_id, service, reference)
        assert saved is not None
        return saved, row_id is not None

    async def get(self, user_id: int, saved_id: int) -> SavedReference | None:
        row = await self._conn.fetch_one(
            f"SELECT s.*, {_USES} AS uses FROM saved_references s WHERE s.id = ? AND s.user_id = ?",
            (saved_id, user_id),
        )
        return None if row is None else _saved(row)

    async def find(self, user_id: int, service: Service, reference: str) -> SavedReference | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM saved_references WHERE user_id = ? AND service = ? AND reference = ?",
            (user_id, service.value, reference),
        )
        return None if row is None else _saved(row)

    async def count(self, user_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT count(*) FROM saved_references WHERE user_id = ?", (user_id,)
        )
        return int(value)

    async def for_user(self, user_id: int) -> list[SavedReference]:
        """All of the user's saved references, the most used first."""
        rows = await self._conn.fetch_all(
            f"SELECT s.*, {_USES} AS uses, {_LAST_USE} AS last_use FROM saved_references s"
            " WHERE s.user_id = ? ORDER BY uses DESC, last_use DESC, s.id DESC",
            (user_id,),
        )
        return [_saved(row) for row in rows]

    async def most_used(self, user_id: int, service: Service, limit: int) -> list[SavedReference]:
        """The user's saved references of one service, the most used first, then the latest."""
        rows = await self._conn.fetch_all(
            f"SELECT s.*, {_USES} AS uses, {_LAST_USE} AS last_use FROM saved_references s"
            " WHERE s.user_id = ? AND s.service = ?"
            " ORDER BY uses DESC, last_use DESC, s.id DESC LIMIT ?",
            (user_id, service.value, limit),
        )
        return [_saved(row) for row in rows]

    async def nickname_taken(
        self, user_id: int, service: Service, nickname: str, other_than: int
    ) -> bool:
        """Whether another of the user's references of this service has this nickname
        (compared case-insensitively, accents included)."""
        rows = await self._conn.fetch_all(
            "SELECT nickname FROM saved_references WHERE user_id = ? AND service = ?"
            " AND id != ? AND nickname IS NOT NULL",
            (user_id, service.value, other_than),
        )
        wanted = nickname.casefold()
        return any(row["nickname"].casefold() == wanted for row in rows)

    async def rename(self, user_id: int, saved_id: int, nickname: str | None) -> bool:
        changed = await self._conn.execute(
            "UPDATE saved_references SET nickname = ?, updated_at = ? WHERE id = ? AND user_id = ?",
            (nickname, to_db(self._clock()), saved_id, user_id),
        )
        return changed == 1

    async def delete(self, user_id: int, saved_id: int) -> bool:
        changed = await self._conn.execute(
            "DELETE FROM saved_references WHERE id = ? AND user_id = ?", (saved_id, user_id)
        )
        return changed == 1
