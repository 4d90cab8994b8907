"""What a payment will cost, before anyone confirms it (pure)."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from storage.models import Service


def percent_fee(amount: int, percent: Decimal) -> int:
    """The fee in whole FCFA, half up: 1 % of 1 000 is 10, of 104 500 is 1 045."""
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Quote:
    service: Service
    reference: str
    amount: int
    fee: int
    bill_reference: str | None = None
    holder_name: str | None = None
    due_date: str | None = None

    @property
    def total(self) -> int:
        return self.amount + self.fee

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["service"] = self.service.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Quote":
        return cls(**{**data, "service": Service(data["service"])})


@dataclass(frozen=True)
class BillChoice:
    """Unpaid bills of a reference, oldest due first, each as a ready quote."""

    reference: str
    quotes: list[Quote]


def bill_problem(amount: int, fee: int, max_fee_percent: Decimal) -> str | None:
    """Why a bill DEXCHANGE lists cannot be offered as it is, or None. Its fee becomes the
    customer's: negative, the operator would pay it; above `max_fee_percent` of the bill, the
    customer would pay what no biller charges."""
    if amount <= 0:
        return f"nothing to pay ({amount})"
    if fee < 0:
        return f"negative fee {fee}"
    if fee > Decimal(amount) * max_fee_percent / 100:
        return f"fee {fee} above {max_fee_percent} % of {amount}"
    return None


class LookupProblem(StrEnum):
    """Why a bill lookup gave nothing to pay (the conversation says it in words)."""

    MAINTENANCE = "maintenance"  # DEXCHANGE is under maintenance: later
    UNAVAILABLE = "unavailable"  # no answer, too many calls, our key refused: later
    ALREADY_PAID = "already_paid"  # nothing left to pay on this reference
    REFUSED = "refused"  # DEXCHANGE refused this reference: another one, perhaps


class BillLookupFailed(Exception):
    """Looking up a reference's bills gave no bill to choose; `message`: DEXCHANGE's words."""

    def __init__(self, problem: LookupProblem, message: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.message = message
