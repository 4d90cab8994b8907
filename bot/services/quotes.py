"""What a payment will cost, before anyone confirms it (pure)."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
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
