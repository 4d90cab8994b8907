""" "Pay the rest": the purchase a collection was started for is paid once it succeeds.

The customer confirmed a purchase their balance could not cover and funded the difference
from mobile money. The purchase was stored with the collection (`funded_purchases`, in the
collection's transaction); the success that credits the wallet makes it DUE in that same
transaction. Here it is paid:

- Woyofal: the confirmed quote, as the customer saw it.
- A bill: looked up again first. The same bill for the same figures is paid; a bill that
  changed or was paid meanwhile is not: the customer is told and confirms again.
- The payment's idempotency key is 'rest:<collection external id>': a second pass, a second
  process or a restart after a crash finds the same payment, never a second one.
- Whatever stops it (balance spent meanwhile, the bill not checkable for too long), the money
  stays in the wallet and the customer is told so; a payment that fails later is refunded to
  the wallet as any payment is, and its result says the money stays there.

Driven right after the success's commit, and by the reconciler's passes (nothing depends on
this process staying alive).
"""

import asyncio
import logging
from datetime import timedelta
from typing import Any

from bot.services.payments import PaymentService
from bot.services.quotes import BillLookupFailed, LookupProblem, Quote
from bot.services.signals import SILENT, Signals
from bot.services.wallets import NotEnoughCredit
from storage import Storage
from storage.claims import ClaimKind
from storage.database import Clock, utc_now
from storage.models import FundedPurchase, OutboxKind, PurchaseState, Service

log = logging.getLogger(__name__)

# How long a bill DEXCHANGE cannot look up (maintenance, no answer) is tried again before
# the purchase is given up and the money left in the wallet.
LOOKUP_PATIENCE = timedelta(minutes=30)


REST_KEY_PREFIX = "rest:"


def payment_key(external_id: str) -> str:
    return f"{REST_KEY_PREFIX}{external_id}"


def pays_the_rest(payment_key: str) -> bool:
    """Whether a payment (by its idempotency key) was paid for by a collection."""
    return payment_key.startswith(REST_KEY_PREFIX)


class Changed(Exception):
    """The bill is no longer the one the customer confirmed."""


class NotYet(Exception):
    """DEXCHANGE cannot tell now: later again."""


class PayTheRest:
    def __init__(
        self,
        storage: Storage,
        payments: PaymentService,
        *,
        clock: Clock = utc_now,
        signals: Signals = SILENT,
        lookup_patience: timedelta = LOOKUP_PATIENCE,
    ) -> None:
        self.storage = storage
        self.payments = payments
        self.clock = clock
        self.signals = signals
        self.lookup_patience = lookup_patience
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def funded(self, collection_id: int) -> None:
        """The collection succeeded (after its commit): pay its purchase now, in the
        background; the reconciler's pass takes over if this process dies first."""
        if collection_id in self._in_flight:
            return
        task = asyncio.create_task(self._settle_once(collection_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle_once(self, collection_id: int) -> None:
        """Settle unless this process is settling it already; a failure waits for the next
        pass (the purchase stays due)."""
        if collection_id in self._in_flight:
            return
        self._in_flight.add(collection_id)
        try:
            async with self.storage.claims.hold(ClaimKind.PURCHASE, collection_id) as held:
                if held:  # else another process is settling it already
                    await self.settle(collection_id)
        except Exception:
            log.exception("purchase of collection %s: failed; the next pass retries", collection_id)
        finally:
            self._in_flight.discard(collection_id)

    async def drain(self, timeout: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def run_once(self) -> int:
        """The reconciler's pass: every purchase still due (a crash, DEXCHANGE busy)."""
        due = await self.storage.read.funded_purchases.due()
        for purchase in due:
            await self._settle_once(purchase.collection_id)
        return len(due)

    async def settle(self, collection_id: int) -> PurchaseState | None:
        purchase = await self.storage.read.funded_purchases.get(collection_id)
        if purchase is None or purchase.state is not PurchaseState.DUE:
            return None if purchase is None else purchase.state
        return await self._settle(purchase)

    async def _settle(self, purchase: FundedPurchase) -> PurchaseState:
        collection = await self.storage.read.collections.get(purchase.collection_id)
        assert collection is not None  # a purchase row names its collection (foreign key)
        confirmed = Quote.from_dict(purchase.quote)
        try:
            quote = await self._current(confirmed)
        except NotYet as later:
            if self.clock() - purchase.updated_at < self.lookup_patience:
                return PurchaseState.DUE  # the next pass tries again
            return await self._give_up(purchase, PurchaseState.FAILED, str(later), confirmed)
        except Changed as changed:
            return await self._give_up(purchase, PurchaseState.CHANGED, str(changed), confirmed)
        try:
            payment, _ = await self.payments.confirm(
                purchase.user_id,
                quote,
                payment_key(collection.external_id),
                purchase.client_label,
            )
        except NotEnoughCredit as short:
            reason = f"balance {short.balance} below {short.needed}"
            return await self._give_up(purchase, PurchaseState.FAILED, reason, confirmed)
        async with self.storage.transaction() as tx:
            await tx.funded_purchases.move(
                purchase.collection_id, PurchaseState.PAID, payment_id=payment.id
            )
        log.info("collection %s: its purchase is payment %s", collection.id, payment.id)
        return PurchaseState.PAID

    async def _current(self, confirmed: Quote) -> Quote:
        """The quote to pay now: Woyofal's as confirmed; a bill's as DEXCHANGE lists it again,
        only if it is the same bill for the same figures."""
        if confirmed.service is Service.WOYOFAL:
            return confirmed
        try:
            choice = await self.payments.bill_choice(confirmed.service, confirmed.reference)
        except BillLookupFailed as failed:
            if failed.problem in (LookupProblem.MAINTENANCE, LookupProblem.UNAVAILABLE):
                raise NotYet(f"bill lookup: {failed.problem.value}") from failed
            raise Changed(f"bill lookup: {failed.problem.value}") from failed
        for quote in choice.quotes:
            if quote.bill_reference == confirmed.bill_reference:
                if (quote.amount, quote.fee) == (confirmed.amount, confirmed.fee):
                    return quote
                raise Changed(f"bill now {quote.amount} + {quote.fee}")
        raise Changed("bill no longer unpaid")

    async def _give_up(
        self, purchase: FundedPurchase, state: PurchaseState, why: str, quote: Quote
    ) -> PurchaseState:
        """Not paid: the money stays in the wallet, and the customer is told why."""
        async with self.storage.transaction() as tx:
            if not await tx.funded_purchases.move(purchase.collection_id, state, detail=why):
                current = await tx.funded_purchases.get(purchase.collection_id)
                return current.state if current is not None else state
            balance = await tx.ledger.balance(purchase.user_id)
            await tx.outbox.add(
                purchase.user_id,
                OutboxKind.NOTICE,
                {
                    "key": f"rest.{state.value}",
                    "service": quote.service.value,
                    "reference": quote.reference,
                    "amount": quote.total,
                    "balance": balance,
                },
                dedupe_key=f"rest:{purchase.collection_id}:{state.value}",
            )
            tx.after_commit(self.signals.outbox)
        log.info("collection %s: its purchase was not paid (%s)", purchase.collection_id, why)
        return state
