"""The DEXCHANGE simulator: an ASGI app (Starlette) following the reference pages.

Paths, bodies and answers are those of /work/shared/reference (billing pay page is the
authority). All state is in memory (`Simulator.state`); fixed customer references
trigger the behaviours listed in docs/simulator.md.
"""

import asyncio
import contextlib
import hmac
import json
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.simulator.callbacks import CallbackSender
from bot.simulator.config import Faults, SimulatorConfig
from bot.simulator.mobile_money import (
    CASHIN,
    CASHOUT,
    MOBILE_MONEY,
    InitRefused,
    Outcome,
    init_error,
    init_view,
    outcome_for,
    parse_init,
)
from bot.simulator.notify import Changed
from bot.simulator.ratelimit import SlidingWindow
from bot.simulator.references import (
    DOC_TOKEN,
    SERVICES,
    WOYOFAL,
    WOYOFAL_MIN_AMOUNT,
    Behaviour,
    behaviour_for,
    canonical_reference,
    fee_for,
    is_valid_reference,
    make_bills,
    make_code,
    padded_reference,
)
from bot.simulator.state import Bill, SimTransaction, SimulatorState

# Woyofal references answered SUCCESS (with token) in the pay response itself.
_SYNC_WOYOFAL = {
    Behaviour.SLOW,
    Behaviour.ERROR_500,
    Behaviour.SYNC_THREE_CODES,
    Behaviour.SYNC_DOC_TOKEN,
}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BadRequest(Exception):
    """A 400 with a message meant for the client."""


def _pay_error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {
            "message": "Failed to pay bill",
            "transaction": {"success": False, "Status": "FAILED", "message": message},
        },
        status_code=status,
    )


def _maintenance() -> JSONResponse:
    return JSONResponse({"message": "API under maintenance"}, status_code=403)


def _parse_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("Malformed JSON body") from None
    if not isinstance(data, dict):
        raise BadRequest("JSON body must be an object")
    return data


def _service_and_reference(body: dict[str, Any]) -> tuple[str, str]:
    code = body.get("serviceCode")
    if code is None:
        raise BadRequest("serviceCode is required")
    if not isinstance(code, str) or code not in SERVICES:
        raise BadRequest(f"Unknown serviceCode (expected one of {', '.join(SERVICES)})")
    reference = body.get("reference_client")
    if reference is None:
        raise BadRequest("reference_client is required")
    if not is_valid_reference(reference):
        raise BadRequest("reference_client must be a string of 6 to 20 digits")
    assert isinstance(reference, str)
    return code, reference


def _optional_str(body: dict[str, Any], key: str, *, non_empty: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or (non_empty and not value):
        raise BadRequest(f"{key} must be a {'non-empty ' if non_empty else ''}string")
    return value


def _woyofal_amount(value: object) -> int:
    if value is None:
        raise BadRequest("amount is required for Woyofal")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest("amount must be a number")
    if isinstance(value, float) and not value.is_integer():
        raise BadRequest("amount must be a whole number of FCFA")
    amount = int(value)
    if amount <= 0:
        raise BadRequest("amount must be positive")
    if amount < WOYOFAL_MIN_AMOUNT:
        raise BadRequest(f"Minimum Woyofal amount is {WOYOFAL_MIN_AMOUNT} FCFA")
    return amount


def _callback_url(body: dict[str, Any]) -> str | None:
    url = _optional_str(body, "callBackURL")
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        raise BadRequest("callBackURL must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("callBackURL must be an http(s) URL")
    return url


class Simulator:
    """In-process DEXCHANGE: `app` to serve, `state` to inspect."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.state = SimulatorState(
            balance=self.config.initial_balance, last_balance_update=now_iso()
        )
        self._limiter = SlidingWindow(self.config.rate_per_minute, self.config.rate_window_seconds)
        self._changed = Changed()
        self.faults = Faults()
        self._sender = CallbackSender(
            self.config, self.state, self._settle, self._changed, self.faults
        )
        self._rng = random.Random()
        self.app = Starlette(
            routes=[
                Route("/api/v1/billing/inquiry", self._inquiry, methods=["POST"]),
                Route("/api/v1/billing/pay", self._pay, methods=["POST"]),
                Route("/api/v1/transaction/init", self._init, methods=["POST"]),
                Route("/api/v1/transaction/{transaction_id}", self._transaction, methods=["GET"]),
                Route("/api/v1/api-services/balance", self._balance, methods=["GET"]),
                Route("/api/v1/api-services/services", self._services, methods=["GET"]),
                Route("/_sim/state", self._sim_state, methods=["GET"]),
                Route("/_sim/faults", self._sim_faults, methods=["POST"]),
                Route("/_sim/wave/{transaction_id}", self._sim_wave, methods=["GET"]),
            ],
            exception_handlers={HTTPException: self._http_exception},
            lifespan=self._lifespan,
            max_body_size=1 << 20,
        )

    # -- test helpers -----------------------------------------------------------------

    # The `timeout` parameters are part of the public interface the tests code against.
    async def wait_for_pay_calls(self, n: int, timeout: float = 10) -> None:
        """Return once at least `n` POST /billing/pay were received; TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while self.state.pay_calls < n:
                await self._changed.wait()

    async def wait_callbacks_idle(self, timeout: float = 10) -> None:
        """Return once every scheduled callback was delivered or given up; else TimeoutError."""
        async with asyncio.timeout(timeout):
            while self._sender.pending > 0:
                await self._changed.wait()

    # -- plumbing ---------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._sender.start()
        try:
            yield
        finally:
            await self._sender.stop()

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"message": exc.detail}, status_code=exc.status_code)

    def _gate(self, request: Request) -> Response | None:
        """Rate limit, then API key."""
        now = time.monotonic()
        self.state.api_arrivals.append(now)
        retry_after = self._limiter.hit(now)
        if retry_after is not None:
            self.state.rate_limited += 1
            return JSONResponse(
                {"message": "Too many requests"},
                status_code=429,
                headers={"Retry-After": str(retry_after)},
            )
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.strip().encode(), self.config.api_key.encode()
        ):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if self.faults.maintenance:
            return _maintenance()
        return None

    def _bills(self, service_code: str, reference: str) -> list[Bill]:
        key = (service_code, canonical_reference(reference))
        if key not in self.state.bills:
            self.state.bills[key] = make_bills(service_code, reference, datetime.now(UTC).date())
        return self.state.bills[key]

    def _new_transaction_id(self) -> str:
        while True:
            tid = f"TID{self._rng.randrange(10**9):09d}"
            if tid not in self.state.transactions:
                return tid

    def _move_balance(self, delta: int) -> tuple[int, int]:
        previous = self.state.balance
        self.state.balance += delta
        self.state.last_balance_update = now_iso()
        return previous, self.state.balance

    def _settle(self, txn: SimTransaction) -> None:
        """Give a transaction its final state (idempotent): token, or refund on failure."""
        if txn.completed_at is not None:
            return
        txn.status = txn.final_status
        txn.completed_at = now_iso()
        if txn.transaction_type == CASHOUT:
            # Collected from the customer's wallet: the account gets it, less the fee.
            if txn.status == "SUCCESS":
                moved = self._move_balance(txn.amount - txn.fee)
                txn.previous_balance, txn.current_balance = moved
                self.state.credits += 1
            return
        if txn.status == "FAILED":
            previous, current = self._move_balance(txn.amount + txn.fee)
            txn.refund_previous_balance, txn.refund_current_balance = previous, current
            self.state.refunds += 1
        elif txn.service_code == WOYOFAL:
            behaviour = behaviour_for(txn.service_code, txn.reference_client)
            issued = self.state.issued_tokens
            if behaviour is Behaviour.SYNC_DOC_TOKEN:
                txn.token = DOC_TOKEN
            elif behaviour is Behaviour.SYNC_THREE_CODES:
                codes = [make_code(f"{txn.transaction_id}:{i}", issued) for i in range(3)]
                txn.token = " ".join(codes)
            else:
                txn.token = make_code(txn.transaction_id, issued)

    # -- endpoints --------------------------------------------------------------------

    async def _inquiry(self, request: Request) -> Response:
        raw = await request.body()
        if (refused := self._gate(request)) is not None:
            return refused
        try:
            body = _parse_object(raw)
            if canonical_reference(str(body.get("reference_client"))) == "666666666":
                return _maintenance()
            code, reference = _service_and_reference(body)
        except BadRequest as exc:
            return JSONResponse({"success": False, "message": str(exc)}, status_code=400)
        bills = [] if code == WOYOFAL else [b for b in self._bills(code, reference) if not b.paid]
        fee_percent = self.config.fee_percent

        def frais(montant: int) -> int:
            scripted = self.faults.bill_fee
            return fee_for(montant, fee_percent) if scripted is None else scripted

        return JSONResponse(
            {
                "success": True,
                "referenceClient": padded_reference(reference),
                "bills": [
                    {
                        "paymentTransactionNumber": b.payment_transaction_number,
                        "referenceClient": b.reference_client,
                        "referenceFacture": b.reference_facture,
                        "nom": b.nom,
                        "prenom": b.prenom,
                        "montant": b.montant,
                        "frais": frais(b.montant),
                        "total": b.montant + frais(b.montant),
                        "dateEcheance": b.date_echeance,
                        "paid": b.paid,
                        "address": b.address,
                        "meterStatus": b.meter_status,
                    }
                    for b in bills
                ],
            }
        )

    async def _pay(self, request: Request) -> Response:
        raw = await request.body()
        body: dict[str, Any] | None = None
        with contextlib.suppress(BadRequest):
            body = _parse_object(raw)
            self.state.pay_requests.append(body)
        self.state.pay_calls += 1
        self._changed.notify()
        if (refused := self._gate(request)) is not None:
            return refused
        if self.faults.pay_status is not None:
            return JSONResponse({"message": "Scripted answer"}, status_code=self.faults.pay_status)
        try:
            if body is None:
                body = _parse_object(raw)  # raises the parse error
            if canonical_reference(str(body.get("reference_client"))) == "666666666":
                return _maintenance()
            code, reference = _service_and_reference(body)
            amount = _woyofal_amount(body.get("amount")) if code == WOYOFAL else 0
            facture = _optional_str(body, "reference_facture")
            external_id = _optional_str(body, "externalTransactionId", non_empty=True)
            callback_url = _callback_url(body)
            custom_data = _optional_str(body, "customData")
        except BadRequest as exc:
            return _pay_error(str(exc))

        # From here to the record there is no await: checks and debit are atomic.
        if external_id is not None and external_id in self.state.by_external_id:
            return JSONResponse({"message": "externalTransactionId already used"}, status_code=409)
        behaviour = behaviour_for(code, reference)
        if behaviour is Behaviour.ALREADY_PAID:
            return _pay_error("Bill already paid")
        bill: Bill | None = None
        if code != WOYOFAL:
            bills = self._bills(code, reference)
            if facture is not None:
                bill = next((b for b in bills if b.reference_facture == facture), None)
                if bill is None:
                    return _pay_error("Bill not found for this reference_client")
                if bill.paid:
                    return _pay_error("Bill already paid")
            else:
                bill = next((b for b in bills if not b.paid), None)
                if bill is None:
                    return _pay_error("No unpaid bill for this reference_client")
            amount = bill.montant
        pay_fee_percent = self.config.pay_fee_percent
        fee = fee_for(
            amount, self.config.fee_percent if pay_fee_percent is None else pay_fee_percent
        )
        if behaviour is Behaviour.INSUFFICIENT or amount + fee > self.state.balance:
            return _pay_error("Insufficient balance")

        txn = self._record(
            code, reference, amount, fee, behaviour, bill, external_id, callback_url, custom_data
        )
        if self.faults.maintenance_after_debit:
            # Took the money, then went into maintenance before answering.
            self.faults.maintenance_after_debit = False
            self.faults.maintenance = True
            return JSONResponse({"message": "Gateway timeout"}, status_code=504)
        if behaviour is Behaviour.ERROR_500:
            return JSONResponse({"message": "Internal server error"}, status_code=500)
        if behaviour is Behaviour.SLOW:
            await asyncio.sleep(self.config.slow_seconds)
        view = _pay_view(txn, self.faults.reported_fee, self.faults.reported_amount)
        return JSONResponse({"message": "Bill paid successfully", "transaction": view})

    def _record(
        self,
        code: str,
        reference: str,
        amount: int,
        fee: int,
        behaviour: Behaviour,
        bill: Bill | None,
        external_id: str | None,
        callback_url: str | None,
        custom_data: str | None,
    ) -> SimTransaction:
        """Accept a transaction: debit, mark the bill paid, schedule its callback."""
        previous, current = self._move_balance(-(amount + fee))
        self.state.debits += 1
        if bill is not None:
            bill.paid = True
        synchronous = code != WOYOFAL or behaviour in _SYNC_WOYOFAL
        txn = SimTransaction(
            transaction_id=self._new_transaction_id(),
            external_transaction_id=external_id,
            service_code=code,
            reference_client=reference,
            amount=amount,
            fee=fee,
            status="PROCESSING",
            final_status="FAILED" if behaviour is Behaviour.PROCESSING_FAIL else "SUCCESS",
            initiated_at=now_iso(),
            previous_balance=previous,
            current_balance=current,
            reference_facture=bill.reference_facture if bill is not None else None,
            callback_url=callback_url,
            custom_data=custom_data,
        )
        self.state.transactions[txn.transaction_id] = txn
        if external_id is not None:
            self.state.by_external_id[external_id] = txn.transaction_id
        if synchronous:
            self._settle(txn)
            self._sender.schedule(txn.transaction_id, self.config.sync_callback_delay)
        else:
            self._sender.schedule(txn.transaction_id, self.config.callback_delay)
        return txn

    async def _init(self, request: Request) -> Response:
        """Start a collection (CASHOUT) or a payout (CASHIN); it settles later, by number."""
        raw = await request.body()
        body: dict[str, Any] | None = None
        with contextlib.suppress(BadRequest):
            body = _parse_object(raw)
            self.state.init_requests.append(body)
        self.state.init_calls += 1
        self._changed.notify()
        if (refused := self._gate(request)) is not None:
            return refused
        try:
            init = parse_init(_parse_object(raw) if body is None else body)
        except (BadRequest, InitRefused) as exc:
            return JSONResponse(init_error(str(exc)), status_code=400)

        # From here to the record there is no await: checks and debit are atomic.
        if init.external_id in self.state.by_external_id:
            return JSONResponse({"message": "externalTransactionId already used"}, status_code=409)
        fee = fee_for(init.amount, self.config.collection_fee_percent)
        if init.kind == CASHIN:
            if init.amount + fee > self.state.balance:
                return JSONResponse(init_error("Insufficient balance"), status_code=400)
            previous, current = self._move_balance(-(init.amount + fee))
            self.state.debits += 1
        else:
            previous = current = self.state.balance
        outcome = outcome_for(init.kind, init.number)
        txn = SimTransaction(
            transaction_id=self._new_transaction_id(),
            external_transaction_id=init.external_id,
            service_code=init.service.code,
            reference_client=init.number,
            amount=init.amount,
            fee=fee,
            status="PENDING",
            final_status="SUCCESS" if outcome is Outcome.SLOW else outcome.value,
            initiated_at=now_iso(),
            previous_balance=previous,
            current_balance=current,
            callback_url=init.callback_url,
            transaction_type=init.kind,
        )
        self.state.transactions[txn.transaction_id] = txn
        self.state.by_external_id[init.external_id] = txn.transaction_id
        expires = outcome is Outcome.EXPIRED
        delay = self.config.collection_expiry if expires else self.config.collection_delay
        self._sender.schedule(txn.transaction_id, delay)
        view = init_view(txn, str(request.base_url))  # as it stood when it was recorded
        if outcome is Outcome.SLOW:
            await asyncio.sleep(self.config.slow_seconds)
        return JSONResponse({"message": "Transaction initiated", "transaction": view})

    async def _transaction(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        if self.faults.status_http is not None:
            return JSONResponse({"message": "Scripted answer"}, status_code=self.faults.status_http)
        txn = self.state.transactions.get(request.path_params["transaction_id"])
        if txn is None:
            return JSONResponse({"message": "Transaction not found"}, status_code=404)
        service = SERVICES.get(txn.service_code) or MOBILE_MONEY[txn.service_code]
        view: dict[str, Any] = {
            "ServiceName": service.name,
            "ServiceCode": service.code,
            "OperatorApi": service.operator,
            "Type": txn.transaction_type,
            "Amount": txn.amount
            if self.faults.reported_amount is None
            else self.faults.reported_amount,
            "Number": txn.reference_client,
            "Status": txn.status,
            "Initiated_at": txn.initiated_at,
            "Completed_at": txn.completed_at,
        }
        if txn.token is not None and txn.status == "SUCCESS" and self.config.status_shows_token:
            view["token"] = txn.token
        return JSONResponse({"message": "Transaction found", "transaction": view})

    async def _balance(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        return JSONResponse(
            {
                "balance": {
                    "success": True,
                    "balance": self.state.balance,
                    "currency": "XOF",
                    "lastUpdate": self.state.last_balance_update,
                }
            }
        )

    async def _services(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        return JSONResponse(
            {
                "services": [
                    {
                        "serviceName": s.name,
                        "serviceCode": s.code,
                        "serviceType": s.service_type,
                        "country": "SN",
                    }
                    for s in SERVICES.values()
                ]
            }
        )

    async def _sim_state(self, request: Request) -> Response:
        # Test tool, no auth and no rate limit: never expose a simulator beyond loopback.
        return JSONResponse({**self.state.to_json(), "faults": self.faults.to_json()})

    async def _sim_wave(self, request: Request) -> Response:
        """Where a Wave collection's link leads: a page saying what the customer would
        approve (test tool; the outcome is still chosen by the number)."""
        txn = self.state.transactions.get(request.path_params["transaction_id"])
        if txn is None or txn.transaction_type != CASHOUT:
            return JSONResponse({"message": "Transaction not found"}, status_code=404)
        return HTMLResponse(
            f"<!doctype html><title>Wave (simulated)</title>"
            f"<p>Paiement de {txn.amount} FCFA depuis le {txn.reference_client[:2]}…"
            f"{txn.reference_client[-2:]}: {txn.status}</p>"
        )

    async def _sim_faults(self, request: Request) -> Response:
        """Switch faults on or off (test tool, like /_sim/state)."""
        try:
            self.faults.update(_parse_object(await request.body()))
        except (BadRequest, ValueError) as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        return JSONResponse(self.faults.to_json())


def _pay_view(
    txn: SimTransaction, reported_fee: int | None = None, reported_amount: int | None = None
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "success": True,
        "transactionId": txn.transaction_id,
        "externalTransactionId": txn.external_transaction_id,
        "transactionType": "BILL",
        "amount": txn.amount if reported_amount is None else reported_amount,
        "transactionFee": txn.fee if reported_fee is None else reported_fee,
        "number": txn.reference_client,
    }
    if txn.reference_facture is not None:
        view["referenceFacture"] = txn.reference_facture
    if txn.service_code == WOYOFAL and txn.status == "SUCCESS" and txn.token is not None:
        view["token"] = txn.token
    view["Status"] = txn.status
    view["previousBalance"] = txn.previous_balance
    view["currentBalance"] = txn.current_balance
    if txn.status == "PROCESSING":
        view["message"] = "Top-up in progress — token available shortly"
    elif txn.service_code == WOYOFAL:
        view["message"] = "Top-up successful"
    else:
        view["message"] = "Bill paid successfully"
    return view
