"""An agent's day in figures: what /today, /report and the daily summary show.

Payments are counted when they finished that day (Dakar keeps UTC all year, so a day is a
UTC day). The wallet side comes from the ledger alone: the opening balance is the balance
before the day's first entry, the closing one the balance after its last, and
opening + credits + payments = closing, always. When every payment confirmed that day also
finished that day, "payments" is exactly the total debited for the successful ones.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from storage import Repositories
from storage.models import LedgerKind, Service
from storage.timefmt import to_db

PAYMENT_KINDS = (LedgerKind.RESERVE, LedgerKind.SETTLE, LedgerKind.RELEASE)
# Movements of the wallet that are not payments: an admin's credits and corrections, money
# funded from mobile money, refunds paid out to it and their returns.
CREDIT_KINDS = (
    LedgerKind.CREDIT,
    LedgerKind.ADJUSTMENT,
    LedgerKind.FUNDING,
    LedgerKind.PAYOUT,
    LedgerKind.PAYOUT_RETURN,
)


@dataclass(frozen=True)
class ServiceLine:
    service: Service
    count: int
    amount: int
    fees: int

    @property
    def total(self) -> int:
        return self.amount + self.fees


@dataclass(frozen=True)
class DayReport:
    day: date
    services: list[ServiceLine]  # successful payments finished that day, per service
    failed: int  # payments that failed that day (nothing debited: money given back)
    open: int  # confirmed that day, not finished yet (their money is held)
    opening: int  # wallet balance before the day's first ledger entry
    credits: int  # credits, corrections, fundings and refunds out of the day, signed
    payments: int  # reserves, settlements and releases of the day, signed
    closing: int  # wallet balance after the day's last entry
    as_of: datetime | None = None  # when the day was not over at the time of the report
    confirmed: int = 0  # payments confirmed that day, whatever became of them

    @property
    def count(self) -> int:
        return sum(line.count for line in self.services)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.services)

    @property
    def fees(self) -> int:
        return sum(line.fees for line in self.services)

    @property
    def total(self) -> int:
        return self.amount + self.fees

    @property
    def active(self) -> bool:
        """Anything happened that day: a payment or a wallet movement."""
        return bool(self.confirmed or self.count or self.failed or self.credits or self.payments)

    def to_payload(self) -> dict[str, Any]:
        """JSON for an outbox message, rendered in the user's language when delivered."""
        return {
            "day": self.day.isoformat(),
            "services": [[s.service.value, s.count, s.amount, s.fees] for s in self.services],
            "failed": self.failed,
            "open": self.open,
            "opening": self.opening,
            "credits": self.credits,
            "payments": self.payments,
            "closing": self.closing,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "confirmed": self.confirmed,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> "DayReport":
        as_of = data.get("as_of")
        return cls(
            day=date.fromisoformat(str(data["day"])),
            services=[
                ServiceLine(Service(service), int(count), int(amount), int(fees))
                for service, count, amount, fees in data.get("services", [])
            ],
            failed=int(data.get("failed", 0)),
            open=int(data.get("open", 0)),
            opening=int(data.get("opening", 0)),
            credits=int(data.get("credits", 0)),
            payments=int(data.get("payments", 0)),
            closing=int(data.get("closing", 0)),
            as_of=None if as_of is None else datetime.fromisoformat(str(as_of)),
            confirmed=int(data.get("confirmed", 0)),
        )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


async def day_report(read: Repositories, user_id: int, day: date, now: datetime) -> DayReport:
    """The figures of `day` for one user: their own payments and ledger only."""
    start_at, end_at = day_bounds(day)
    start, end = to_db(start_at), to_db(end_at)
    rows = await read.payments.user_totals_between(user_id, start, end)
    sums = await read.ledger.sums_between(user_id, start, end)
    return DayReport(
        day=day,
        services=[
            ServiceLine(Service(service), count, amount, fees)
            for service, count, amount, fees in rows
        ],
        failed=await read.payments.user_failed_between(user_id, start, end),
        open=await read.payments.user_open_created_between(user_id, start, end),
        opening=await read.ledger.balance_at(user_id, start),
        credits=sum(sums.get(kind, 0) for kind in CREDIT_KINDS),
        payments=sum(sums.get(kind, 0) for kind in PAYMENT_KINDS),
        closing=await read.ledger.balance_at(user_id, end),
        as_of=now if now < end_at else None,
        confirmed=await read.payments.user_created_between(user_id, start, end),
    )
