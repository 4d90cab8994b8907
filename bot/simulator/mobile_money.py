"""Mobile-money collections and payouts (`POST /transaction/init`): services, test numbers,
validation of the request and the answer's body.

A `*_CASHOUT` collects from a customer's wallet (the customer approves it on their phone);
a `*_CASHIN` pays out of the operator's DEXCHANGE balance to a wallet. Test numbers work
like the bill references: a fixed phone number triggers a fixed outcome (docs/simulator.md).
"""

import enum
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.simulator.references import Service
from bot.simulator.state import SimTransaction

CASHOUT, CASHIN = "CASHOUT", "CASHIN"
MIN_AMOUNT, MAX_AMOUNT = 200, 1_000_000

MOBILE_MONEY: dict[str, Service] = {
    code: Service(code, name, operator, kind, "")
    for code, name, operator, kind in (
        ("WAVE_SN_CASHOUT", "Wave collection", "WAVE", CASHOUT),
        ("OM_SN_CASHOUT", "Orange Money collection", "ORANGE_MONEY", CASHOUT),
        ("FM_SN_CASHOUT", "Free Money collection", "FREE_MONEY", CASHOUT),
        ("WAVE_SN_CASHIN", "Wave payout", "WAVE", CASHIN),
        ("OM_SN_CASHIN", "Orange Money payout", "ORANGE_MONEY", CASHIN),
        ("FM_SN_CASHIN", "Free Money payout", "FREE_MONEY", CASHIN),
    )
}

# DEXCHANGE publishes no name for the approval link of a Wave collection; the simulator
# uses this one and the bot must read any plausible key (docs/simulator.md).
LINK_FIELD = "paymentUrl"


class Outcome(enum.Enum):
    SUCCESS = "SUCCESS"  # after collection_delay (any number without a row below)
    FAILED = "FAILED"  # after collection_delay (wallet refused, insufficient funds…)
    EXPIRED = "EXPIRED"  # after collection_expiry: the customer never approved
    CANCELLED = "CANCELLED"  # after collection_delay: the customer declined
    SLOW = "SLOW"  # recorded, SUCCESS after collection_delay, answered after slow_seconds


TEST_NUMBERS: dict[str, Outcome] = {
    "770000000": Outcome.SUCCESS,
    "770000001": Outcome.FAILED,
    "770000002": Outcome.EXPIRED,
    "770000003": Outcome.CANCELLED,
    "770000004": Outcome.SLOW,
}


def outcome_for(kind: str, number: str) -> Outcome:
    """A payout needs no approval: it cannot expire nor be cancelled by the customer."""
    outcome = TEST_NUMBERS.get(number, Outcome.SUCCESS)
    if kind == CASHIN and outcome in (Outcome.EXPIRED, Outcome.CANCELLED):
        return Outcome.SUCCESS
    return outcome


@dataclass(frozen=True)
class InitRequest:
    external_id: str
    service: Service
    amount: int
    number: str
    callback_url: str
    success_url: str
    failure_url: str

    @property
    def kind(self) -> str:
        return self.service.service_type


class InitRefused(Exception):
    """A 400 with a message meant for the client."""


def _required(body: dict[str, Any], key: str) -> object:
    value = body.get(key)
    if value is None or value == "":
        raise InitRefused(f"{key} is required")
    return value


def _url(body: dict[str, Any], key: str) -> str:
    value = _required(body, key)
    if not isinstance(value, str):
        raise InitRefused(f"{key} must be an http(s) URL")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise InitRefused(f"{key} must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InitRefused(f"{key} must be an http(s) URL")
    return value


def _amount(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InitRefused("amount must be a number")
    if isinstance(value, float) and not value.is_integer():
        raise InitRefused("amount must be a whole number of FCFA")
    amount = int(value)
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise InitRefused(f"amount must be between {MIN_AMOUNT} and {MAX_AMOUNT} FCFA")
    return amount


def parse_init(body: dict[str, Any]) -> InitRequest:
    """Every field is required (DEXCHANGE's reference); InitRefused says which is wrong."""
    external_id = _required(body, "externalTransactionId")
    if not isinstance(external_id, str):
        raise InitRefused("externalTransactionId must be a non-empty string")
    code = _required(body, "serviceCode")
    if not isinstance(code, str) or code not in MOBILE_MONEY:
        raise InitRefused(f"Unknown serviceCode (expected one of {', '.join(MOBILE_MONEY)})")
    amount = _amount(_required(body, "amount"))
    number = _required(body, "number")
    if not (isinstance(number, str) and number.isascii() and number.isdigit() and len(number) == 9):
        raise InitRefused("number must be 9 digits, without the country code")
    return InitRequest(
        external_id=external_id,
        service=MOBILE_MONEY[code],
        amount=amount,
        number=number,
        callback_url=_url(body, "callBackURL"),
        success_url=_url(body, "successUrl"),
        failure_url=_url(body, "failureUrl"),
    )


def init_error(message: str) -> dict[str, Any]:
    return {
        "message": "Failed to initiate transaction",
        "transaction": {"success": False, "Status": "FAILED", "message": message},
    }


def _instructions(txn: SimTransaction) -> str:
    if txn.transaction_type == CASHIN:
        return "Payout in progress"
    if txn.service_code.startswith("WAVE"):
        return "Approve the payment in the Wave app or with the link"
    return "Confirm the payment on your phone"


def init_view(txn: SimTransaction, link_base: str) -> dict[str, Any]:
    """The `transaction` of a 200 answer: the Wizall confirmation's fields, plus ours."""
    view: dict[str, Any] = {
        "success": True,
        "transactionId": txn.transaction_id,
        "externalTransactionId": txn.external_transaction_id,
        "transactionType": txn.transaction_type,
        "serviceCode": txn.service_code,
        "amount": txn.amount,
        "fee": txn.fee,
        "number": txn.reference_client,
        "Status": txn.status,
        "message": _instructions(txn),
    }
    if txn.transaction_type == CASHOUT and txn.service_code.startswith("WAVE"):
        view[LINK_FIELD] = f"{link_base.rstrip('/')}/_sim/wave/{txn.transaction_id}"
    return view
