"""Reconciliation: every payment whose outcome is not known yet is driven to its true state.

- CREATED and not being submitted here: submit it (the process died before the call).
- SUBMITTED and not in flight here: the process died during the call; the outcome is
  unknown, so it is retried under the same externalTransactionId.
- UNKNOWN: retried under the same externalTransactionId until DEXCHANGE either answers or
  says 409 (it has it); then we wait for its callback.
- PROCESSING or UNKNOWN with a DEXCHANGE transaction id: polled with GET /transaction/{id};
  a final status found there is applied exactly like a callback.
- Past the deadline: flagged for an admin and the user is told it is being checked.

It resumes from the database on start, so nothing depends on process memory.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from bot.dexchange import errors
from bot.payment_service import PaymentService, check_delay, provider_status
from bot.waking import wait_until_set
from storage.database import Clock, utc_now
from storage.models import OutboxKind, Payment, PaymentStatus, ProviderUpdate

log = logging.getLogger(__name__)

S = PaymentStatus


class Reconciler:
    def __init__(
        self,
        service: PaymentService,
        *,
        interval: float = 5.0,
        deadline: timedelta = timedelta(minutes=30),
        clock: Clock = utc_now,
    ) -> None:
        self._service = service
        self._storage = service.storage
        self._client = service.client
        self._interval = interval
        self._deadline = deadline
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_run_ok = False
        self.on_attention: Callable[[Payment], None] = lambda payment: None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reconciler")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        await self.resume_after_restart()
        while True:
            try:
                await self.run_once()
                self.last_run_ok = True
            except Exception:
                self.last_run_ok = False
                log.exception("reconciliation pass failed; trying again")
            self._wake.clear()
            await wait_until_set(self._wake, self._interval)

    async def resume_after_restart(self) -> None:
        """Everything open is due now: nothing of the previous process is in flight here."""
        now = self._clock()
        async with self._storage.transaction() as tx:
            for payment in await tx.payments.open_payments():
                if payment.next_check_at is None or payment.next_check_at > now:
                    await tx.payments.schedule_check(payment.id, now)

    async def run_once(self) -> int:
        """One pass over the due payments; returns how many were looked at."""
        due = await self._storage.read.payments.due_for_check(self._clock())
        for payment in due:
            if self._service.in_flight(payment.id):
                continue
            try:
                await self._reconcile(payment)
            except errors.DexchangeError as error:
                log.info("payment %s: DEXCHANGE %s, later again", payment.id, error.kind)
                await self._later(payment)
        return len(due)

    async def _reconcile(self, payment: Payment) -> None:
        await self._check_deadline(payment)
        if payment.status is S.CREATED:
            await self._service.submit(payment.id)
        elif payment.status is S.SUBMITTED:
            # Died mid-call: unknown, then retried under the same id.
            await self._service.apply_update(
                payment.id, ProviderUpdate(S.UNKNOWN, message="interrupted"), "recovery", quiet=True
            )
            await self._service.submit(payment.id)
        elif payment.provider_tx_id is not None:
            await self._poll(payment)
        elif payment.status is S.UNKNOWN and not payment.provider_has_it:
            await self._service.submit(payment.id)
        else:
            await self._later(payment)  # DEXCHANGE has it: its callback will tell

    async def _poll(self, payment: Payment) -> None:
        assert payment.provider_tx_id is not None
        try:
            details = await self._client.transaction(payment.provider_tx_id)
        except errors.NotFound:
            log.warning("payment %s: DEXCHANGE does not know its transaction", payment.id)
            await self._later(payment)
            return
        status = provider_status(details.status)
        if status is None or not status.is_final:
            await self._later(payment)
            return
        update = ProviderUpdate(
            status=status,
            provider_tx_id=payment.provider_tx_id,
            codes=details.codes,
            fee=details.fee,
            message=f"status {details.status}",
        )
        await self._service.apply_update(payment.id, update, "status")

    async def _later(self, payment: Payment) -> None:
        async with self._storage.transaction() as tx:
            at = self._clock() + check_delay(payment.checks, self._service.check_base)
            await tx.payments.schedule_check(payment.id, at)

    async def _check_deadline(self, payment: Payment) -> None:
        if self._clock() - payment.created_at < self._deadline or payment.needs_attention:
            return
        async with self._storage.transaction() as tx:
            first = await tx.payments.flag_attention(payment.id, "past the reconciliation deadline")
            if first:
                await tx.outbox.add(payment.user_id, OutboxKind.DELAYED, {}, payment_id=payment.id)
                tx.after_commit(self._service.on_outbox)
        if first:
            log.warning(
                "payment %s (%s) still %s after %s: flagged for an admin",
                payment.id,
                payment.external_id,
                payment.status,
                self._deadline,
            )
            self.on_attention(payment)
