"""Property tests: no sequence of events moves a payment out of SUCCESS or debits twice.

The provider here is a scripted httpx transport (DEXCHANGE is not our code); the payment
service, storage and SQLite file are the real ones.
"""

import asyncio
import json
import tempfile
from collections.abc import Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import TransactionStatusResponse
from bot.services import callback_urls
from bot.services.callbacks import CallbackService
from bot.services.payments import PaymentService
from bot.services.quotes import Quote
from storage import Storage
from storage.models import (
    LedgerKind,
    NewPayment,
    OutboxKind,
    PaymentStatus,
    ProviderUpdate,
    Service,
)
from tests.databases import database_for

S = PaymentStatus
SECRET = "property-secret"

PAY_OUTCOMES = [
    "success",
    "processing",
    "rejected",  # 400
    "maintenance",  # 403
    "unauthorized",  # 401
    "notfound",  # 404
    "ratelimited",  # 429
    "timeout",
    "error500",
    "conflict",  # 409
]
REFUSALS = {
    "rejected": 400,
    "maintenance": 403,
    "unauthorized": 401,
    "notfound": 404,
    "ratelimited": 429,
}
# Outcomes after which the payment may be at DEXCHANGE: a later refusal proves nothing.
REACHING = {"success", "processing", "timeout", "error500", "conflict"}
EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("confirm"), st.sampled_from(PAY_OUTCOMES)),
        st.tuples(st.just("submit"), st.sampled_from(PAY_OUTCOMES)),
        st.tuples(st.just("callback"), st.sampled_from(["SUCCESS", "FAILED", "PROCESSING"])),
        st.tuples(st.just("poll"), st.sampled_from(["SUCCESS", "FAILED", "PROCESSING"])),
    ),
    min_size=1,
    max_size=14,
)
TID = "TID1"
AMOUNT = 5000


class ScriptedProvider:
    """Answers each pay with the next scripted outcome; counts what a real one would debit.

    It may take the money and then refuse every retry (a timeout or a 500, then 400, 401,
    403, 404 or 429): those refusals say nothing about the payment it already holds.
    """

    def __init__(self) -> None:
        self.outcomes: list[str] = []
        self.pay_external_ids: list[str] = []
        self.debited: set[str] = set()

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        ext = body["externalTransactionId"]
        self.pay_external_ids.append(ext)
        outcome = self.outcomes.pop(0) if self.outcomes else "timeout"
        if outcome == "timeout":
            self.debited.add(ext)
            raise httpx.ReadTimeout("scripted timeout", request=request)
        if outcome == "error500":
            self.debited.add(ext)
            return httpx.Response(500, json={"message": "Internal server error"})
        if outcome in REFUSALS:
            return httpx.Response(
                REFUSALS[outcome],
                json={
                    "message": "Failed to pay bill",
                    "transaction": {"success": False, "Status": "FAILED", "message": outcome},
                },
            )
        if outcome == "conflict" or ext in self.debited:
            return httpx.Response(409, json={"message": "externalTransactionId already used"})
        self.debited.add(ext)
        status = "SUCCESS" if outcome == "success" else "PROCESSING"
        transaction = {"success": True, "transactionId": TID, "amount": AMOUNT, "Status": status}
        if status == "SUCCESS":
            transaction["token"] = "1" * 20
        return httpx.Response(200, json={"message": "ok", "transaction": transaction})


async def run_events(events: list[tuple[str, str | None]], folder: Path) -> None:
    provider = ScriptedProvider()
    client = DexchangeClient(
        "http://dexchange.invalid",
        "key",
        transport=httpx.MockTransport(provider.handler),
        rate_per_minute=10_000,
    )
    storage = Storage(database_for(folder / "p.sqlite3"))
    await storage.open()
    service = PaymentService(
        storage,
        client,
        fee_percent=Decimal(1),
        public_base_url="http://127.0.0.1:1",
        callback_secret=SECRET,
    )
    callbacks = CallbackService(service, SECRET)
    async with storage.transaction() as tx:
        user = await tx.users.upsert("telegram", "1", "1")
        await tx.ledger.add(user.id, LedgerKind.CREDIT, 100_000, actor="test")
    quote = Quote(Service.WOYOFAL, "07061270877", AMOUNT, 50)
    payment = None
    seen_success = False
    # Only DEXCHANGE's word about the payment may make it FAILED: a callback or status
    # saying so, or the refusal of an attempt when no earlier one can have reached it.
    failure_reported = False
    reached = False
    codes_at_success: list[str] = []
    try:
        for kind, arg in events:
            if kind in ("confirm", "submit") and (kind == "submit") == (payment is not None):
                # The first confirmation submits at once; later ones find the payment. A
                # submit asks for another attempt (the reconciler's), if one may be made.
                assert arg is not None
                calls = len(provider.pay_external_ids)
                provider.outcomes.append(arg)
                if payment is None:
                    payment, _ = await service.confirm(user.id, quote, "same-quote")
                    await service.drain()
                else:
                    await service.submit(payment.id)
                if len(provider.pay_external_ids) == calls:
                    provider.outcomes.remove(arg)  # no call was made: nothing was sent
                else:
                    if arg in REFUSALS and arg != "ratelimited" and not reached:
                        failure_reported = True  # nothing of it could be there: not paid
                    reached |= arg in REACHING
            elif kind == "confirm":
                assert payment is not None
                found, created = await service.confirm(user.id, quote, "same-quote")
                assert found.id == payment.id and not created
            elif payment is None:
                continue
            elif kind == "callback":
                assert arg is not None
                failure_reported |= arg == "FAILED"
                body: dict[str, object] = {
                    "externalTransactionId": payment.external_id,
                    "id": TID,
                    "AMOUNT": AMOUNT,
                    "STATUS": arg,
                }
                if arg == "SUCCESS":
                    body["TOKEN"] = "2" * 20
                sig = callback_urls.signature(SECRET, payment.external_id)
                await callbacks.apply(payment.external_id, sig, json.dumps(body).encode())
            else:
                assert arg is not None
                current = await storage.read.payments.get(payment.id)
                assert current is not None
                if current.provider_tx_id is None:
                    continue  # nothing to look up yet
                failure_reported |= arg == "FAILED"
                answer = {"transaction": {"Status": arg, "Amount": AMOUNT, "token": "3" * 20}}
                await service.apply_status_answer(
                    current,
                    TransactionStatusResponse.model_validate(answer),
                    json.dumps(answer),
                )
            if payment is not None:
                current = await storage.read.payments.get(payment.id)
                assert current is not None
                if seen_success:
                    assert current.status is S.SUCCESS, "left SUCCESS"
                    assert current.codes == codes_at_success or not codes_at_success, (
                        "codes changed after they were given"
                    )
                if current.status is S.FAILED:
                    assert failure_reported, "an unknown outcome was recorded as failed"
                if current.status is S.SUCCESS:
                    seen_success = True
                    codes_at_success = codes_at_success or current.codes
        # The wallet: never negative, the sum of its entries, and back to full on failure.
        balance = await storage.read.ledger.balance(user.id)
        assert balance == await storage.read.ledger.sum_of_entries(user.id)
        assert balance >= 0
        # At most one payment, one external id, and each message at most once.
        assert len(set(provider.pay_external_ids)) <= 1, "paid under two external ids"
        rows = await storage.read.payments.for_user(user.id, limit=100)
        assert len(rows) <= 1
        if payment is not None:
            messages = await storage.read.outbox.for_payment(payment.id)
            kinds = [m.kind for m in messages]
            assert len(kinds) == len(set(kinds)), "a message was queued twice"
            final = await storage.read.payments.get(payment.id)
            assert final is not None
            if OutboxKind.SUCCESS in kinds and OutboxKind.FAILED in kinds:
                # Only DEXCHANGE's late SUCCESS after a FAILED: told in that order.
                assert final.status is S.SUCCESS
                assert kinds.index(OutboxKind.FAILED) < kinds.index(OutboxKind.SUCCESS)
            if final.status is S.SUCCESS:
                assert OutboxKind.SUCCESS in kinds
                assert balance == 100_000 - final.amount - (final.provider_fee or final.fee)
            elif final.status is S.FAILED:
                assert balance == 100_000
            else:
                assert balance == 100_000 - final.total  # still held
    finally:
        await service.drain()
        await client.aclose()
        await storage.close()


def in_a_fresh_folder(
    scenario: Callable[[Any, Path], Coroutine[Any, Any, None]], example: Any
) -> None:
    """Each example against a new SQLite file (examples are run synchronously)."""
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(example, Path(folder)))


def examples(count: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@examples(120)
@given(EVENTS)
def test_no_event_sequence_leaves_success_fails_unknowns_or_pays_twice(events) -> None:
    in_a_fresh_folder(run_events, events)


TRANSITIONS = st.lists(
    st.tuples(
        st.sampled_from([s for s in S if s is not S.CREATED]),
        st.sampled_from([None, "TID-A", "TID-B"]),
        st.sampled_from([[], ["1" * 20], ["1" * 20, "2" * 20]]),
        st.sampled_from([None, "", "Transaction en cours", "Paid"]),
        st.sampled_from([None, 0, 10, 12]),
        st.booleans(),  # read the payment in the transaction first and pass it as current
    ),
    min_size=1,
    max_size=8,
)


async def run_transitions(
    steps: list[tuple[S, str | None, list[str], str | None, int | None, bool]], folder: Path
) -> None:
    storage = Storage(database_for(folder / "t.sqlite3"))
    await storage.open()
    try:
        async with storage.transaction() as tx:
            user = await tx.users.upsert("telegram", "1", "1")
            payment, _ = await tx.payments.create(
                NewPayment(
                    user_id=user.id,
                    idempotency_key="k",
                    service=Service.WOYOFAL,
                    reference="07061270877",
                    amount=5000,
                    fee=50,
                    external_id="EXT-1",
                )
            )
        for target, tx_id, codes, message, fee, pass_current in steps:
            update = ProviderUpdate(
                target, provider_tx_id=tx_id, codes=codes, message=message, fee=fee
            )
            before = await storage.read.payments.get(payment.id)
            assert before is not None
            async with storage.transaction() as tx:
                current = await tx.payments.get(payment.id) if pass_current else None
                returned = await tx.payments.transition(
                    payment.id, target, "test", update, current=current
                )
            stored = await storage.read.payments.get(payment.id)
            assert stored is not None
            if returned is None:
                assert stored == before, "a refused transition changed the payment"
                continue
            assert returned == stored, "the payment returned is not the row as stored"
            # What a transition means, field by field: what DEXCHANGE said, or what was kept.
            assert stored.status is target
            assert stored.provider_tx_id == (tx_id or before.provider_tx_id)
            assert stored.codes == (codes or before.codes)
            assert stored.provider_message == (message or before.provider_message)
            assert stored.provider_fee == (fee if fee is not None else before.provider_fee)
            assert stored.attempts == before.attempts + (target is S.SUBMITTED)
            assert (stored.completed_at is not None) == target.is_final
            # Still looked at while open, or while a Woyofal success waits for its code.
            assert (stored.next_check_at is None) == (target.is_final and not stored.awaiting_code)
    finally:
        await storage.close()


@examples(80)
@given(TRANSITIONS)
def test_a_transition_returns_the_payment_exactly_as_stored(steps) -> None:
    in_a_fresh_folder(run_transitions, steps)
