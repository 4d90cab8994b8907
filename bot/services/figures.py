"""Money rule 8: every figure DEXCHANGE sends is checked against the stored payment before
it moves money.

Pure functions. An answer whose amount, bill or number is not the payment's does not
describe it: nothing of it is applied and an admin looks. A fee that cannot be right
(negative, or far above what the amount can cost) is not applied either, but the status
still is: the user is charged the quoted fee, never more.
"""

from dataclasses import dataclass
from decimal import Decimal

from bot.dexchange.models import normalise_reference
from storage.models import Payment


@dataclass(frozen=True)
class Figures:
    """What one answer (pay answer, callback, status answer) says about a payment."""

    amount: int | None = None
    fee: int | None = None
    bill_reference: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class FigureCheck:
    mismatch: str | None = None  # the answer is not about this payment as stored
    fee_problem: str | None = None  # the fee cannot be right: keep the quoted one

    @property
    def fee_usable(self) -> bool:
        return self.fee_problem is None


def fee_ceiling(payment: Payment, max_fee_percent: Decimal) -> int:
    """The highest fee that can be believed: the quote's, or a share of the amount."""
    share = int(Decimal(payment.amount) * max_fee_percent / 100)
    return max(payment.fee, share)


def check_figures(payment: Payment, figures: Figures, max_fee_percent: Decimal) -> FigureCheck:
    mismatch = None
    if figures.amount is not None and figures.amount != payment.amount:
        mismatch = f"amount {figures.amount} instead of {payment.amount}"
    elif (
        figures.bill_reference
        and payment.bill_reference
        and figures.bill_reference.strip() != payment.bill_reference
    ):
        mismatch = f"bill {figures.bill_reference[:40]} instead of {payment.bill_reference}"
    elif figures.number and normalise_reference(figures.number) != normalise_reference(
        payment.reference
    ):
        mismatch = f"number {figures.number[:40]} instead of {payment.reference}"
    fee_problem = None
    if figures.fee is not None:
        if figures.fee < 0:
            fee_problem = f"negative fee {figures.fee}"
        elif figures.fee > fee_ceiling(payment, max_fee_percent):
            fee_problem = f"fee {figures.fee} above any believable fee for {payment.amount}"
    return FigureCheck(mismatch, fee_problem)
