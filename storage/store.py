"""The storage facade: a unit of work over every table."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from storage.callbacks import Callbacks
from storage.conversations import Conversations
from storage.database import Clock, Connection, Database, utc_now
from storage.ledger import Ledger
from storage.outbox import Outbox
from storage.payments import Payments
from storage.saved_references import SavedReferences
from storage.users import Users


class Repositories:
    """Every table, over one connection: inside `Storage.transaction()` all commit together."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._after_commit: list[Callable[[], None]] = []
        self.users = Users(conn, clock)
        self.conversations = Conversations(conn, clock)
        self.payments = Payments(conn, clock)
        self.outbox = Outbox(conn, clock)
        self.callbacks = Callbacks(conn, clock)
        self.ledger = Ledger(conn, clock)
        self.saved = SavedReferences(conn, clock)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (say, wake a worker that
        will read what it wrote); never if it rolls back."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)


class Storage:
    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.database = Database(path)
        self.clock = clock

    async def open(self) -> None:
        await self.database.open()

    async def close(self) -> None:
        await self.database.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        async with self.database.write() as conn:
            repositories = Repositories(conn, self.clock)
            yield repositories
        for callback in repositories._after_commit:
            callback()

    @property
    def single(self) -> Repositories:
        """Writes of one statement each, committed at once, without a transaction around
        them: the cheap path for writes that stand alone (a conversation step, a sent mark).
        A repository method that runs several statements must go through `transaction()`."""
        return Repositories(self.database.single(), self.clock)

    @property
    def read(self) -> Repositories:
        return Repositories(self.database.read(), self.clock)
