"""The DEXCHANGE billing API client (httpx).

Safe calls (inquiry, status, balance) are retried with backoff; calls that move money (pay,
transaction/init) never are: whether and when to try one again is the caller's decision,
always under the same externalTransactionId.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from bot.dexchange import errors
from bot.dexchange.aiohttp_transport import AiohttpTransport
from bot.dexchange.models import (
    Balance,
    BalanceResponse,
    InitRequest,
    InitResponse,
    InitTransaction,
    InquiryRequest,
    InquiryResponse,
    PayRequest,
    PayResponse,
    PayTransaction,
    TransactionStatusResponse,
)
from bot.dexchange.ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
ResultT = TypeVar("ResultT")

API = "/api/v1"
SAFE_RETRIES = 3
KEPT_BODY_CHARS = 16_000  # of a raw answer kept for the record


@dataclass(frozen=True)
class Answer(Generic[ModelT]):
    """A 2xx answer: the model read from it, and the raw body to store before acting on it."""

    model: ModelT
    body: str
    status_code: int


def _message_of(body: Any) -> str:
    """The most specific message in an error body."""
    if isinstance(body, dict):
        transaction = body.get("transaction")
        if isinstance(transaction, dict) and transaction.get("message"):
            return str(transaction["message"])
        for key in ("message", "error", "detail"):
            if body.get(key):
                return str(body[key])
    return "no message"


def _classify_400(message: str, code: int = 400, body: str | None = None) -> errors.Rejected:
    text = message.lower()
    if "insufficient" in text or "insuffisant" in text:
        return errors.InsufficientBalance(message, status_code=code, body=body)
    if "already paid" in text or "déjà payée" in text or "deja payee" in text:
        return errors.BillAlreadyPaid(message, status_code=code, body=body)
    if "no unpaid" in text or "aucune facture" in text:
        return errors.NoUnpaidBill(message, status_code=code, body=body)
    return errors.InvalidRequest(message, status_code=code, body=body)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


class DexchangeClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_per_minute: int = 100,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_error: Callable[[errors.DexchangeError], None] = lambda error: None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + API,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": "senpay-bot",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            # By default the bytes travel through aiohttp (see aiohttp_transport.py); tests
            # inject their own transport.
            transport=transport or AiohttpTransport(),
        )
        # One limiter per client; the composition root builds one client per process.
        self.limiter = SlidingWindowLimiter(rate_per_minute, 60.0)
        self._sleep = sleep
        self._on_error = on_error  # every error raised, as it is raised (metrics)

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- endpoints ---------------------------------------------------------------------------

    async def inquiry(self, service_code: str, reference: str) -> InquiryResponse:
        body = InquiryRequest(serviceCode=service_code, reference_client=reference)
        answer = await self._retrying(
            lambda: self._call("POST", "/billing/inquiry", InquiryResponse, body.model_dump())
        )
        return answer.model

    async def pay(self, request: PayRequest) -> Answer[PayResponse]:
        """One attempt. Raises OutcomeUnknown when the call may have gone through; every
        error that came with an answer carries its raw body."""
        answer = await self._call(
            "POST", "/billing/pay", PayResponse, request.model_dump(exclude_none=True)
        )
        self._refuse_if_failed(answer, answer.model.transaction, answer.model.message)
        return answer

    async def init_transaction(self, request: InitRequest) -> Answer[InitResponse]:
        """Start a mobile-money collection (`*_CASHOUT`) or payout (`*_CASHIN`). One attempt,
        with pay's errors: OutcomeUnknown when it may have been recorded, 409 when an earlier
        attempt under this externalTransactionId was. The outcome comes by callback or by
        `transaction(id)`."""
        answer = await self._call("POST", "/transaction/init", InitResponse, request.model_dump())
        self._refuse_if_failed(answer, answer.model.transaction, answer.model.message)
        return answer

    async def transaction(self, transaction_id: str) -> Answer[TransactionStatusResponse]:
        return await self._retrying(
            lambda: self._call(
                "GET", f"/transaction/{transaction_id}", TransactionStatusResponse, None
            )
        )

    async def balance(self) -> Balance:
        answer = await self._retrying(
            lambda: self._call("GET", "/api-services/balance", BalanceResponse, None)
        )
        return answer.model.balance

    # --- plumbing ----------------------------------------------------------------------------

    async def _retrying(self, attempt: Callable[[], Awaitable[ResultT]]) -> ResultT:
        """Retry a call that cannot move money: unknown outcomes and 429s, with backoff."""
        delay = 0.5
        for number in range(1, SAFE_RETRIES + 1):
            try:
                return await attempt()
            except errors.RateLimited as error:
                if number == SAFE_RETRIES:
                    raise
                await self._sleep(max(delay, error.retry_after or 0))
            except errors.OutcomeUnknown:
                if number == SAFE_RETRIES:
                    raise
                await self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _refuse_if_failed(
        self,
        answer: Answer[Any],
        transaction: PayTransaction | InitTransaction,
        outer_message: str | None,
    ) -> None:
        """A 2xx that says the money call failed is a refusal, as a 400 would be."""
        if transaction.success is False or transaction.status in ("FAILED", "CANCELLED"):
            message = transaction.message or outer_message or "payment failed"
            raise self._report(_classify_400(message, answer.status_code, answer.body))

    def _report(self, error: errors.DexchangeError) -> errors.DexchangeError:
        self._on_error(error)
        return error

    async def _call(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        json_body: dict[str, Any] | None,
    ) -> Answer[ModelT]:
        call = await self.limiter.acquire()
        try:
            response = await self._http.request(method, path, json=json_body)
        except httpx.TimeoutException as error:
            raise self._report(errors.OutcomeUnknown(f"timeout: {type(error).__name__}")) from None
        except httpx.TransportError as error:
            raise self._report(
                errors.OutcomeUnknown(f"connection error: {type(error).__name__}")
            ) from None
        finally:
            self.limiter.done(call)  # it arrived by now, at the latest
        text = response.text[:KEPT_BODY_CHARS]
        try:
            body: Any = response.json()
        except (ValueError, RecursionError):
            body = None
        code = response.status_code
        message = _message_of(body)
        log.debug("DEXCHANGE %s %s → %s", method, path, code)
        if code >= 500:
            raise self._report(errors.OutcomeUnknown(message, status_code=code, body=text))
        if code == 429:
            await self.limiter.pause_everywhere(_retry_after(response) or 1.0)
            raise self._report(
                errors.RateLimited(message, retry_after=_retry_after(response), body=text)
            )
        if code == 409:
            raise self._report(errors.ExternalIdAlreadyUsed(message, status_code=code, body=text))
        if code == 401:
            raise self._report(errors.Unauthorized(message, status_code=code, body=text))
        if code == 403:
            raise self._report(errors.Maintenance(message, status_code=code, body=text))
        if code == 404:
            raise self._report(errors.NotFound(message, status_code=code, body=text))
        if code >= 400:
            raise self._report(_classify_400(message, code, text))
        if not isinstance(body, dict):
            # A 2xx we cannot read: for pay it may have gone through.
            raise self._report(
                errors.OutcomeUnknown("unreadable answer", status_code=code, body=text)
            )
        try:
            return Answer(model.model_validate(body), text, code)
        except ValidationError as error:
            log.warning("DEXCHANGE %s %s: unexpected body (%s)", method, path, error.error_count())
            raise self._report(
                errors.OutcomeUnknown("unexpected answer", status_code=code, body=text)
            ) from None
