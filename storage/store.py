"""The storage facade: a unit of work over every table."""

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from storage.callbacks import Callbacks
from storage.claims import Claims, PostgresClaims
from storage.collections import Collections
from storage.conversations import Conversations
from storage.database import Clock, Connection, Database, WriteTransaction, utc_now
from storage.deliveries import Deliveries
from storage.funded_purchases import FundedPurchases
from storage.inbox import Inbox
from storage.ledger import Ledger
from storage.outbox import Outbox
from storage.payments import Payments
from storage.postgres import PostgresDatabase, PostgresTransaction
from storage.provider_answers import ProviderAnswers
from storage.retention import Retention
from storage.saved_references import SavedReferences
from storage.users import Users


class Repositories:
    """Every table, over one connection: inside `Storage.transaction()` all commit together.

    Each repository is made when first used: a transaction touches two or three of the
    twelve, and one is opened for every callback and every conversation step."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._after_commit: list[Callable[[], None]] = []

    @cached_property
    def users(self) -> Users:
        return Users(self._conn, self._clock)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self._conn, self._clock)

    @cached_property
    def payments(self) -> Payments:
        return Payments(self._conn, self._clock)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self._conn, self._clock)

    @cached_property
    def callbacks(self) -> Callbacks:
        return Callbacks(self._conn, self._clock)

    @cached_property
    def answers(self) -> ProviderAnswers:
        return ProviderAnswers(self._conn, self._clock)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self._conn, self._clock)

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self._conn, self._clock)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self._conn, self._clock)

    @cached_property
    def saved_references(self) -> SavedReferences:
        return SavedReferences(self._conn, self._clock)

    @cached_property
    def collections(self) -> Collections:
        return Collections(self._conn, self._clock)

    @cached_property
    def funded_purchases(self) -> FundedPurchases:
        return FundedPurchases(self._conn, self._clock)

    @cached_property
    def retention(self) -> Retention:
        return Retention(self._conn, self._clock)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (say, wake a worker that
        will read what it wrote); never if it rolls back."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)


class Transaction:
    """What `Storage.transaction()` returns (a class: see `WriteTransaction`)."""

    __slots__ = ("_clock", "_repositories", "_write")

    def __init__(self, write: WriteTransaction | PostgresTransaction, clock: Clock) -> None:
        self._write = write
        self._clock = clock
        self._repositories: Repositories | None = None

    async def __aenter__(self) -> Repositories:
        self._repositories = Repositories(await self._write.__aenter__(), self._clock)
        return self._repositories

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: object
    ) -> None:
        await self._write.__aexit__(kind, error, trace)
        if kind is None and self._repositories is not None:
            for callback in self._repositories._after_commit:
                callback()


def is_postgres_url(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


class Storage:
    """Every table, on SQLite (a file path: the embedded default) or on PostgreSQL (a
    `postgresql://` URL: several processes, see README "Scaling out")."""

    def __init__(self, location: Path | str, clock: Clock = utc_now) -> None:
        self.database: Database | PostgresDatabase
        self.claims: Claims
        if is_postgres_url(location):
            self.database = PostgresDatabase(str(location))
            self.claims = PostgresClaims(str(location))
        else:
            self.database = Database(Path(str(location).removeprefix("sqlite:///")))
            self.claims = Claims()
        self.clock = clock

    async def open(self) -> None:
        await self.database.open()

    async def close(self) -> None:
        await self.claims.close()
        await self.database.close()

    def transaction(self) -> "Transaction":
        """`async with storage.transaction() as tx:` every table, committed together when
        the block is left (group commit, see `Database.write`); then the block's
        `after_commit` callbacks run."""
        return Transaction(self.database.write(), self.clock)

    @property
    def single(self) -> Repositories:
        """Writes of one statement each, committed at once, without a transaction around
        them: the cheap path for writes that stand alone (a conversation step, a sent mark).
        A repository method that runs several statements must go through `transaction()`."""
        return Repositories(self.database.single(), self.clock)

    @property
    def read(self) -> Repositories:
        return Repositories(self.database.read(), self.clock)
