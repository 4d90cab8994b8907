"""Pydantic models of DEXCHANGE bodies, tolerant where the provider is loose.

Extra fields are ignored, numbers may come as strings, status words in any case, callback
keys in any case and with or without underscores.
"""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.dexchange.tokens import parse_codes


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)


# Far above any real figure (FCFA): beyond it a body is broken, not describing money.
_MAX_FIGURE = Decimal(10) ** 12


def _to_int(value: Any) -> int | None:
    """A whole number of FCFA from an int, a float or a string ("5 000"); ValueError (what
    pydantic reports as invalid) for anything else: lists, booleans, infinities, NaN."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("not an amount")
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace("\u202f", "")
    try:
        number = Decimal(value)  # exact, for floats too; no OverflowError on "1e400"
        if not number.is_finite() or number.copy_abs() > _MAX_FIGURE:
            raise ValueError("not a plausible amount")
        if number != number.to_integral_value():
            raise ValueError("amounts are whole FCFA")
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        raise ValueError("not a number") from None
    return int(number)


def _flat_token(value: Any) -> Any:
    """A callback's token: text, a number, or a flat list of them. Anything nested is a
    broken body (and nested deep enough, it would exhaust the recursion of parse_codes)."""
    items = value if isinstance(value, list) else [value]
    if not all(item is None or isinstance(item, str | int | float) for item in items):
        raise ValueError("token is neither text nor a list of texts")
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def normalise_reference(reference: str) -> str:
    """DEXCHANGE pads references with zeros (210278816 → 000210278816)."""
    stripped = reference.strip().lstrip("0")
    return stripped or "0"


# --- requests -------------------------------------------------------------------------------


class InquiryRequest(BaseModel):
    serviceCode: str
    reference_client: str


class PayRequest(BaseModel):
    serviceCode: str
    reference_client: str
    amount: int | None = None
    reference_facture: str | None = None
    externalTransactionId: str
    callBackURL: str | None = None
    customData: str | None = None


class InitRequest(BaseModel):
    """A mobile-money collection (`*_CASHOUT`) or payout (`*_CASHIN`): every field required."""

    externalTransactionId: str
    serviceCode: str
    amount: int
    number: str  # 9 digits, no country code
    callBackURL: str
    successUrl: str
    failureUrl: str


# --- responses ------------------------------------------------------------------------------


class Bill(_Loose):
    reference_client: str = Field(default="", alias="referenceClient")
    reference_facture: str | None = Field(default=None, alias="referenceFacture")
    payment_transaction_number: str | None = Field(default=None, alias="paymentTransactionNumber")
    last_name: str = Field(default="", alias="nom")
    first_name: str = Field(default="", alias="prenom")
    amount: int = Field(alias="montant")
    fee: int = Field(default=0, alias="frais")
    total: int | None = None
    due_date: str | None = Field(default=None, alias="dateEcheance")
    paid: bool = False
    address: str | None = None

    _ints = field_validator("amount", "fee", "total", mode="before")(_to_int)

    @property
    def holder_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part).strip()

    @property
    def total_due(self) -> int:
        return self.total if self.total is not None else self.amount + self.fee


class InquiryResponse(_Loose):
    success: bool = True
    reference_client: str | None = Field(default=None, alias="referenceClient")
    bills: list[Bill] = Field(default_factory=list)

    @property
    def unpaid_bills(self) -> list[Bill]:
        return [bill for bill in self.bills if not bill.paid]


class PayTransaction(_Loose):
    success: bool | None = None
    transaction_id: str | None = Field(default=None, alias="transactionId")
    external_transaction_id: str | None = Field(default=None, alias="externalTransactionId")
    amount: int | None = None
    fee: int | None = Field(default=None, alias="transactionFee")
    number: str | None = None
    reference_facture: str | None = Field(default=None, alias="referenceFacture")
    token: Any = None
    status: str | None = Field(default=None, alias="Status")
    previous_balance: int | None = Field(default=None, alias="previousBalance")
    current_balance: int | None = Field(default=None, alias="currentBalance")
    message: str | None = None

    _ints = field_validator("amount", "fee", "previous_balance", "current_balance", mode="before")(
        _to_int
    )
    _status = field_validator("status", mode="before")(_upper)

    @property
    def codes(self) -> list[str]:
        return parse_codes(self.token)


class PayResponse(_Loose):
    message: str | None = None
    transaction: PayTransaction = Field(default_factory=PayTransaction)


# DEXCHANGE publishes no name for the link a customer follows to approve a collection
# (Wave): any of these, compared with case, "_" and "-" folded away; first match wins.
_LINK_KEYS = (
    "paymenturl",
    "paymentlink",
    "cashouturl",
    "checkouturl",
    "wavelaunchurl",
    "launchurl",
    "redirecturl",
    "deeplinkurl",
    "deeplink",
    "approvalurl",
    "url",
    "link",
)


def _folded(raw: dict[Any, Any]) -> dict[str, Any]:
    """Keys folded (case, "_", "-"); nested objects left out; the first spelling wins."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(key, str) and not isinstance(value, dict):
            flat.setdefault(_fold(key), value)
    return flat


def _link_in(flat: dict[str, Any]) -> str | None:
    """The first http(s) URL under a plausible key; anything else is no link at all."""
    for key in _LINK_KEYS:
        value = flat.get(key)
        if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
            return value.strip()
    return None


class InitTransaction(_Loose):
    """The `transaction` of a transaction/init answer: read from folded keys, since only
    `{message, transaction}` is published."""

    success: bool | None = None
    transaction_id: str | None = Field(default=None, alias="transactionid")
    external_transaction_id: str | None = Field(default=None, alias="externaltransactionid")
    amount: int | None = None
    fee: int | None = None
    number: str | None = None
    service_code: str | None = Field(default=None, alias="servicecode")
    status: str | None = None
    message: str | None = None
    link: str | None = None  # never required: Orange Money has none, Wave may

    _ints = field_validator("amount", "fee", mode="before")(_to_int)
    _status = field_validator("status", mode="before")(_upper)

    @model_validator(mode="before")
    @classmethod
    def _fold_keys(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        flat = _folded(raw)
        for alias, key in (("id", "transactionid"), ("transactionfee", "fee")):
            if key not in flat and alias in flat:
                flat[key] = flat[alias]
        flat["link"] = _link_in(flat)
        return flat


class InitResponse(_Loose):
    message: str | None = None
    transaction: InitTransaction = Field(default_factory=InitTransaction)
    outer_link: str | None = None  # a link beside `transaction` rather than in it

    @model_validator(mode="before")
    @classmethod
    def _unwrapped(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        flat = _folded(raw)
        body: dict[str, Any] = {"message": flat.get("message"), "outer_link": _link_in(flat)}
        nested = raw.get("transaction")
        # A body without the `transaction` wrapper carries the transaction's fields itself.
        body["transaction"] = nested if isinstance(nested, dict) else raw
        return body

    @property
    def link(self) -> str | None:
        return self.transaction.link or self.outer_link


class TransactionDetails(_Loose):
    service_name: str | None = Field(default=None, alias="ServiceName")
    service_code: str | None = Field(default=None, alias="ServiceCode")
    type: str | None = Field(default=None, alias="Type")  # BILL, CASHOUT (collection), CASHIN
    amount: int | None = Field(default=None, alias="Amount")
    number: str | None = Field(default=None, alias="Number")
    status: str | None = Field(default=None, alias="Status")
    initiated_at: str | None = Field(default=None, alias="Initiated_at")
    completed_at: str | None = Field(default=None, alias="Completed_at")
    token: Any = None
    fee: int | None = Field(default=None, alias="Fee")

    _ints = field_validator("amount", "fee", mode="before")(_to_int)
    _status = field_validator("status", "type", mode="before")(_upper)

    @property
    def codes(self) -> list[str]:
        return parse_codes(self.token)


class TransactionStatusResponse(_Loose):
    message: str | None = None
    transaction: TransactionDetails


class Balance(_Loose):
    success: bool = True
    balance: int
    currency: str = "XOF"
    last_update: str | None = Field(default=None, alias="lastUpdate")

    _ints = field_validator("balance", mode="before")(_to_int)


class BalanceResponse(_Loose):
    balance: Balance


# --- callbacks ------------------------------------------------------------------------------


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


class CallbackBody(_Loose):
    """A DEXCHANGE webhook; build it with `CallbackBody.parse(raw_dict)`."""

    transaction_id: str | None = Field(default=None, alias="id")
    external_transaction_id: str | None = Field(default=None, alias="externaltransactionid")
    amount: int | None = None
    fee: int | None = None
    phone_number: str | None = Field(default=None, alias="phonenumber")
    status: str = Field(alias="status")
    completed_at: str | None = Field(default=None, alias="completedat")
    token: Any = None
    custom_data: str | None = Field(default=None, alias="customdata")
    reference_facture: str | None = Field(default=None, alias="referencefacture")
    previous_balance: int | None = Field(default=None, alias="previousbalance")
    current_balance: int | None = Field(default=None, alias="currentbalance")

    _ints = field_validator("amount", "fee", "previous_balance", "current_balance", mode="before")(
        _to_int
    )
    _status = field_validator("status", mode="before")(_upper)
    _token = field_validator("token", mode="before")(_flat_token)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "CallbackBody":
        """Fold key case and underscores; accept a body wrapped in `transaction`."""
        flat: dict[str, Any] = {}
        nested = raw.get("transaction")
        for source in (nested if isinstance(nested, dict) else {}, raw):
            for key, value in source.items():
                if isinstance(key, str) and not isinstance(value, dict):
                    flat.setdefault(_fold(key), value)
        if "id" not in flat and "transactionid" in flat:
            flat["id"] = flat["transactionid"]
        return cls.model_validate(flat)

    @property
    def codes(self) -> list[str]:
        return parse_codes(self.token)
