"""DEXCHANGE's callbacks, applied (money rule 5; their URLs are signed in callback_urls.py).

A callback is accepted only on its payment's signed URL and only when its body describes
that payment: it must carry its amount, and DEXCHANGE's transaction id once we know it;
its ids, amount, number, bill and fee are checked (money rule 8, `bot/services/figures.py`).
It is stored raw in the same transaction as what it does, and DEXCHANGE gets a 2xx only
once that is committed. Duplicates and late ones change nothing.
"""

import json
import logging
from enum import StrEnum

from bot.dexchange.models import CallbackBody
from bot.services import attention, callback_urls
from bot.services.figures import Figures
from bot.services.payments import PaymentService, check_delay, provider_status
from storage.models import Payment, PaymentStatus, ProviderUpdate

log = logging.getLogger(__name__)

S = PaymentStatus


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


class CallbackService:
    def __init__(self, payments: PaymentService, callback_secret: str) -> None:
        self._payments = payments
        self._secret = callback_secret

    async def apply(self, external_id: str, given_signature: str, raw: bytes) -> CallbackVerdict:
        """Verify, store and apply one callback; what to answer DEXCHANGE follows from the
        verdict (2xx only for APPLIED and IGNORED, once committed)."""
        verdict = await self._apply(external_id, given_signature, raw)
        self._payments.signals.callback(verdict.value)
        return verdict

    async def _apply(self, external_id: str, given_signature: str, raw: bytes) -> CallbackVerdict:
        if not callback_urls.verify(self._secret, external_id, given_signature):
            log.warning("callback refused: bad signature for %r", external_id[:40])
            return CallbackVerdict.BAD_SIGNATURE
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            body = CallbackBody.parse(data)
        except (ValueError, RecursionError) as error:  # JSON, pydantic, absurd nesting
            log.warning("callback refused: malformed body for %s (%s)", external_id, type(error))
            return CallbackVerdict.MALFORMED
        status = provider_status(body.status)
        async with self._payments.storage.transaction() as tx:
            payment = await tx.payments.by_external_id(external_id)
            if payment is None:
                log.warning("callback refused: no payment %s", external_id)
                return CallbackVerdict.UNKNOWN_PAYMENT
            # The raw callback is stored in the same transaction as what it does: stored
            # if and only if acted on, whatever the order of the statements.
            text = raw.decode(errors="replace")
            missing = self._missing(payment, body)
            if missing is not None:
                await tx.callbacks.record(payment.id, external_id, text, f"incomplete: {missing}")
                log.warning("callback for payment %s refused: %s", payment.id, missing)
                return CallbackVerdict.MALFORMED
            problem = self._mismatch(payment, body)
            if problem is None and status is None:
                problem = f"unknown status {body.status[:40]!r}"
            update = ProviderUpdate(
                status=status or S.UNKNOWN,
                provider_tx_id=body.transaction_id,
                codes=body.codes,
                fee=body.fee,
            )
            if problem is None:
                figures = Figures(body.amount, body.fee, body.reference_facture, body.phone_number)
                update = await self._payments.checked_update(
                    tx, payment, update, figures, "callback"
                )
                problem = update.hold
            else:
                await attention.flag(tx, payment.id, f"callback refused: {problem}")
            if problem is not None:
                await tx.callbacks.record(payment.id, external_id, text, f"mismatch: {problem}")
                log.warning("callback for payment %s refused: %s", payment.id, problem)
                return CallbackVerdict.MISMATCH
            next_check = self._payments.clock() + check_delay(
                payment.checks, self._payments.check_base
            )
            applied = await self._payments.apply_in(
                tx, payment.id, update, "callback", next_check_at=next_check, current=payment
            )
            verdict = CallbackVerdict.APPLIED if applied else CallbackVerdict.IGNORED
            await tx.callbacks.record(payment.id, external_id, text, verdict.value)
        if applied is not None and not applied.status.is_final:
            self._payments.signals.open_payment()
        return verdict

    @staticmethod
    def _missing(payment: Payment, body: CallbackBody) -> str | None:
        """What a callback must carry and this one does not: its amount, always; DEXCHANGE's
        transaction id once we know it; something to match it by before we do."""
        if body.amount is None:
            return "no AMOUNT"
        if payment.provider_tx_id is not None and body.transaction_id is None:
            return "no transaction id"
        if body.external_transaction_id is None and body.transaction_id is None:
            return "no transaction identifier"
        if body.external_transaction_id is None and payment.provider_tx_id is None:
            return "no externalTransactionId, and the transaction id is not known yet"
        return None

    @staticmethod
    def _mismatch(payment: Payment, body: CallbackBody) -> str | None:
        """Why this body is about another payment than the one of its URL, or None."""
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
        return None
