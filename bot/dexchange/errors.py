"""One exception per DEXCHANGE outcome; each carries the provider's own message.

What an error proves about a payment (money rule 2) depends on whether an earlier attempt
of that payment may have reached DEXCHANGE; the payment service decides, by class:
- `Rejected`: DEXCHANGE answered and did not carry out *this* request. For a first attempt,
  nothing was debited. For a retry it proves nothing: the first attempt may have gone
  through, and a retry of a paid bill is refused as "already paid".
  - `TurnedAway` (401, 403 maintenance, 404): turned away before the payment was looked at.
- `ExternalIdAlreadyUsed` (409): DEXCHANGE holds an earlier attempt under this id.
- `RateLimited` (429): not processed; slow down.
- `OutcomeUnknown`: timeout, dropped connection, 5xx, unreadable answer: may have gone through.
"""


class DexchangeError(Exception):
    """Base of every error the client raises. `body`: the raw answer, when one came."""

    kind = "error"

    def __init__(
        self, message: str, *, status_code: int | None = None, body: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body


class Rejected(DexchangeError):
    """DEXCHANGE answered and did not carry out this request."""


class TurnedAway(Rejected):
    """Refused at the door (key, maintenance, unknown path or id): says nothing of a payment."""


class InvalidRequest(Rejected):
    kind = "invalid_request"


class InsufficientBalance(Rejected):
    """The operator's DEXCHANGE account cannot cover amount + fee."""

    kind = "insufficient_balance"


class BillAlreadyPaid(Rejected):
    kind = "bill_already_paid"


class NoUnpaidBill(InvalidRequest):
    kind = "no_unpaid_bill"


class Unauthorized(TurnedAway):
    kind = "unauthorized"


class Maintenance(TurnedAway):
    kind = "maintenance"


class NotFound(TurnedAway):
    kind = "not_found"


class ExternalIdAlreadyUsed(DexchangeError):
    """409: DEXCHANGE already recorded this externalTransactionId (the first try went through)."""

    kind = "external_id_used"


class RateLimited(DexchangeError):
    """429: slow down. The request was not processed."""

    kind = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: float | None = None, body: str | None = None
    ) -> None:
        super().__init__(message, status_code=429, body=body)
        self.retry_after = retry_after


class OutcomeUnknown(DexchangeError):
    """Timeout, dropped connection or 5xx: the call may or may not have gone through."""

    kind = "outcome_unknown"
