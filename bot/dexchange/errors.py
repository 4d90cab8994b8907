"""One exception per DEXCHANGE outcome; each carries the provider's own message."""


class DexchangeError(Exception):
    """Base of every error the client raises."""

    kind = "error"

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class Rejected(DexchangeError):
    """DEXCHANGE answered and refused: nothing was debited."""


class InvalidRequest(Rejected):
    kind = "invalid_request"


class InsufficientBalance(Rejected):
    """The operator's DEXCHANGE account cannot cover amount + fee."""

    kind = "insufficient_balance"


class BillAlreadyPaid(Rejected):
    kind = "bill_already_paid"


class NoUnpaidBill(InvalidRequest):
    kind = "no_unpaid_bill"


class Unauthorized(Rejected):
    kind = "unauthorized"


class Maintenance(Rejected):
    kind = "maintenance"


class NotFound(Rejected):
    kind = "not_found"


class ExternalIdAlreadyUsed(DexchangeError):
    """409: DEXCHANGE already recorded this externalTransactionId (the first try went through)."""

    kind = "external_id_used"


class RateLimited(DexchangeError):
    """429: slow down. The request was not processed."""

    kind = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class OutcomeUnknown(DexchangeError):
    """Timeout, dropped connection or 5xx: the call may or may not have gone through."""

    kind = "outcome_unknown"
