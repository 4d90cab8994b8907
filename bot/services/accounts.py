"""Accounts: roles, wallet credits and corrections, and what admins look at.

Used by the admin chat commands and by `python -m bot admin …`, so both do exactly the same
thing against the same database (the command line works while the bot runs: SQLite's lock
queues the two processes' writes).
"""

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.payouts import RefundsPort
from bot.services.signals import SILENT, Signals
from storage import Storage
from storage.database import Clock, utc_now
from storage.deliveries import MessageState
from storage.ledger import InsufficientBalance
from storage.models import (
    OPEN_STATUSES,
    Collection,
    LedgerEntry,
    LedgerKind,
    OutboxKind,
    Payment,
    Role,
    Service,
    User,
)
from storage.timefmt import to_db

log = logging.getLogger(__name__)

MAX_CREDIT = 10_000_000  # FCFA in one entry: a typo guard, not a business limit


class AccountError(Exception):
    """A clear, user-facing refusal; `code` names it for the catalogue."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class UserSummary:
    user: User
    balance: int
    entries: list[LedgerEntry]
    payments: list[Payment]
    messages: dict[int, MessageState]  # payment id → where its latest message stands


@dataclass(frozen=True)
class ServiceStats:
    service: Service
    count: int
    amount: int
    fees: int


@dataclass(frozen=True)
class DayStats:
    day: str
    services: list[ServiceStats]
    failed: int
    open: int

    @property
    def count(self) -> int:
        return sum(s.count for s in self.services)

    @property
    def amount(self) -> int:
        return sum(s.amount for s in self.services)

    @property
    def fees(self) -> int:
        return sum(s.fees for s in self.services)


@dataclass(frozen=True)
class CollectionsOverview:
    """What an admin watches of mobile money (/collections): both directions."""

    open: list[Collection]  # not settled yet (created, submitted, pending, unknown)
    ended: list[Collection]  # failed, cancelled or expired in the last `days`
    flagged: list[Collection]  # flagged for an admin: still open, or flagged lately
    days: int


def split_amount_and_note(words: list[str]) -> tuple[str, str | None]:
    """'10 000 cash deposit' → ('10 000', 'cash deposit'): a first group of 1-3 digits takes
    the groups of exactly 3 digits that follow it, as French amounts are written."""
    if not words:
        return "", None
    taken = [words[0]]
    if words[0].isdigit() and len(words[0]) <= 3:
        for word in words[1:]:
            if _DECIMAL_TAIL.fullmatch(word):  # "2 500,50": the amount, to be refused whole
                taken.append(word)
                break
            if not (word.isdigit() and len(word) == 3):
                break
            taken.append(word)
    note = " ".join(words[len(taken) :]).strip()
    return " ".join(taken), note or None


# Whole FCFA as people write them: 2500, or thousands grouped by one separator throughout
# (10 000, 10 000 with a no-break space, 10.000, 10_000).
_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}([ \u00a0\u202f._])[0-9]{3}(?:\1[0-9]{3})*")
# Digits with separators that are not thousands groups: 1.5, 2500.50, 1,5, 10 00.
_NUMBER = re.compile(r"[0-9]+(?:[ \u00a0\u202f._,][0-9]+)+")
_DECIMAL_TAIL = re.compile(r"[0-9]{3}[.,][0-9]+")


def parse_amount_argument(text: str) -> int:
    """Whole FCFA. The franc CFA has no minor unit: 1.5 or 2500,50 is refused, never read
    as 15 or 250050; nor are digits other than 0-9 (², ٣), which str.isdigit() lets by."""
    text = text.strip()
    if _WHOLE.fullmatch(text):
        digits = re.sub(r"[^0-9]", "", text).lstrip("0") or "0"
        if len(digits) > len(str(MAX_CREDIT)):  # before int(), which refuses 4 300 digits
            raise AccountError("admin.amount_too_large", max=MAX_CREDIT)
        amount = int(digits)
    elif _NUMBER.fullmatch(text):
        raise AccountError("admin.amount_not_whole", text=text[:20])
    else:
        raise AccountError("admin.bad_amount", text=text[:20])
    if amount <= 0:
        raise AccountError("admin.bad_amount", text=text[:20])
    if amount > MAX_CREDIT:
        raise AccountError("admin.amount_too_large", max=MAX_CREDIT)
    return amount


def day_bounds(day: datetime) -> tuple[str, str]:
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return to_db(start), to_db(start + timedelta(days=1))


WHATSAPP = "whatsapp"


def whatsapp_identity(who: str) -> tuple[str | None, str | None] | None:
    """(business-scoped id, number) of a WhatsApp user named "+221771234567" or "wa:…",
    or None when `who` does not name a WhatsApp user."""
    who = who.strip()
    if who.startswith("+") and who[1:].isdigit():
        return None, who[1:]
    if who.lower().startswith("wa:"):
        value = who[3:].strip().lstrip("+")
        if value.isdigit():
            return None, value
        if value:
            return value, None
    return None


class AccountService:
    def __init__(
        self,
        storage: Storage,
        channel: str = "telegram",
        clock: Clock = utc_now,
        signals: Signals = SILENT,
        refunds: RefundsPort | None = None,
    ) -> None:
        self.storage = storage
        self.channel = channel
        self.clock = clock
        self._signals = signals
        self.refunds = refunds  # refunds to mobile money (the admin's /refund)
        # Told of each role set, once committed: a channel shows the role's commands (Telegram's
        # command menu of that chat). The command line has none: the bot catches up at start.
        self.on_role_change: Callable[[User], Awaitable[None]] | None = None

    async def find(self, who: str) -> User:
        """The one user named by `who`; refused, with the candidates, when it names several.
        A WhatsApp user is named by their number with its + ("+221771234567") or as
        "wa:<number or business-scoped id>"; anyone else by Telegram id or @username."""
        whatsapp = whatsapp_identity(who)
        if whatsapp is not None:
            user_id, phone = whatsapp
            found = await self.storage.read.users.by_channel_identity(WHATSAPP, user_id, phone)
            if found is None:
                raise AccountError("admin.unknown_user", who=who[:40])
            return found
        users = await self.storage.read.users.matching(self.channel, who)
        if not users:
            raise AccountError("admin.unknown_user", who=who[:40])
        if len(users) > 1:
            candidates = ", ".join(
                f"{user.display_name or '?'} ({user.external_id})" for user in users
            )
            raise AccountError("admin.ambiguous_user", who=who[:40], candidates=candidates)
        return users[0]

    async def grant(self, external_id: str, role: Role, channel: str | None = None) -> User:
        """Set a role, creating the user if they never wrote (first setup). On WhatsApp,
        `external_id` is their number (or business-scoped id): found by it when they write."""
        channel = channel or self.channel
        async with self.storage.transaction() as tx:
            if channel == WHATSAPP:
                identity = whatsapp_identity("wa:" + external_id.removeprefix("wa:"))
                assert identity is not None
                user = await tx.users.upsert_identity(WHATSAPP, *identity, None, None)
            else:
                user = await tx.users.ensure(channel, external_id)
            await tx.users.set_role(user.id, role)
        found = await self.storage.read.users.get(user.id)
        assert found is not None
        await self._role_changed(found)
        return found

    async def set_role(self, target: User, role: Role) -> User:
        async with self.storage.transaction() as tx:
            await tx.users.set_role(target.id, role)
        found = await self.storage.read.users.get(target.id)
        assert found is not None
        await self._role_changed(found)
        return found

    async def _role_changed(self, user: User) -> None:
        if self.on_role_change is None:
            return
        try:
            await self.on_role_change(user)
        except Exception:  # the role is set: a menu not updated now is caught up later
            log.exception("role change of user %s not shown in their channel", user.id)

    async def credit(self, target: User, amount: int, note: str | None, actor: str) -> int:
        """Add money to a wallet; the user is told. Returns the new balance."""
        return await self._move(target, LedgerKind.CREDIT, amount, note, actor)

    async def debit(self, target: User, amount: int, note: str | None, actor: str) -> int:
        """A correction downwards; never below zero. Returns the new balance."""
        return await self._move(target, LedgerKind.ADJUSTMENT, -amount, note, actor)

    async def _move(
        self, target: User, kind: LedgerKind, amount: int, note: str | None, actor: str
    ) -> int:
        async with self.storage.transaction() as tx:
            try:
                entry = await tx.ledger.add(target.id, kind, amount, actor=actor, note=note)
            except InsufficientBalance as error:
                raise AccountError(
                    "admin.debit_too_large", balance=error.balance, amount=-amount
                ) from None
            assert entry is not None
            await tx.outbox.add(
                target.id,
                OutboxKind.NOTICE,
                {
                    "key": "wallet.credited" if amount > 0 else "wallet.debited",
                    "amount": abs(amount),
                    "balance": entry.balance_after,
                    "note": note or "",
                },
            )
            tx.after_commit(self._signals.outbox)
        return entry.balance_after

    async def summary(self, target: User, payments: int = 5) -> UserSummary:
        read = self.storage.read
        shown = await read.payments.for_user(target.id, limit=payments)
        return UserSummary(
            user=target,
            balance=await read.ledger.balance(target.id),
            entries=await read.ledger.entries(target.id, 5),
            payments=shown,
            messages=await read.deliveries.of_payments([p.id for p in shown]),
        )

    async def pending(self) -> list[Payment]:
        return await self.storage.read.payments.open_payments()

    async def collections_overview(self, days: int = 7, limit: int = 50) -> CollectionsOverview:
        read = self.storage.read.collections
        since = self.clock() - timedelta(days=days)
        return CollectionsOverview(
            open=await read.open_collections(limit),
            ended=await read.ended_unsuccessfully_since(since, limit),
            flagged=await read.flagged_since(since, limit),
            days=days,
        )

    async def stats(self, day: datetime | None = None) -> DayStats:
        moment = day or self.clock()
        start, end = day_bounds(moment)
        rows = await self.storage.read.payments.totals_between(start, end)
        services = [
            ServiceStats(Service(service), count, amount, fees)
            for service, count, amount, fees in rows
        ]
        counts = await self.storage.read.payments.status_counts_between(start, end)
        open_count = sum(counts.get(status.value, 0) for status in OPEN_STATUSES)
        return DayStats(start[:10], services, counts.get("failed", 0), open_count)
