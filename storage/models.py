"""Plain records read from and written to storage, and the payment status rules."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Service(StrEnum):
    SENELEC = "SENELEC_SN_BILL"
    SENEAU = "SENEAU_SN_BILL"
    WOYOFAL = "WOYOFAL_SN_BILL"

    @property
    def is_bill(self) -> bool:
        return self is not Service.WOYOFAL

    @property
    def facts(self) -> "ServiceFacts":
        return SERVICE_FACTS[self]


@dataclass(frozen=True)
class ServiceFacts:
    """How a service is named and shown. A fourth biller is a line here, its DEXCHANGE code
    in `Service`, and its texts in each catalogue (`service.`, `biller.`, `button.<key>`)."""

    key: str  # in commands and button payloads: /woyofal, g:pay:woyofal
    icon: str  # before its name in lists
    reference: str  # what the user types: "meter" (prepaid) or "customer" (a bill's reference)


SERVICE_FACTS: dict[Service, ServiceFacts] = {
    Service.WOYOFAL: ServiceFacts("woyofal", "⚡", "meter"),
    Service.SENELEC: ServiceFacts("senelec", "💡", "customer"),
    Service.SENEAU: ServiceFacts("seneau", "💧", "customer"),
}
SERVICE_BY_KEY: dict[str, Service] = {
    facts.key: service for service, facts in SERVICE_FACTS.items()
}


class PaymentStatus(StrEnum):
    CREATED = "created"  # row and external id committed; DEXCHANGE not called yet
    SUBMITTED = "submitted"  # the pay call is (or was) in flight
    PROCESSING = "processing"  # DEXCHANGE accepted; final status comes later
    UNKNOWN = "unknown"  # timeout, dropped connection, 5xx: may or may not have gone through
    SUCCESS = "success"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (PaymentStatus.SUCCESS, PaymentStatus.FAILED)


S = PaymentStatus

# The states each status may be entered from (money rule 3). SUCCESS and FAILED lead nowhere.
ALLOWED_FROM: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.CREATED: frozenset(),
    S.SUBMITTED: frozenset({S.CREATED, S.UNKNOWN}),
    S.PROCESSING: frozenset({S.SUBMITTED, S.UNKNOWN}),
    S.UNKNOWN: frozenset({S.SUBMITTED}),
    S.SUCCESS: frozenset({S.SUBMITTED, S.PROCESSING, S.UNKNOWN}),
    S.FAILED: frozenset({S.SUBMITTED, S.PROCESSING, S.UNKNOWN}),
}

OPEN_STATUSES = (S.CREATED, S.SUBMITTED, S.PROCESSING, S.UNKNOWN)


def may_transition(current: PaymentStatus, target: PaymentStatus) -> bool:
    return current in ALLOWED_FROM[target]


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    external_id: str
    chat_id: str
    username: str | None
    display_name: str | None
    language: str | None
    undeliverable_at: datetime | None
    created_at: datetime
    role: Role = Role.CUSTOMER
    phone: str | None = None  # WhatsApp: the number (wa_id), when Meta shares it
    channel_user_id: str | None = None  # WhatsApp: the business-scoped user id (BSUID)
    last_inbound_at: datetime | None = None  # when they last wrote to us (WhatsApp's window)
    # The language their app told us (one we speak), when they never chose in the menu.
    detected_language: str | None = None
    # Telegram: the role whose command menu their chat has (None: the default, customers').
    commands_role: Role | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def speaks(self, default: str) -> str:
        """The language to write in: chosen in the menu, else detected, else `default`."""
        return self.language or self.detected_language or default


class LedgerKind(StrEnum):
    CREDIT = "credit"  # an admin adds money (with a note)
    ADJUSTMENT = "adjustment"  # an admin corrects, up or down (with a note)
    RESERVE = "reserve"  # amount + fee held when a payment is confirmed
    SETTLE = "settle"  # on success: what was held beyond the real cost comes back
    RELEASE = "release"  # on failure: everything held comes back
    REDEBIT = "redebit"  # DEXCHANGE's late SUCCESS after an admin had released the money
    FUNDING = "funding"  # a collection from the customer's mobile money succeeded
    PAYOUT = "payout"  # a refund to their mobile money, debited before it is sent
    PAYOUT_RETURN = "payout_return"  # that refund failed, was cancelled or expired: it comes back


# The kinds that name a collection (migration 0007), each at most once per collection.
COLLECTION_KINDS = (LedgerKind.FUNDING, LedgerKind.PAYOUT, LedgerKind.PAYOUT_RETURN)


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    user_id: int
    kind: LedgerKind
    amount: int
    balance_after: int
    payment_id: int | None
    actor: str
    note: str | None
    created_at: datetime
    collection_id: int | None = None


@dataclass(frozen=True)
class Conversation:
    user_id: int
    state: str
    data: dict[str, Any]
    token: str
    updated_at: datetime


@dataclass(frozen=True)
class NewPayment:
    user_id: int
    idempotency_key: str
    service: Service
    reference: str
    amount: int
    fee: int
    external_id: str
    bill_reference: str | None = None
    holder_name: str | None = None
    due_date: str | None = None
    client_label: str | None = None  # an agent's walk-in client (name or phone)

    @property
    def total(self) -> int:
        return self.amount + self.fee


@dataclass(frozen=True)
class Payment:
    id: int
    user_id: int
    idempotency_key: str
    service: Service
    reference: str
    bill_reference: str | None
    holder_name: str | None
    due_date: str | None
    amount: int
    fee: int
    total: int
    external_id: str
    provider_tx_id: str | None
    status: PaymentStatus
    codes: list[str]
    provider_message: str | None
    provider_fee: int | None
    attempts: int
    provider_has_it: bool
    next_check_at: datetime | None
    checks: int
    needs_attention: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    client_label: str | None = None  # an agent's walk-in client (name or phone)
    maybe_sent: bool = False  # an attempt may have reached DEXCHANGE (see migration 0005)
    on_hold: str | None = None  # why it waits for DEXCHANGE's word or an admin, never resent
    resolved_by: str | None = None  # the admin who ended it by hand

    @property
    def awaiting_code(self) -> bool:
        """A Woyofal top-up paid at DEXCHANGE whose recharge code has not come yet."""
        return (
            self.service is Service.WOYOFAL
            and self.status is PaymentStatus.SUCCESS
            and not self.codes
        )


@dataclass(frozen=True)
class ProviderUpdate:
    """What DEXCHANGE told us about a payment (pay answer, callback or status poll)."""

    status: PaymentStatus
    provider_tx_id: str | None = None
    codes: list[str] = field(default_factory=list)
    message: str | None = None
    fee: int | None = None
    maybe_sent: bool = False  # this attempt may have reached DEXCHANGE
    hold: str | None = None  # put the payment on hold, for this reason
    resolved_by: str | None = None  # an admin ends it by hand


class OutboxKind(StrEnum):
    PROCESSING = "processing"  # accepted, the code will come here
    CODE_PENDING = "code_pending"  # Woyofal paid, its code not here yet: it will come here
    SUCCESS = "success"  # paid (bills) or code delivered (Woyofal)
    FAILED = "failed"  # not charged, or refunded
    UNKNOWN = "unknown"  # outcome unknown, we are checking
    DELAYED = "delayed"  # past the deadline: an admin looks at it
    NOTICE = "notice"  # free text for one user (admin messages, reports)
    RECEIPT = "receipt"  # the PNG receipt of a successful payment (agents get one unasked)


class FailureReason(StrEnum):
    """Why a payment failed: the `reason` of its FAILED message, one catalogue text each
    (`result.failed.<reason>`) in every language."""

    PROVIDER_FAILED = "provider_failed"  # DEXCHANGE said FAILED (callback, status, answer)
    INSUFFICIENT_BALANCE = "insufficient_balance"  # the operator's DEXCHANGE account
    BILL_ALREADY_PAID = "bill_already_paid"
    NO_UNPAID_BILL = "no_unpaid_bill"
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"  # our API key was refused
    MAINTENANCE = "maintenance"
    NOT_FOUND = "not_found"  # DEXCHANGE answered 404 to the pay call
    ADMIN = "admin"  # an admin ended it as failed


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"
    DEAD = "dead"  # cannot be rendered, or the channel refused it as malformed: for admins
    SUPERSEDED = "superseded"  # made pointless before it went out (the code came first)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    user_id: int
    payment_id: int | None
    kind: OutboxKind
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    send_as: str | None = None  # "template": WhatsApp refused it free-form; send it so


@dataclass(frozen=True)
class SavedReference:
    """A meter or bill reference a user saved, with an optional nickname."""

    id: int
    user_id: int
    service: Service
    reference: str
    nickname: str | None
    uses: int = 0  # the user's payments to it (filled in by the listings that order by it)


# --- mobile money: wallets funded by collection, refunds out (issue 15) ----------------------


class MoneyMethod(StrEnum):
    WAVE = "wave"
    ORANGE_MONEY = "orange_money"
    FREE_MONEY = "free_money"


class Direction(StrEnum):
    IN = "in"  # collected from the customer's mobile money into their balance (*_CASHOUT)
    OUT = "out"  # paid out from their balance to their mobile money (*_CASHIN)


class FeePaidBy(StrEnum):
    CUSTOMER = "customer"  # added to what the customer pays
    OPERATOR = "operator"  # absorbed: the customer pays the amount alone


class CollectionStatus(StrEnum):
    CREATED = "created"  # row and external id committed; DEXCHANGE not called yet
    SUBMITTED = "submitted"  # the init call is (or was) in flight
    PENDING = "pending"  # DEXCHANGE accepted it: waiting for the customer's approval
    UNKNOWN = "unknown"  # timeout, dropped connection, 5xx: may or may not have gone through
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self in COLLECTION_FINAL


C = CollectionStatus
COLLECTION_FINAL = frozenset({C.SUCCESS, C.FAILED, C.CANCELLED, C.EXPIRED})
COLLECTION_OPEN = (C.CREATED, C.SUBMITTED, C.PENDING, C.UNKNOWN)
_AT_DEXCHANGE = frozenset({C.SUBMITTED, C.PENDING, C.UNKNOWN})

# The states each status may be entered from (money rule 3; the same table is a trigger in
# migration 0007). Final states lead nowhere: a success never leaves success. Only a row
# DEXCHANGE never saw (CREATED) may end without its word, and only as CANCELLED.
COLLECTION_ALLOWED_FROM: dict[CollectionStatus, frozenset[CollectionStatus]] = {
    C.CREATED: frozenset(),
    C.SUBMITTED: frozenset({C.CREATED, C.UNKNOWN}),  # a retry, under the same external id
    C.PENDING: frozenset({C.SUBMITTED, C.UNKNOWN}),
    C.UNKNOWN: frozenset({C.SUBMITTED}),
    C.SUCCESS: _AT_DEXCHANGE,
    C.FAILED: _AT_DEXCHANGE,
    C.EXPIRED: _AT_DEXCHANGE,
    C.CANCELLED: _AT_DEXCHANGE | {C.CREATED},
}


def may_collection_transition(current: CollectionStatus, target: CollectionStatus) -> bool:
    return current in COLLECTION_ALLOWED_FROM[target]


def total_for(amount: int, fee: int, fee_paid_by: FeePaidBy) -> int:
    """The customer's side: what their mobile money is asked for ('in'), or what their
    balance is debited ('out')."""
    return amount + (fee if fee_paid_by is FeePaidBy.CUSTOMER else 0)


@dataclass(frozen=True)
class MoneyAccount:
    """A user's saved mobile-money wallet, offered next time."""

    method: MoneyMethod
    number: str  # 9 digits, without +221


@dataclass(frozen=True)
class NewCollection:
    user_id: int
    direction: Direction
    idempotency_key: str
    external_id: str
    service_code: str  # WAVE_SN_CASHOUT ('in'), WAVE_SN_CASHIN ('out')...
    method: MoneyMethod
    number: str
    amount: int
    fee: int = 0
    fee_paid_by: FeePaidBy = FeePaidBy.CUSTOMER
    for_payment_id: int | None = None  # "pay the rest": the purchase this funds
    actor: str = "user"  # or the admin who ordered a refund ("admin:<id>", "cli")

    @property
    def total(self) -> int:
        return total_for(self.amount, self.fee, self.fee_paid_by)


@dataclass(frozen=True)
class Collection:
    id: int
    user_id: int
    direction: Direction
    idempotency_key: str
    external_id: str
    service_code: str
    method: MoneyMethod
    number: str
    amount: int
    fee: int
    fee_paid_by: FeePaidBy
    total: int
    status: CollectionStatus
    maybe_sent: bool
    attempts: int
    provider_tx_id: str | None
    provider_message: str | None
    payment_link: str | None
    for_payment_id: int | None
    actor: str
    checks: int
    next_check_at: datetime | None
    needs_attention: bool
    attention_reason: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @property
    def provider_amount(self) -> int:
        """What DEXCHANGE's init call carries: the total collected ('in'), or the amount
        sent ('out'). Callbacks are checked against it (money rule 8)."""
        return self.total if self.direction is Direction.IN else self.amount

    @property
    def wallet_change(self) -> int:
        """What the customer's balance with us gains on success ('in') or gives ('out')."""
        return self.amount if self.direction is Direction.IN else -self.total


class PurchaseState(StrEnum):
    """A purchase waiting for the collection that funds it ("pay the rest", migration 0008)."""

    WAITING = "waiting"  # the collection is not settled yet
    DUE = "due"  # the collection succeeded: pay it now
    PAID = "paid"  # the payment exists; its result reaches the customer as usual
    CHANGED = "changed"  # the bill changed or was paid meanwhile: the customer confirms again
    FAILED = "failed"  # could not be paid: the money stays in the wallet
    DROPPED = "dropped"  # the collection did not succeed: nothing to pay


PURCHASE_ALLOWED_FROM: dict[PurchaseState, frozenset[PurchaseState]] = {
    PurchaseState.WAITING: frozenset(),
    PurchaseState.DUE: frozenset({PurchaseState.WAITING}),
    PurchaseState.DROPPED: frozenset({PurchaseState.WAITING}),
    PurchaseState.PAID: frozenset({PurchaseState.DUE}),
    PurchaseState.CHANGED: frozenset({PurchaseState.DUE}),
    PurchaseState.FAILED: frozenset({PurchaseState.DUE}),
}


@dataclass(frozen=True)
class FundedPurchase:
    collection_id: int
    user_id: int
    quote: dict[str, Any]  # bot.services.quotes.Quote.to_dict(), as the customer confirmed it
    client_label: str | None
    state: PurchaseState
    payment_id: int | None
    detail: str | None
    created_at: datetime
    updated_at: datetime
