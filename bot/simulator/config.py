"""Knobs of the DEXCHANGE simulator, and the faults a test can switch on while it runs."""

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class SimulatorConfig:
    api_key: str = "sim-test-key"  # Bearer key accepted; anything else → 401
    initial_balance: int = 5_000_000  # FCFA, operator account at DEXCHANGE
    fee_percent: Decimal = Decimal("1")  # fee = amount * fee_percent / 100, rounded half up
    callback_delay: float = 2.0  # seconds between a PROCESSING answer and its final callback
    sync_callback_delay: float = 0.2  # seconds before the callback of a synchronous SUCCESS
    slow_seconds: float = 35.0  # how long the "slow" reference makes pay wait before answering
    rate_per_minute: int | None = 100  # calls in a sliding window over all API calls; None = off
    # The window's length in seconds: DEXCHANGE's minute, shorter in tests (rate_per_minute
    # calls in any rate_window_seconds).
    rate_window_seconds: float = 60.0
    callback_retry_initial: float = 0.5  # first retry delay after a non-2xx / connection error
    callback_retry_max: float = 30.0  # backoff cap (doubling)
    callback_max_attempts: int = 10_000  # give up after this many attempts
    duplicate_callbacks: int = 1  # send each callback this many times (tests of duplicates)
    # The fee charged by pay, in percent; None = fee_percent, the one inquiry quotes.
    pay_fee_percent: Decimal | None = None
    status_shows_token: bool = True  # GET /transaction/{id} carries the token (docs: it does not)
    # Mobile money (transaction/init): seconds from init to SUCCESS, FAILED or CANCELLED,
    # and to EXPIRED (a customer who never approves); the fee DEXCHANGE keeps, in percent.
    collection_delay: float = 2.0
    collection_expiry: float = 10.0
    collection_fee_percent: Decimal = Decimal("1")


@dataclass
class Faults:
    """DEXCHANGE's worst day, switched on and off while it runs (tests, or POST /_sim/faults
    with a JSON object of these fields)."""

    maintenance: bool = False  # every API call answers 403 "under maintenance"
    # The next accepted pay debits the account, then the API goes into maintenance and the
    # pay call itself answers 504: it took the money, then refuses every retry.
    maintenance_after_debit: bool = False
    pay_status: int | None = None  # every pay answers this HTTP status, doing nothing (404…)
    status_http: int | None = None  # every GET /transaction/{id} answers this HTTP status
    reported_fee: int | None = None  # the fee pay answers and callbacks report (not charged)
    reported_amount: int | None = None  # the amount pay, status and callbacks report
    bill_fee: int | None = None  # the fee (frais) each bill of an inquiry reports
    callback_drop: list[str] = field(default_factory=list)  # fields left out of callbacks

    def update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown fault {name!r}")
            setattr(self, name, value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
