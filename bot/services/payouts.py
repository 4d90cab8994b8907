"""Refunds out: a customer's balance (or part of it) paid to their mobile money with the
wallet's `*_CASHIN` service (a collection of direction 'out'), under the money rules.

The collection row, its externalTransactionId and the PAYOUT debit are committed in one
transaction before the init call (the table refuses a payout leaving 'created' without its
debit); the call itself, its unknown outcomes, callbacks and polling are the collection
service's, exactly as for funding. A final status settles it there: SUCCESS moves nothing
more, FAILED / CANCELLED / EXPIRED give the debit back once (PAYOUT_RETURN).
"""

from enum import StrEnum
from typing import Protocol

from bot.services.collections import PROVIDER_MAX, CollectionService
from bot.services.payments import new_external_id
from storage.ledger import InsufficientBalance
from storage.models import (
    Collection,
    Direction,
    FeePaidBy,
    LedgerKind,
    MoneyMethod,
    NewCollection,
)

# The *_CASHIN service of each wallet: how DEXCHANGE pays out to it.
CASHIN_CODES: dict[MoneyMethod, str] = {
    MoneyMethod.WAVE: "WAVE_SN_CASHIN",
    MoneyMethod.ORANGE_MONEY: "OM_SN_CASHIN",
    MoneyMethod.FREE_MONEY: "FM_SN_CASHIN",
}
PROVIDER_MIN = 200  # DEXCHANGE's floor for one init call


class RefundRefusal(StrEnum):
    BAD_AMOUNT = "bad_amount"  # zero or negative
    EMPTY = "empty"  # "the whole balance" of an empty wallet
    ABOVE_BALANCE = "above_balance"
    BELOW_MIN = "below_min"
    ABOVE_MAX = "above_max"
    BAD_NUMBER = "bad_number"


class RefundRefused(Exception):
    """Nothing was created; `reason`, `limit` and `balance` let the admin be told why."""

    def __init__(self, reason: RefundRefusal, *, limit: int = 0, balance: int = 0) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.limit = limit
        self.balance = balance


def valid_number(number: str) -> bool:
    return len(number) == 9 and number.isascii() and number.isdigit()


def check_refund(amount: int | None, balance: int) -> int:
    """The amount to send (None: the whole balance), or RefundRefused. Pure: the admin's
    summary shows what `Payouts.prepare` will check again inside its transaction."""
    if amount is None:
        if balance <= 0:
            raise RefundRefused(RefundRefusal.EMPTY, balance=balance)
        amount = balance
    if amount <= 0:
        raise RefundRefused(RefundRefusal.BAD_AMOUNT, balance=balance)
    if amount > balance:
        raise RefundRefused(RefundRefusal.ABOVE_BALANCE, balance=balance)
    if amount < PROVIDER_MIN:
        raise RefundRefused(RefundRefusal.BELOW_MIN, limit=PROVIDER_MIN, balance=balance)
    if amount > PROVIDER_MAX:
        raise RefundRefused(RefundRefusal.ABOVE_MAX, limit=PROVIDER_MAX, balance=balance)
    return amount


class RefundsPort(Protocol):
    """What the admin's /refund needs (Payouts; a fake in the conversation's walk)."""

    async def refund(
        self,
        user_id: int,
        amount: int | None,
        method: MoneyMethod,
        number: str,
        *,
        actor: str,
        idempotency_key: str,
    ) -> tuple[Collection, bool]: ...


class Payouts:
    """Refunds to mobile money; sent and settled by the collection service."""

    def __init__(self, collections: CollectionService) -> None:
        self.collections = collections

    async def prepare(
        self,
        user_id: int,
        amount: int | None,
        method: MoneyMethod,
        number: str,
        *,
        actor: str,
        idempotency_key: str,
    ) -> tuple[Collection, bool]:
        """Commit the refund and its debit (or find the one this key made): (collection,
        created). Raises RefundRefused, creating nothing, when it cannot be sent."""
        if not valid_number(number):
            raise RefundRefused(RefundRefusal.BAD_NUMBER)
        service = self.collections
        async with service.storage.transaction() as tx:
            existing = await tx.collections.by_idempotency_key(user_id, idempotency_key)
            if existing is not None:
                return existing, False  # a second press, another process: the same refund
            # Read inside the write transaction: two refunds cannot both spend one balance.
            balance = await tx.ledger.balance(user_id)
            amount = check_refund(amount, balance)
            collection, created = await tx.collections.create(
                NewCollection(
                    user_id=user_id,
                    direction=Direction.OUT,
                    idempotency_key=idempotency_key,
                    external_id=new_external_id(service.clock()),
                    service_code=CASHIN_CODES[method],
                    method=method,
                    number=number,
                    amount=amount,
                    fee=0,  # DEXCHANGE's payout fee is the operator's
                    fee_paid_by=FeePaidBy.OPERATOR,
                    actor=actor,
                )
            )
            try:
                await tx.ledger.add(
                    user_id,
                    LedgerKind.PAYOUT,
                    -collection.total,
                    actor=actor,
                    note=collection.external_id,
                    collection_id=collection.id,
                )
            except InsufficientBalance as error:  # checked above; the table's guard too
                raise RefundRefused(RefundRefusal.ABOVE_BALANCE, balance=error.balance) from None
        if created:
            service.count(collection)
        return collection, created

    async def refund(
        self,
        user_id: int,
        amount: int | None,
        method: MoneyMethod,
        number: str,
        *,
        actor: str,
        idempotency_key: str,
    ) -> tuple[Collection, bool]:
        """`prepare`, then the init call in the background (the reconciler sends it if this
        process dies first)."""
        collection, created = await self.prepare(
            user_id, amount, method, number, actor=actor, idempotency_key=idempotency_key
        )
        if created:
            self.collections.start_submission(collection.id)
        return collection, created
