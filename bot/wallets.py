"""Wallet rules for payments (money rule 7): reserve on confirm, settle or release at the end.

Every movement is a ledger entry written in the same transaction as the payment change it
belongs to, so a crash can never leave money held for a payment that does not exist, or a
failed payment whose money was not given back.
"""

import logging

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


async def on_status(tx: Repositories, before: Payment, after: Payment) -> None:
    """Settle on SUCCESS, release on FAILED; only for payments that reserved."""
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
    cost = after.amount + fee
    if cost > reserved:
        # The user confirmed `reserved`; the operator absorbs a higher provider fee.
        log.warning("payment %s cost %s, above the %s confirmed", after.id, cost, reserved)
        await tx.payments.flag_attention(after.id, f"provider fee above quote ({fee})")
    await tx.ledger.add(
        after.user_id,
        LedgerKind.SETTLE,
        max(0, reserved - cost),
        actor=SYSTEM,
        note=f"fee {fee}",
        payment_id=after.id,
    )
