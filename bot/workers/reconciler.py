"""Reconciliation: every payment whose outcome is not known yet is driven to its true state.

- CREATED and not being submitted here: submit it (the process died before the call).
  "Here" means in any process: whoever pays holds a claim on the payment (storage/claims.py)
  and a payment claimed by a live process is left to it.
- SUBMITTED and not in flight here: the process died during the call. An answer it had
  stored is applied; otherwise the outcome is unknown, and it is retried under the same
  externalTransactionId.
- UNKNOWN: retried under the same externalTransactionId until DEXCHANGE either answers or
  says 409 (it has it); then we wait for its callback. A payment on hold is never retried.
- PROCESSING or UNKNOWN with a DEXCHANGE transaction id: polled with GET /transaction/{id};
  a final status found there is applied exactly like a callback.
- A Woyofal SUCCESS still waiting for its code: polled for the code, for CODE_WAIT at most.
- Past the deadline: flagged for an admin and the user is told it is being checked.

A purchase waiting for its collection ("pay the rest") whose collection succeeded is paid
(`PayTheRest.run_once`) if the process that saw the success did not get to it.

Mobile-money collections due for a check go the same way (`CollectionService.reconcile`):
CREATED or SUBMITTED left by a dead process → init under the same id; UNKNOWN → init again
under the same id; DEXCHANGE's id known → GET /transaction/{id}; past their expiry window
they are still checked, never assumed.

It resumes from the database on start, so nothing depends on process memory.
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.services import attention
from bot.services.collections import CollectionService
from bot.services.pay_the_rest import PayTheRest
from bot.services.payments import PaymentService, ProviderTrouble, check_delay
from bot.workers.waking import wait_until_set
from storage.claims import ClaimKind
from storage.database import Clock, utc_now
from storage.models import OutboxKind, Payment, PaymentStatus, ProviderUpdate

log = logging.getLogger(__name__)

S = PaymentStatus

# How long a Woyofal success is polled for its code; a callback may still bring it later.
CODE_WAIT = timedelta(hours=24)


class Reconciler:
    def __init__(
        self,
        service: PaymentService,
        *,
        interval: float = 5.0,
        deadline: timedelta = timedelta(minutes=30),
        clock: Clock = utc_now,
        wake: asyncio.Event | None = None,
        collections: CollectionService | None = None,
        purchases: PayTheRest | None = None,
    ) -> None:
        self._service = service
        self._collections = collections
        self._purchases = purchases
        self._storage = service.storage
        self._interval = interval
        self._deadline = deadline
        self._clock = clock
        self._wake = wake or asyncio.Event()  # set when a payment opens
        self._task: asyncio.Task[None] | None = None
        self.last_run_ok = False

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
        if self._collections is not None:
            await self._collections.resume_after_restart()

    async def run_once(self) -> int:
        """One pass over the due payments; returns how many were looked at."""
        due = await self._storage.read.payments.due_for_check(self._clock())
        claims = self._storage.claims
        for payment in due:
            if self._service.in_flight(payment.id):
                continue
            async with claims.hold(ClaimKind.PAYMENT, payment.id) as held:
                if not held:
                    continue  # another process is paying it: not abandoned, not ours
                try:
                    await self._reconcile(payment)
                except ProviderTrouble as trouble:
                    log.info("payment %s: DEXCHANGE %s, later again", payment.id, trouble)
                    await self._later(payment)
        return len(due) + await self._collections_once()

    async def _collections_once(self) -> int:
        if self._collections is None:
            return 0
        due = await self._collections.due()
        claims = self._storage.claims
        for collection in due:
            if self._collections.in_flight(collection.id):
                continue
            async with claims.hold(ClaimKind.COLLECTION, collection.id) as held:
                if not held:
                    continue  # another process is initiating it
                try:
                    await self._collections.reconcile(collection)
                except Exception:  # one collection's trouble never stops the others' pass
                    log.exception("collection %s: reconciliation failed; next pass", collection.id)
        # Purchases whose collection succeeded but that are not paid yet (a crash, a bill
        # DEXCHANGE could not look up): paid now, under their own idempotency key.
        paid = await self._purchases.run_once() if self._purchases is not None else 0
        return len(due) + paid

    async def _reconcile(self, payment: Payment) -> None:
        await self._check_deadline(payment)
        if payment.awaiting_code:
            await self._await_code(payment)
        elif payment.status is S.CREATED:
            await self._service.submit(payment.id)
        elif payment.status is S.SUBMITTED:
            if await self._service.apply_stored_answer(payment):
                return  # the answer a process that died had written down
            # Died mid-call: the attempt may have gone through; retried under the same id.
            interrupted = ProviderUpdate(S.UNKNOWN, message="interrupted", maybe_sent=True)
            await self._service.apply_update(payment.id, interrupted, "recovery", quiet=True)
            await self._service.submit(payment.id)
        elif payment.provider_tx_id is not None:
            await self._poll(payment)
        elif payment.status is S.UNKNOWN and not payment.provider_has_it and not payment.on_hold:
            await self._service.submit(payment.id)
        else:
            await self._later(payment)  # DEXCHANGE has it: its callback will tell

    async def _await_code(self, payment: Payment) -> None:
        finished = payment.completed_at or payment.updated_at
        if self._clock() - finished > CODE_WAIT:
            log.warning(
                "payment %s: no recharge code after %s; polling stops", payment.id, CODE_WAIT
            )
            async with self._storage.transaction() as tx:
                await tx.payments.schedule_check(payment.id, None)
        elif payment.provider_tx_id is not None:
            await self._poll(payment)
        else:
            await self._later(payment)

    async def _poll(self, payment: Payment) -> None:
        applied = await self._service.poll(payment)
        if applied is None or not applied.status.is_final or applied.awaiting_code:
            await self._later(payment)

    async def _later(self, payment: Payment) -> None:
        async with self._storage.transaction() as tx:
            at = self._clock() + check_delay(payment.checks, self._service.check_base)
            await tx.payments.schedule_check(payment.id, at)

    async def _check_deadline(self, payment: Payment) -> None:
        if self._clock() - payment.created_at < self._deadline or payment.needs_attention:
            return
        async with self._storage.transaction() as tx:
            first = await attention.flag(tx, payment.id, "past the reconciliation deadline")
            # A success waiting for its code was told "paid, the code follows": no more.
            if first and not payment.awaiting_code:
                await tx.outbox.add(payment.user_id, OutboxKind.DELAYED, {}, payment_id=payment.id)
                tx.after_commit(self._service.signals.outbox)
        if first:
            log.warning(
                "payment %s (%s) still %s after %s: flagged for an admin",
                payment.id,
                payment.external_id,
                payment.status,
                self._deadline,
            )
