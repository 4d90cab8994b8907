"""The payment service: quotes, confirmation, submission and every status change.

Money rules (DESIGN.md) as they appear here:
1. `confirm` commits the payment and its external id before DEXCHANGE is called; the
   conversation's quote id is the idempotency key, so a repeated confirmation finds the row.
2. A timeout, dropped connection or 5xx leaves the payment UNKNOWN; it is only ever tried
   again under the same externalTransactionId (`submit` from UNKNOWN).
3. Status changes go through `Payments.transition`, a guarded UPDATE.
4. The message a status change owes the user is queued in the outbox in the same transaction.
5. `apply_callback` stores the raw callback and applies it only when the signature and the
   stored payment match.
"""

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot import callback_urls, wallets
from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import CallbackBody, PayRequest, normalise_reference
from bot.quotes import BillChoice, Quote, percent_fee
from storage import Repositories, Storage
from storage.database import Clock, utc_now
from storage.models import (
    NewPayment,
    OutboxKind,
    Payment,
    PaymentStatus,
    ProviderUpdate,
    Service,
)

log = logging.getLogger(__name__)

S = PaymentStatus

# Something else that moves with a status, in the same transaction: (tx, before, after).
StatusHook = Callable[[Repositories, Payment, Payment], Awaitable[None]]

# The message each status owes the user.
OUTBOX_KIND_FOR = {
    S.PROCESSING: OutboxKind.PROCESSING,
    S.UNKNOWN: OutboxKind.UNKNOWN,
    S.SUCCESS: OutboxKind.SUCCESS,
    S.FAILED: OutboxKind.FAILED,
}

_PROVIDER_STATUS = {
    "SUCCESS": S.SUCCESS,
    "SUCCESSFUL": S.SUCCESS,
    "COMPLETED": S.SUCCESS,
    "FAILED": S.FAILED,
    "CANCELLED": S.FAILED,
    "CANCELED": S.FAILED,
    "REFUNDED": S.FAILED,
    "PROCESSING": S.PROCESSING,
    "PENDING": S.PROCESSING,
}


def provider_status(word: str | None) -> PaymentStatus | None:
    return _PROVIDER_STATUS.get((word or "").strip().upper())


def check_delay(checks: int, base: float = 5.0) -> timedelta:
    """Backoff between two looks at an open payment: base, 2×, 4× … at most 10 min."""
    return timedelta(seconds=min(base * 2 ** min(checks, 10), 600))


def new_external_id(now: datetime) -> str:
    return f"SP{now:%y%m%d}{secrets.token_hex(6).upper()}"


class CallbackVerdict(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # duplicate or out of order: harmless, answered 2xx
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_PAYMENT = "unknown_payment"
    MISMATCH = "mismatch"
    MALFORMED = "malformed"

    @property
    def accepted(self) -> bool:
        return self in (CallbackVerdict.APPLIED, CallbackVerdict.IGNORED)


class PaymentService:
    def __init__(
        self,
        storage: Storage,
        client: DexchangeClient,
        *,
        fee_percent: Decimal,
        public_base_url: str,
        callback_secret: str,
        clock: Clock = utc_now,
        pay_timeout: float = 30.0,
        check_base: float = 5.0,
        processing_notice_delay: float = 1.0,
    ) -> None:
        self.storage = storage
        self.client = client
        self.fee_percent = fee_percent
        self._public_base_url = public_base_url
        self._callback_secret = callback_secret
        self._clock = clock
        self._pay_timeout = pay_timeout
        self.check_base = check_base
        self.processing_notice_delay = processing_notice_delay
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        # Wired by the composition root: wake the notifier and the reconciler.
        self.on_outbox: Callable[[], None] = lambda: None
        self.on_open_payment: Callable[[], None] = lambda: None
        self.on_transition: Callable[[Payment, str], None] = lambda payment, source: None
        self.on_callback: Callable[[CallbackVerdict], None] = lambda verdict: None
        # Added by the composition root (an agent's receipt is queued with the success).
        self.status_hooks: list[StatusHook] = []

    # --- quotes -----------------------------------------------------------------------------

    async def bill_choice(self, service: Service, reference: str) -> BillChoice:
        """Unpaid bills for a SenEau/Senelec reference. Raises dexchange errors."""
        try:
            answer = await self.client.inquiry(service.value, reference)
        except errors.NoUnpaidBill:
            return BillChoice(reference, [])
        bills = sorted(answer.unpaid_bills, key=lambda bill: bill.due_date or "")
        quotes = [
            Quote(
                service=service,
                reference=reference,
                amount=bill.amount,
                fee=bill.fee,
                bill_reference=bill.reference_facture,
                holder_name=bill.holder_name or None,
                due_date=bill.due_date,
            )
            for bill in bills
        ]
        return BillChoice(reference, quotes)

    def woyofal_quote(self, reference: str, amount: int) -> Quote:
        return Quote(
            service=Service.WOYOFAL,
            reference=reference,
            amount=amount,
            fee=percent_fee(amount, self.fee_percent),
        )

    # --- confirm and submit -----------------------------------------------------------------

    async def confirm(
        self,
        user_id: int,
        quote: Quote,
        idempotency_key: str,
        client_label: str | None = None,
    ) -> tuple[Payment, bool]:
        """Commit the payment (or find the one this key made) and start its submission.

        Returns the payment and whether this call created it. Amount + fee is reserved in
        the user's wallet in the same transaction; raises NotEnoughCredit (and creates
        nothing) when the wallet cannot cover it. `client_label` (an agent's walk-in client)
        is stored on the payment.
        """
        async with self.storage.transaction() as tx:
            payment, created = await self.create_in(
                tx, user_id, quote, idempotency_key, client_label
            )
            if created:
                await wallets.reserve(tx, payment)  # raises NotEnoughCredit: all rolls back
        if created:
            self.start_submission(payment.id)
        return payment, created

    async def create_in(
        self,
        tx: Repositories,
        user_id: int,
        quote: Quote,
        idempotency_key: str,
        client_label: str | None = None,
    ) -> tuple[Payment, bool]:
        """Create the payment inside the caller's transaction (a wallet may reserve beside it)."""
        return await tx.payments.create(
            NewPayment(
                user_id=user_id,
                idempotency_key=idempotency_key,
                service=quote.service,
                reference=quote.reference,
                amount=quote.amount,
                fee=quote.fee,
                external_id=new_external_id(self._clock()),
                bill_reference=quote.bill_reference,
                holder_name=quote.holder_name,
                due_date=quote.due_date,
                client_label=client_label,
            )
        )

    def start_submission(self, payment_id: int) -> None:
        """Submit in the background; the reconciler resubmits if this process dies."""
        if payment_id in self._in_flight:
            return
        self._in_flight.add(payment_id)
        task = asyncio.create_task(self._submit_tracked(payment_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _submit_tracked(self, payment_id: int) -> None:
        try:
            await self.submit(payment_id)
        except Exception:
            log.exception("submission of payment %s crashed; the reconciler takes over", payment_id)
        finally:
            self._in_flight.discard(payment_id)

    def in_flight(self, payment_id: int) -> bool:
        return payment_id in self._in_flight

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background submissions (shutdown, tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def submit(self, payment_id: int) -> Payment | None:
        """Call pay once for a CREATED or UNKNOWN payment, under its own external id."""
        now = self._clock()
        guard = now + timedelta(seconds=self._pay_timeout + 30)
        async with self.storage.transaction() as tx:
            payment = await tx.payments.transition(
                payment_id, S.SUBMITTED, "submit", next_check_at=guard
            )
        if payment is None:
            return None  # someone else submitted it, or it is settled
        self.on_transition(payment, "submit")
        request = PayRequest(
            serviceCode=payment.service.value,
            reference_client=payment.reference,
            amount=payment.amount,
            reference_facture=payment.bill_reference,
            externalTransactionId=payment.external_id,
            callBackURL=callback_urls.callback_url(
                self._public_base_url, self._callback_secret, payment.external_id
            ),
            customData=str(payment.id),
        )
        try:
            response = await self.client.pay(request)
        except errors.ExternalIdAlreadyUsed as error:
            # DEXCHANGE has this id from an earlier attempt: its callback will settle it.
            return await self._after_pay(
                payment, ProviderUpdate(S.UNKNOWN, message=error.message), quiet=True, has_it=True
            )
        except errors.RateLimited as error:
            retry_at = self._clock() + timedelta(seconds=error.retry_after or 5)
            return await self._after_pay(
                payment, ProviderUpdate(S.UNKNOWN, message=error.message), quiet=True, at=retry_at
            )
        except errors.OutcomeUnknown as error:
            return await self._after_pay(payment, ProviderUpdate(S.UNKNOWN, message=error.message))
        except errors.Rejected as error:
            return await self._after_pay(
                payment, ProviderUpdate(S.FAILED, message=error.message), reason=error.kind
            )
        transaction = response.transaction
        status = provider_status(transaction.status) or S.UNKNOWN
        codes = transaction.codes
        if status is S.SUCCESS and payment.service is Service.WOYOFAL and not codes:
            status = S.PROCESSING  # paid, but the code has yet to come (callback or status)
        update = ProviderUpdate(
            status=status,
            provider_tx_id=transaction.transaction_id,
            codes=codes,
            message=transaction.message or response.message,
            fee=transaction.fee,
        )
        return await self._after_pay(payment, update)

    async def _after_pay(
        self,
        payment: Payment,
        update: ProviderUpdate,
        *,
        quiet: bool = False,
        has_it: bool = False,
        at: datetime | None = None,
        reason: str | None = None,
    ) -> Payment | None:
        next_check = at or self._clock() + check_delay(0, self.check_base)
        async with self.storage.transaction() as tx:
            if has_it:
                await tx.payments.note_provider_has_it(payment.id)
            result = await self.apply_in(
                tx, payment.id, update, "pay", next_check_at=next_check, quiet=quiet, reason=reason
            )
        if result is not None and not result.status.is_final:
            self.on_open_payment()
        return result

    # --- status changes ---------------------------------------------------------------------

    async def apply_in(
        self,
        tx: Repositories,
        payment_id: int,
        update: ProviderUpdate,
        source: str,
        *,
        next_check_at: datetime | None = None,
        quiet: bool = False,
        reason: str | None = None,
        current: Payment | None = None,
    ) -> Payment | None:
        """Guarded transition plus the user's message, inside the caller's transaction.
        `current`: the payment as just read in this transaction, if the caller has it."""
        before = current if current is not None else await tx.payments.get(payment_id)
        payment = await tx.payments.transition(
            payment_id, update.status, source, update, next_check_at=next_check_at, current=before
        )
        if payment is None or before is None:
            return None
        kind = OUTBOX_KIND_FOR.get(payment.status)
        if kind is not None and not quiet:
            payload: dict[str, Any] = {}
            if payment.status is S.FAILED:
                payload = {
                    "reason": reason or "provider_failed",
                    # DEXCHANGE refunds a top-up that failed after PROCESSING.
                    "refunded": before.status is S.PROCESSING,
                }
            not_before = None
            if payment.status is S.PROCESSING:
                # "Your code is on its way" only if it is not here a moment later.
                not_before = self._clock() + timedelta(seconds=self.processing_notice_delay)
            await tx.outbox.add(
                payment.user_id, kind, payload, payment_id=payment.id, not_before=not_before
            )
            tx.after_commit(self.on_outbox)
        if payment.status.is_final and before.status is S.PROCESSING:
            await tx.outbox.supersede(payment.id, OutboxKind.PROCESSING)
        if payment.status is S.SUCCESS:
            await self._check_success(tx, payment)
        await self.after_transition_in(tx, before, payment)
        tx.after_commit(lambda: self.on_transition(payment, source))
        return payment

    async def after_transition_in(self, tx: Repositories, before: Payment, after: Payment) -> None:
        """What else moves with a status: the wallet ledger, then the hooks."""
        await wallets.on_status(tx, before, after)
        for hook in self.status_hooks:
            await hook(tx, before, after)

    async def _check_success(self, tx: Repositories, payment: Payment) -> None:
        if payment.service is Service.WOYOFAL and not payment.codes:
            await tx.payments.flag_attention(payment.id, "success without a recharge code")
            log.warning("payment %s succeeded without a recharge code", payment.id)

    async def apply_update(
        self, payment_id: int, update: ProviderUpdate, source: str, *, quiet: bool = False
    ) -> Payment | None:
        async with self.storage.transaction() as tx:
            current = await tx.payments.get(payment_id)
            next_check = None
            if current is not None:
                next_check = self._clock() + check_delay(current.checks, self.check_base)
            return await self.apply_in(
                tx, payment_id, update, source, next_check_at=next_check, quiet=quiet
            )

    # --- callbacks (money rule 5) -----------------------------------------------------------

    async def apply_callback(
        self, external_id: str, given_signature: str, raw: bytes
    ) -> CallbackVerdict:
        verdict = await self._apply_callback(external_id, given_signature, raw)
        self.on_callback(verdict)
        return verdict

    async def _apply_callback(
        self, external_id: str, given_signature: str, raw: bytes
    ) -> CallbackVerdict:
        if not callback_urls.verify(self._callback_secret, external_id, given_signature):
            log.warning("callback refused: bad signature for %r", external_id[:40])
            return CallbackVerdict.BAD_SIGNATURE
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            body = CallbackBody.parse(data)
        except (ValueError, RecursionError) as error:  # JSON, pydantic; nested too deep
            log.warning("callback refused: malformed body for %s (%s)", external_id, type(error))
            return CallbackVerdict.MALFORMED
        status = provider_status(body.status)
        async with self.storage.transaction() as tx:
            payment = await tx.payments.by_external_id(external_id)
            if payment is None:
                log.warning("callback refused: no payment %s", external_id)
                return CallbackVerdict.UNKNOWN_PAYMENT
            # The raw callback is stored in the same transaction as what it does: stored
            # if and only if acted on, whatever the order of the statements.
            text = raw.decode(errors="replace")
            problem = self._mismatch(payment, body)
            if problem is not None or status is None:
                problem = problem or f"unknown status {body.status!r}"
                await tx.callbacks.record(payment.id, external_id, text, f"mismatch: {problem}")
                log.warning("callback for payment %s refused: %s", payment.id, problem)
                return CallbackVerdict.MISMATCH
            update = ProviderUpdate(
                status=status,
                provider_tx_id=body.transaction_id,
                codes=body.codes,
                fee=body.fee,
            )
            next_check = self._clock() + check_delay(payment.checks, self.check_base)
            applied = await self.apply_in(
                tx, payment.id, update, "callback", next_check_at=next_check, current=payment
            )
            verdict = CallbackVerdict.APPLIED if applied else CallbackVerdict.IGNORED
            await tx.callbacks.record(payment.id, external_id, text, verdict.value)
        if applied is not None and not applied.status.is_final:
            self.on_open_payment()
        return verdict

    @staticmethod
    def _mismatch(payment: Payment, body: CallbackBody) -> str | None:
        """Why this body does not describe this payment, or None when it does."""
        if body.external_transaction_id is None and body.transaction_id is None:
            return "no transaction identifier"
        if (
            body.external_transaction_id is not None
            and body.external_transaction_id != payment.external_id
        ):
            return "externalTransactionId differs"
        if (
            body.transaction_id is not None
            and payment.provider_tx_id is not None
            and body.transaction_id != payment.provider_tx_id
        ):
            return "transaction id differs"
        if body.external_transaction_id is None and payment.provider_tx_id is None:
            return "transaction id cannot be matched yet"
        if body.amount is not None and body.amount != payment.amount:
            return "amount differs"
        if body.phone_number and normalise_reference(body.phone_number) != normalise_reference(
            payment.reference
        ):
            return "reference differs"
        return None
