"""Wallet rules for payments (money rule 7): reserve on confirm, settle or release at the end.

Every movement is a ledger entry written in the same transaction as the payment change it
belongs to, so a crash can never leave money held for a payment that does not exist, or a
failed payment whose money was not given back.
"""

import logging

from bot.services import attention
from storage import Repositories
from storage.ledger import InsufficientBalance
from storage.models import LedgerKind, Payment, PaymentStatus

log = logging.getLogger(__name__)

SYSTEM = "system"


class NotEnoughCredit(Exception):
    """The wallet cannot cover amount + fee: no payment was created."""

    def __init__(self, balance: int, needed: int) -> None:
        super().__init__(f"balance {balance}, needed {needed}")
        self.balance = balance
        self.needed = needed


async def reserve(tx: Repositories, payment: Payment) -> None:
    try:
        await tx.ledger.add(
            payment.user_id,
            LedgerKind.RESERVE,
            -payment.total,
            actor=f"user:{payment.user_id}",
            note=payment.external_id,
            payment_id=payment.id,
        )
    except InsufficientBalance as error:
        raise NotEnoughCredit(error.balance, payment.total) from None


def charged_fee(payment: Payment) -> int:
    """The fee the user pays: the quoted one, or DEXCHANGE's when lower (the operator
    absorbs a higher one: the user never pays more than they confirmed)."""
    provider = payment.provider_fee
    if provider is None or provider < 0:
        return payment.fee
    return min(payment.fee, provider)


def cost(payment: Payment) -> int:
    return payment.amount + charged_fee(payment)


async def on_status(tx: Repositories, before: Payment, after: Payment) -> None:
    """Settle on SUCCESS, release on FAILED, debit again on a SUCCESS that comes after the
    money was released; only for payments that reserved."""
    if before.status is after.status or not after.status.is_final:
        return
    held = await tx.ledger.for_payment(after.id, LedgerKind.RESERVE)
    if held is None:
        return
    reserved = -held.amount
    if after.status is PaymentStatus.FAILED:
        await tx.ledger.add(
            after.user_id,
            LedgerKind.RELEASE,
            reserved,
            actor=SYSTEM,
            note="payment failed",
            payment_id=after.id,
        )
        return
    fee = after.provider_fee if after.provider_fee is not None else after.fee
    if fee > after.fee:
        # The user confirmed `reserved`; the operator absorbs a higher provider fee.
        log.warning(
            "payment %s: DEXCHANGE's fee %s is above the quoted %s", after.id, fee, after.fee
        )
        await attention.flag(tx, after.id, f"provider fee above quote ({fee})")
    await tx.ledger.add(
        after.user_id,
        LedgerKind.SETTLE,
        min(reserved, max(0, reserved - cost(after))),
        actor=SYSTEM,
        note=f"fee {charged_fee(after)}",
        payment_id=after.id,
    )


async def debit_again(tx: Repositories, payment: Payment) -> int:
    """DEXCHANGE paid what we had released (an admin's FAILED, a refusal it contradicts):
    the user owes it again, when the wallet covers it; otherwise an admin decides.
    Returns what was taken (0 when nothing was)."""
    released = await tx.ledger.for_payment(payment.id, LedgerKind.RELEASE)
    if released is None:
        return 0  # the money was never given back: nothing to take again
    try:
        await tx.ledger.add(
            payment.user_id,
            LedgerKind.REDEBIT,
            -cost(payment),
            actor=SYSTEM,
            note="late success",
            payment_id=payment.id,
        )
    except InsufficientBalance as error:
        log.warning("payment %s: late success, the wallet holds only %s", payment.id, error.balance)
        await attention.flag(
            tx, payment.id, f"late success: the wallet cannot cover {cost(payment)} FCFA again"
        )
        return 0
    return cost(payment)
