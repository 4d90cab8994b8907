"""The payment service: quotes, confirmation, submission and every status change.

Money rules (DESIGN.md) as they appear here:
1. `confirm` commits the payment and its external id before DEXCHANGE is called; the
   conversation's quote id is the idempotency key, so a repeated confirmation finds the row.
2. A timeout, dropped connection or 5xx leaves the payment UNKNOWN; it is only ever tried
   again under the same externalTransactionId (`submit` from UNKNOWN). Once an attempt may
   have reached DEXCHANGE, a refusal of a retry never fails it (`_after_refusal`).
3. Status changes go through `Payments.transition`, a guarded UPDATE; `apply_in` adds the
   few moves out of a final state that DEXCHANGE's word may make (`_after_final`).
4. The message a status change owes the user is queued in the outbox in the same transaction.
5. Callbacks are applied by `bot/services/callbacks.py` through `apply_in`; pay and status
   answers are stored raw before they are applied.
8. Every figure of an answer is checked against the payment first (`figures.py`).
"""

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import (
    Bill,
    PayRequest,
    PayResponse,
    TransactionStatusResponse,
)
from bot.services import attention, callback_urls, wallets
from bot.services.figures import Figures, check_figures
from bot.services.quotes import (
    BillChoice,
    BillLookupFailed,
    LookupProblem,
    Quote,
    bill_problem,
    percent_fee,
)
from bot.services.signals import SILENT, Signals
from storage import Repositories, Storage
from storage.claims import ClaimKind
from storage.database import Clock, utc_now
from storage.models import (
    FailureReason,
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


def failure_reason(error: errors.Rejected) -> FailureReason:
    """The text a refused first attempt is explained with (every kind has one)."""
    try:
        return FailureReason(error.kind)
    except ValueError:
        return FailureReason.INVALID_REQUEST


def check_delay(checks: int, base: float = 5.0) -> timedelta:
    """Backoff between two looks at an open payment: base, 2×, 4× … at most 10 min."""
    return timedelta(seconds=min(base * 2 ** min(checks, 10), 600))


def new_external_id(now: datetime) -> str:
    return f"SP{now:%y%m%d}{secrets.token_hex(6).upper()}"


class ProviderTrouble(Exception):
    """DEXCHANGE did not answer a status lookup (maintenance, 5xx…): look again later."""


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
        max_fee_percent: Decimal = Decimal(10),
        signals: Signals = SILENT,
        status_hooks: Sequence[StatusHook] = (),
    ) -> None:
        self.storage = storage
        self.client = client
        self.fee_percent = fee_percent
        self._public_base_url = public_base_url
        self._callback_secret = callback_secret
        self.clock = clock
        self._pay_timeout = pay_timeout
        self.check_base = check_base
        self.processing_notice_delay = processing_notice_delay
        self.max_fee_percent = max_fee_percent  # above this share of the amount, a fee is absurd
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.signals = signals
        # What else moves with a status (an agent's receipt is queued with the success).
        self.status_hooks = tuple(status_hooks)

    # --- quotes -----------------------------------------------------------------------------

    async def bill_choice(self, service: Service, reference: str) -> BillChoice:
        """Unpaid bills for a SenEau/Senelec reference. Raises BillLookupFailed when DEXCHANGE
        gives none to choose from (the provider's own errors stay in this layer)."""
        try:
            answer = await self.client.inquiry(service.value, reference)
        except errors.NoUnpaidBill:
            return BillChoice(reference, [])
        except errors.Maintenance as error:
            raise BillLookupFailed(LookupProblem.MAINTENANCE, error.message) from None
        except (errors.OutcomeUnknown, errors.RateLimited, errors.Unauthorized) as error:
            raise BillLookupFailed(LookupProblem.UNAVAILABLE, error.message) from None
        except errors.BillAlreadyPaid as error:
            raise BillLookupFailed(LookupProblem.ALREADY_PAID, error.message) from None
        except errors.DexchangeError as error:
            raise BillLookupFailed(LookupProblem.REFUSED, error.message) from None
        bills = sorted(answer.unpaid_bills, key=lambda bill: bill.due_date or "")
        problems = [self._bill_problem(bill) for bill in bills]
        odd = [bill for bill, problem in zip(bills, problems, strict=True) if problem]
        bills = [bill for bill, problem in zip(bills, problems, strict=True) if not problem]
        if (
            any(bill.amount > 0 for bill in odd) and not bills
        ):  # bills to pay, none with a fee we can charge: not "none due"
            raise BillLookupFailed(LookupProblem.UNAVAILABLE)
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

    def _bill_problem(self, bill: Bill) -> str | None:
        problem = bill_problem(bill.amount, bill.fee, self.max_fee_percent)
        if problem is not None:
            log.warning("bill %s not offered: %s", bill.reference_facture, problem)
        return problem

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
                external_id=new_external_id(self.clock()),
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
            async with self.storage.claims.hold(ClaimKind.PAYMENT, payment_id) as held:
                if held:  # else another process (its reconciler) is paying it already
                    await self.submit(payment_id)
        except Exception:
            log.exception("submission of payment %s crashed; the reconciler takes over", payment_id)
            self._in_flight.discard(payment_id)
            await self._look_again_now(payment_id)
        finally:
            self._in_flight.discard(payment_id)

    async def _look_again_now(self, payment_id: int) -> None:
        """After a crash mid-submission (say, the database failed while an answer was being
        applied): the reconciler looks at the payment now, not when its guard runs out."""
        try:
            async with self.storage.transaction() as tx:
                await tx.payments.schedule_check(payment_id, self.clock())
        except Exception:
            log.exception("payment %s: could not schedule a look; the guard will", payment_id)
            return
        self.signals.open_payment()

    def in_flight(self, payment_id: int) -> bool:
        return payment_id in self._in_flight

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background submissions (shutdown, tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def submit(self, payment_id: int) -> Payment | None:
        """Call pay once for a CREATED or UNKNOWN payment, under its own external id.

        What the answer proves decides the next state (money rule 2): only a refusal of a
        payment none of whose attempts can have reached DEXCHANGE fails it; once one may
        have, a refusal leaves it UNKNOWN (TurnedAway: tried again later) or holds it for an
        admin (any other refusal: a retry of a paid bill is refused as "already paid").
        """
        now = self.clock()
        guard = now + timedelta(seconds=self._pay_timeout + 30)
        async with self.storage.transaction() as tx:
            current = await tx.payments.get(payment_id)
            if current is None or current.on_hold is not None:
                return None  # held payments wait for DEXCHANGE's word or an admin
            payment = await tx.payments.transition(
                payment_id, S.SUBMITTED, "submit", next_check_at=guard, current=current
            )
        if payment is None:
            return None  # someone else submitted it, or it is settled
        self.signals.transition(payment, "submit")
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
            answer = await self.client.pay(request)
        except errors.ExternalIdAlreadyUsed as error:
            # DEXCHANGE has this id from an earlier attempt: its callback will settle it.
            update = ProviderUpdate(S.UNKNOWN, message=error.message, maybe_sent=True)
            return await self._after_pay(payment, update, error, quiet=True, has_it=True)
        except errors.RateLimited as error:
            retry_at = self.clock() + timedelta(seconds=error.retry_after or 5)
            update = ProviderUpdate(S.UNKNOWN, message=error.message)
            return await self._after_pay(payment, update, error, quiet=True, at=retry_at)
        except errors.OutcomeUnknown as error:
            update = ProviderUpdate(S.UNKNOWN, message=error.message, maybe_sent=True)
            return await self._after_pay(payment, update, error)
        except errors.Rejected as error:
            return await self._after_refusal(payment, error)
        # A code may be in hand: the answer is written down before anything is made of it.
        async with self.storage.transaction() as tx:
            answer_id = await tx.answers.record(payment.id, "pay", answer.status_code, answer.body)
        return await self.apply_pay_answer(payment.id, answer.model, answer_id)

    async def _after_refusal(self, payment: Payment, error: errors.Rejected) -> Payment | None:
        if not payment.maybe_sent:
            # No attempt of this payment can have reached DEXCHANGE: nothing was debited.
            update = ProviderUpdate(S.FAILED, message=error.message)
            return await self._after_pay(payment, update, error, reason=failure_reason(error))
        if isinstance(error, errors.TurnedAway):
            # Turned away at the door: says nothing about the earlier attempt. Later again.
            update = ProviderUpdate(S.UNKNOWN, message=error.message)
            return await self._after_pay(payment, update, error, quiet=True)
        hold = f"DEXCHANGE refused a retry ({error.status_code}: {error.message[:120]})"
        log.warning("payment %s held for an admin: %s", payment.id, hold)
        update = ProviderUpdate(S.UNKNOWN, message=error.message, hold=hold)
        return await self._after_pay(payment, update, error)

    async def _after_pay(
        self,
        payment: Payment,
        update: ProviderUpdate,
        error: errors.DexchangeError,
        *,
        quiet: bool = False,
        has_it: bool = False,
        at: datetime | None = None,
        reason: FailureReason | None = None,
    ) -> Payment | None:
        next_check = at or self.clock() + check_delay(0, self.check_base)
        async with self.storage.transaction() as tx:
            if error.body is not None:
                answer_id = await tx.answers.record(
                    payment.id, "pay", error.status_code, error.body
                )
                await tx.answers.mark_applied(answer_id)
            if has_it:
                await tx.payments.note_provider_has_it(payment.id)
            result = await self.apply_in(
                tx, payment.id, update, "pay", next_check_at=next_check, quiet=quiet, reason=reason
            )
        if result is not None and not result.status.is_final:
            self.signals.open_payment()
        return result

    async def apply_pay_answer(
        self, payment_id: int, response: PayResponse, answer_id: int
    ) -> Payment | None:
        """Apply a 2xx pay answer stored as `answer_id` (just now, or by a process that died
        before applying it), checking its figures first (money rule 8)."""
        transaction = response.transaction
        figures = Figures(
            amount=transaction.amount,
            fee=transaction.fee,
            bill_reference=transaction.reference_facture,
            number=transaction.number,
        )
        update = ProviderUpdate(
            status=provider_status(transaction.status) or S.UNKNOWN,
            provider_tx_id=transaction.transaction_id,
            codes=transaction.codes,
            message=transaction.message or response.message,
            fee=transaction.fee,
            maybe_sent=True,
        )
        async with self.storage.transaction() as tx:
            await tx.answers.mark_applied(answer_id)
            payment = await tx.payments.get(payment_id)
            if payment is None:
                return None
            update = await self.checked_update(tx, payment, update, figures, "pay answer")
            result = await self.apply_in(
                tx,
                payment.id,
                update,
                "pay",
                next_check_at=self.clock() + check_delay(0, self.check_base),
                current=payment,
            )
        if result is not None and not result.status.is_final:
            self.signals.open_payment()
        return result

    async def apply_stored_answer(self, payment: Payment) -> bool:
        """A pay answer a process wrote down and died before applying: applied now, instead
        of paying again. False when there is none."""
        answers = await self.storage.read.answers.unapplied(payment.id)
        for answer in reversed(answers):
            if answer.source != "pay" or not 200 <= (answer.http_status or 0) < 300:
                continue
            try:
                response = PayResponse.model_validate_json(answer.body)
            except ValueError:
                log.warning("payment %s: stored answer %s unreadable", payment.id, answer.id)
                continue
            log.info("payment %s: applying the pay answer stored before a crash", payment.id)
            await self.apply_pay_answer(payment.id, response, answer.id)
            return True
        return False

    async def poll(self, payment: Payment) -> Payment | None:
        """Ask DEXCHANGE about the payment (GET /transaction/{id}) and apply what it says.
        None when it has nothing to apply; ProviderTrouble when it did not answer."""
        assert payment.provider_tx_id is not None
        try:
            answer = await self.client.transaction(payment.provider_tx_id)
        except errors.NotFound:
            log.warning("payment %s: DEXCHANGE does not know its transaction", payment.id)
            return None
        except errors.DexchangeError as error:
            raise ProviderTrouble(error.kind) from None
        return await self.apply_status_answer(payment, answer.model, answer.body)

    async def apply_status_answer(
        self, payment: Payment, response: TransactionStatusResponse, body: str
    ) -> Payment | None:
        """Apply what GET /transaction/{id} said: a final status, or a code for a success
        still waiting for it. A final answer is written down first (a code may be in it);
        one that says "still processing" changes nothing and is not kept."""
        details = response.transaction
        status = provider_status(details.status)
        if status is None or not status.is_final:
            return None
        async with self.storage.transaction() as tx:
            answer_id = await tx.answers.record(payment.id, "status", 200, body)
        figures = Figures(amount=details.amount, fee=details.fee, number=details.number)
        update = ProviderUpdate(
            status=status,
            provider_tx_id=payment.provider_tx_id,
            codes=details.codes,
            fee=details.fee,
            message=f"status {details.status}",
        )
        async with self.storage.transaction() as tx:
            await tx.answers.mark_applied(answer_id)
            current = await tx.payments.get(payment.id)
            if current is None:
                return None
            update = await self.checked_update(tx, current, update, figures, "status answer")
            if update.hold is not None:
                # A status answer is re-read on the next poll: nothing to hold, only to flag.
                return None
            next_check = self.clock() + check_delay(current.checks, self.check_base)
            return await self.apply_in(
                tx, current.id, update, "status", next_check_at=next_check, current=current
            )

    async def checked_update(
        self,
        tx: Repositories,
        payment: Payment,
        update: ProviderUpdate,
        figures: Figures,
        what: str,
    ) -> ProviderUpdate:
        """The update to apply once its figures are checked against the payment: as it
        is; without its fee (a fee that cannot be right); or, when the answer does not
        describe this payment, UNKNOWN and held for an admin, with nothing else of it."""
        check = check_figures(payment, figures, self.max_fee_percent)
        mismatch = check.mismatch
        if mismatch is None and update.provider_tx_id not in (None, payment.provider_tx_id):
            owner = await tx.payments.by_provider_tx_id(update.provider_tx_id)
            if owner is not None and owner.id != payment.id:
                mismatch = f"transaction {update.provider_tx_id} is payment {owner.id}'s"
        if mismatch is not None:
            reason = f"{what} does not match: {mismatch}"
            log.warning("payment %s: %s", payment.id, reason)
            await attention.flag(tx, payment.id, reason)
            return ProviderUpdate(S.UNKNOWN, message=reason, maybe_sent=True, hold=reason)
        if not check.fee_usable:
            reason = f"{what}: {check.fee_problem}; the quoted fee is kept"
            log.warning("payment %s: %s", payment.id, reason)
            await attention.flag(tx, payment.id, reason)
            return replace(update, fee=None)
        return update

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
        reason: FailureReason | None = None,
        current: Payment | None = None,
    ) -> Payment | None:
        """Guarded transition plus the user's message, inside the caller's transaction.
        `current`: the payment as just read in this transaction, if the caller has it.

        Besides the transitions of the table (storage.models.ALLOWED_FROM): a Woyofal
        success waiting for its code takes it from whatever brings it; DEXCHANGE's SUCCESS
        after we ended a payment as FAILED wins (the money is taken again); its FAILED
        after a SUCCESS changes nothing and is shown to an admin.
        """
        if update.hold is not None:
            await tx.payments.hold(payment_id, update.hold)
            await attention.flag(tx, payment_id, update.hold)
            current = None  # read again: the hold is part of it now
        before = current if current is not None else await tx.payments.get(payment_id)
        if before is None:
            return None
        if before.status is S.SUCCESS or (before.status is S.FAILED and update.status is S.SUCCESS):
            return await self._after_final(tx, before, update, source)
        payment = await tx.payments.transition(
            payment_id, update.status, source, update, next_check_at=next_check_at, current=before
        )
        if payment is None:
            return None
        if not quiet:
            await self._queue_message(tx, before, payment, update, reason)
        if payment.status.is_final and before.status is S.PROCESSING:
            await tx.outbox.supersede(payment.id, OutboxKind.PROCESSING)
        await self.after_transition_in(tx, before, payment)
        tx.after_commit(lambda: self.signals.transition(payment, source))
        return payment

    async def _queue_message(
        self,
        tx: Repositories,
        before: Payment,
        payment: Payment,
        update: ProviderUpdate,
        reason: FailureReason | None,
    ) -> None:
        kind = OUTBOX_KIND_FOR.get(payment.status)
        if update.hold is not None:
            kind = OutboxKind.DELAYED  # "being checked, an admin was told": honest
        elif payment.awaiting_code:
            kind = OutboxKind.CODE_PENDING  # paid: the code follows here
        if kind is None:
            return
        payload: dict[str, Any] = {}
        if payment.status is S.FAILED:
            payload = {
                "reason": (reason or FailureReason.PROVIDER_FAILED).value,
                # DEXCHANGE refunds a top-up that failed after PROCESSING.
                "refunded": before.status is S.PROCESSING,
            }
        not_before = None
        if kind in (OutboxKind.PROCESSING, OutboxKind.CODE_PENDING):
            # "Your code is on its way" only if it is not here a moment later.
            not_before = self.clock() + timedelta(seconds=self.processing_notice_delay)
        await tx.outbox.add(
            payment.user_id, kind, payload, payment_id=payment.id, not_before=not_before
        )
        tx.after_commit(self.signals.outbox)

    async def _after_final(
        self, tx: Repositories, before: Payment, update: ProviderUpdate, source: str
    ) -> Payment | None:
        """A word about a payment already SUCCESS or FAILED (see `apply_in`)."""
        if before.status is S.FAILED:
            # DEXCHANGE paid what we had ended as failed: its word wins.
            late = await tx.payments.late_success(before.id, update, source)
            if late is None:
                return None
            payment = late
            ended_by = before.resolved_by or "a refusal"
            await attention.flag(
                tx, payment.id, f"DEXCHANGE said SUCCESS after {ended_by} had ended it as FAILED"
            )
            redebited = await wallets.debit_again(tx, payment)
            await self._queue_success(tx, payment, {"late": True, "redebited": redebited})
            for hook in self.status_hooks:
                await hook(tx, before, payment)
            tx.after_commit(lambda: self.signals.transition(payment, source))
            return payment
        if update.status is S.FAILED:
            who = f"{before.resolved_by}'s" if before.resolved_by else "DEXCHANGE's own"
            log.warning("payment %s: DEXCHANGE said FAILED after %s SUCCESS", before.id, who)
            await attention.flag(
                tx, before.id, f"DEXCHANGE said FAILED after {who} SUCCESS: nothing was moved"
            )
            return None
        if update.status is S.SUCCESS and before.awaiting_code and update.codes:
            coded = await tx.payments.add_codes(before.id, update.codes, source)
            if coded is None:
                return None
            await tx.outbox.supersede(coded.id, OutboxKind.CODE_PENDING)
            await self._queue_success(tx, coded, {})
            for hook in self.status_hooks:
                await hook(tx, before, coded)
            return coded
        return None  # a duplicate: harmless

    async def _queue_success(
        self, tx: Repositories, payment: Payment, payload: dict[str, Any]
    ) -> None:
        kind = OutboxKind.CODE_PENDING if payment.awaiting_code else OutboxKind.SUCCESS
        await tx.outbox.add(payment.user_id, kind, payload, payment_id=payment.id)
        tx.after_commit(self.signals.outbox)

    async def after_transition_in(self, tx: Repositories, before: Payment, after: Payment) -> None:
        """What else moves with a status: the wallet ledger, then the hooks."""
        await wallets.on_status(tx, before, after)
        for hook in self.status_hooks:
            await hook(tx, before, after)

    async def apply_update(
        self, payment_id: int, update: ProviderUpdate, source: str, *, quiet: bool = False
    ) -> Payment | None:
        async with self.storage.transaction() as tx:
            current = await tx.payments.get(payment_id)
            next_check = None
            if current is not None:
                next_check = self.clock() + check_delay(current.checks, self.check_base)
            return await self.apply_in(
                tx, payment_id, update, source, next_check_at=next_check, quiet=quiet
            )
