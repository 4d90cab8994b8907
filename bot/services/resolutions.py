"""An admin ends what the machine cannot: a stuck payment settled by hand (issue 12).

SUCCESS (with its code, or waiting for it) or FAILED (the money is released), recorded with
who and why in the payment's events and `resolved_by`. DEXCHANGE's later word still wins
(`PaymentService._after_final`): its SUCCESS after an admin's release takes the money again
or flags it; its FAILED after an admin's SUCCESS is flagged. Also gives a success waiting
for its code the code an admin obtained.
"""

import logging

from bot.services.payments import PaymentService
from storage.models import FailureReason, Payment, PaymentStatus, ProviderUpdate

log = logging.getLogger(__name__)

S = PaymentStatus


class ResolveRefused(Exception):
    """An admin's settlement that cannot be done; `code` names the catalogue text."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


class Resolutions:
    def __init__(self, payments: PaymentService) -> None:
        self._payments = payments

    async def resolve(
        self,
        payment_id: int,
        outcome: PaymentStatus,
        *,
        actor: str,
        reason: str,
        codes: list[str] | None = None,
    ) -> Payment:
        """Settle a stuck payment by hand: SUCCESS (with its code or without: then it waits
        for it) or FAILED (the money is released). Recorded with who and why; DEXCHANGE's
        later word still wins (`_after_final`). Also gives a success waiting for its code
        the code an admin obtained."""
        reason = " ".join(reason.split())[:200]
        if outcome not in (S.SUCCESS, S.FAILED):
            raise ResolveRefused("resolve.bad_outcome")
        if not reason:
            raise ResolveRefused("resolve.no_reason")
        if self._payments.in_flight(payment_id):
            raise ResolveRefused("resolve.in_flight", id=payment_id)
        detail = f"{actor}: {reason}"
        async with self._payments.storage.transaction() as tx:
            payment = await tx.payments.get(payment_id)
            if payment is None:
                raise ResolveRefused("resolve.unknown", id=payment_id)
            if payment.awaiting_code and outcome is S.SUCCESS and codes:
                update = ProviderUpdate(S.SUCCESS, codes=codes, message=detail)
                done = await self._payments.apply_in(
                    tx, payment.id, update, "admin", current=payment
                )
            elif payment.status.is_final:
                raise ResolveRefused("resolve.final", id=payment_id, status=payment.status.value)
            elif payment.status in (S.CREATED, S.SUBMITTED):
                raise ResolveRefused("resolve.in_flight", id=payment_id)
            else:
                update = ProviderUpdate(
                    outcome, codes=list(codes or []), message=detail, resolved_by=actor
                )
                done = await self._payments.apply_in(
                    tx, payment.id, update, "admin", reason=FailureReason.ADMIN, current=payment
                )
            if done is None:
                raise ResolveRefused("resolve.final", id=payment_id, status=payment.status.value)
        log.warning("payment %s settled by %s as %s: %s", payment_id, actor, outcome, reason)
        return done
