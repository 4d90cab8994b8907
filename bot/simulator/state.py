"""In-memory state of the simulator, readable by tests (directly or via GET /_sim/state)."""

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

ARRIVALS_KEPT = 10_000  # a long-running simulator keeps the latest arrivals only


@dataclass
class Bill:
    """One SenEau/Senelec bill of a customer reference."""

    payment_transaction_number: str
    reference_client: str  # zero-padded to 12 digits, as DEXCHANGE returns it
    reference_facture: str
    nom: str
    prenom: str
    montant: int
    date_echeance: str  # YYYY-MM-DD
    address: str
    meter_status: str = "ACTIVE"
    paid: bool = False


@dataclass
class SimTransaction:
    transaction_id: str
    external_transaction_id: str | None
    service_code: str
    reference_client: str  # as sent by the client
    amount: int
    fee: int
    status: str  # PROCESSING, SUCCESS or FAILED; collections: PENDING, … CANCELLED, EXPIRED
    final_status: str  # what a PROCESSING transaction will become
    initiated_at: str
    previous_balance: int  # around the debit
    current_balance: int
    reference_facture: str | None = None
    token: str | None = None
    callback_url: str | None = None
    custom_data: str | None = None
    completed_at: str | None = None
    refund_previous_balance: int | None = None  # around the refund of a failed PROCESSING
    refund_current_balance: int | None = None
    transaction_type: str = "BILL"  # or CASHOUT (collection), CASHIN (payout)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CallbackAttempt:
    transaction_id: str
    url: str
    body: dict[str, Any]
    attempt: int  # 1 for the first try of this copy of the callback
    status: int | None  # HTTP status answered, None when the request itself failed
    error: str | None  # connection refused, timeout... None when an answer came back
    at: float  # time.time() of the attempt

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "delivered": self.delivered}


@dataclass
class SimulatorState:
    balance: int
    last_balance_update: str
    pay_calls: int = 0  # every POST /billing/pay received, whatever the outcome
    debits: int = 0  # number of account debits (accepted transactions)
    refunds: int = 0
    init_calls: int = 0  # every POST /transaction/init received, whatever the outcome
    rate_limited: int = 0  # API calls answered 429 (past rate_per_minute)
    # When each API call arrived (time.monotonic()), refused ones too; the latest only.
    api_arrivals: deque[float] = field(default_factory=lambda: deque(maxlen=ARRIVALS_KEPT))
    credits: int = 0  # collections that succeeded (the account was credited)
    transactions: dict[str, SimTransaction] = field(default_factory=dict)
    by_external_id: dict[str, str] = field(default_factory=dict)  # externalTransactionId → TID
    callbacks_sent: list[CallbackAttempt] = field(default_factory=list)
    pay_requests: list[dict[str, Any]] = field(default_factory=list)  # JSON object bodies
    init_requests: list[dict[str, Any]] = field(default_factory=list)  # of transaction/init
    # (serviceCode, canonical reference) → bills, created on first inquiry or pay
    bills: dict[tuple[str, str], list[Bill]] = field(default_factory=dict)
    issued_tokens: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {
            "balance": self.balance,
            "pay_calls": self.pay_calls,
            "debits": self.debits,
            "refunds": self.refunds,
            "init_calls": self.init_calls,
            "rate_limited": self.rate_limited,
            "credits": self.credits,
            "transactions": {tid: t.to_json() for tid, t in self.transactions.items()},
            "collections": {
                tid: t.to_json()
                for tid, t in self.transactions.items()
                if t.transaction_type != "BILL"
            },
            "by_external_id": dict(self.by_external_id),
            "callbacks": [c.to_json() for c in self.callbacks_sent],
        }
