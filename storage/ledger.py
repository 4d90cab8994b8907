"""The wallet ledger (money rule 7): every movement is an entry, balances are their sum."""

from storage.database import Clock, Connection, Row, lock_user
from storage.models import LedgerEntry, LedgerKind
from storage.timefmt import from_db, to_db


class InsufficientBalance(Exception):
    """The entry would take the balance below zero; nothing was written."""

    def __init__(self, balance: int, needed: int) -> None:
        super().__init__(f"balance {balance} below {needed}")
        self.balance = balance
        self.needed = needed


def _entry(row: Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        user_id=row["user_id"],
        kind=LedgerKind(row["kind"]),
        amount=row["amount"],
        balance_after=row["balance_after"],
        payment_id=row["payment_id"],
        actor=row["actor"],
        note=row["note"],
        created_at=from_db(row["created_at"]),
        collection_id=row["collection_id"],
    )


class Ledger:
    """Use inside `Storage.transaction()`: the balance read and the entry written belong
    together, and the write lock keeps two payments of one user from reading the same
    balance."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def balance(self, user_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT balance_after FROM ledger WHERE user_id = ? ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return int(value or 0)

    async def sum_of_entries(self, user_id: int) -> int:
        value = await self._conn.fetch_value(
            "SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = ?", (user_id,)
        )
        return int(value)

    async def add(
        self,
        user_id: int,
        kind: LedgerKind,
        amount: int,
        *,
        actor: str,
        note: str | None = None,
        payment_id: int | None = None,
        collection_id: int | None = None,
    ) -> LedgerEntry | None:
        """Append an entry; None when this payment (or collection) already has one of this
        kind: a collection is credited exactly once (the table refuses a second one too).

        Raises InsufficientBalance instead of letting the balance go below zero (the table
        refuses it too, by constraint).
        """
        if payment_id is not None:
            existing = await self.for_payment(payment_id, kind)
            if existing is not None:
                return None
        if collection_id is not None and await self.for_collection(collection_id, kind) is not None:
            return None
        await lock_user(self._conn, user_id)  # the head read next stays the head until commit
        balance = await self.balance(user_id)
        if balance + amount < 0:
            raise InsufficientBalance(balance, -amount)
        row_id = await self._conn.insert(
            "INSERT INTO ledger (user_id, kind, amount, balance_after, payment_id, actor,"
            " note, created_at, collection_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                kind.value,
                amount,
                balance + amount,
                payment_id,
                actor,
                note,
                to_db(self._clock()),
                collection_id,
            ),
        )
        assert row_id is not None
        row = await self._conn.fetch_one("SELECT * FROM ledger WHERE id = ?", (row_id,))
        assert row is not None
        return _entry(row)

    async def for_payment(self, payment_id: int, kind: LedgerKind) -> LedgerEntry | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM ledger WHERE payment_id = ? AND kind = ?", (payment_id, kind.value)
        )
        return None if row is None else _entry(row)

    async def for_collection(self, collection_id: int, kind: LedgerKind) -> LedgerEntry | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM ledger WHERE collection_id = ? AND kind = ?",
            (collection_id, kind.value),
        )
        return None if row is None else _entry(row)

    async def all_for_collection(self, collection_id: int) -> list[LedgerEntry]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM ledger WHERE collection_id = ? ORDER BY id", (collection_id,)
        )
        return [_entry(row) for row in rows]

    async def all_for_payment(self, payment_id: int) -> list[LedgerEntry]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM ledger WHERE payment_id = ? ORDER BY id", (payment_id,)
        )
        return [_entry(row) for row in rows]

    async def users_between(self, start: str, end: str) -> list[int]:
        """Users with an entry written in [start, end)."""
        rows = await self._conn.fetch_all(
            "SELECT DISTINCT user_id FROM ledger WHERE created_at >= ? AND created_at < ?"
            " ORDER BY user_id",
            (start, end),
        )
        return [row["user_id"] for row in rows]

    async def entries(self, user_id: int, limit: int = 10) -> list[LedgerEntry]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM ledger WHERE user_id = ? ORDER BY id DESC LIMIT ?", (user_id, limit)
        )
        return [_entry(row) for row in rows]

    async def balance_at(self, user_id: int, before: str) -> int:
        """The balance as it stood just before the ISO timestamp `before`."""
        value = await self._conn.fetch_value(
            "SELECT balance_after FROM ledger WHERE user_id = ? AND created_at < ?"
            " ORDER BY id DESC LIMIT 1",
            (user_id, before),
        )
        return int(value or 0)

    async def sums_between(self, user_id: int, start: str, end: str) -> dict[LedgerKind, int]:
        """The user's entries written in [start, end), summed by kind (signed)."""
        rows = await self._conn.fetch_all(
            "SELECT kind, sum(amount) AS total FROM ledger"
            " WHERE user_id = ? AND created_at >= ? AND created_at < ? GROUP BY kind",
            (user_id, start, end),
        )
        return {LedgerKind(row["kind"]): int(row["total"]) for row in rows}
