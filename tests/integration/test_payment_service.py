"""The payment service against the simulator: every outcome, idempotency, reconciliation."""

import asyncio
from datetime import timedelta

import pytest

from bot.services.quotes import BillLookupFailed, LookupProblem, Quote
from bot.simulator import SimulatorConfig
from storage.models import OutboxKind, PaymentStatus, Service
from tests.integration.service_world import service_world

S = PaymentStatus


def woyofal(reference: str, amount: int = 5000) -> Quote:
    return Quote(Service.WOYOFAL, reference, amount, amount // 100)


async def kinds(world, payment_id: int) -> list[OutboxKind]:
    return [m.kind for m in await world.storage.read.outbox.for_payment(payment_id)]


async def test_twenty_concurrent_confirmations_make_one_payment(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        quote = woyofal("07061270877")
        results = await asyncio.gather(
            *(world.service.confirm(world.user_id, quote, "one-quote") for _ in range(20))
        )
        assert len({payment.id for payment, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        paid = await world.wait_status(results[0][0].id, S.SUCCESS)
        await world.service.drain()
        assert world.sim.state.pay_calls == 1 and world.sim.state.debits == 1
        assert paid.codes == ["1283930093209223"]
        assert await kinds(world, paid.id) == [OutboxKind.SUCCESS]


async def test_the_row_and_external_id_exist_before_the_pay_call(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        seen: list[tuple[str, str]] = []
        original = world.client.pay

        async def spying_pay(request):
            row = await world.storage.read.payments.by_external_id(request.externalTransactionId)
            assert row is not None, "pay called before the payment was committed"
            seen.append((row.status.value, request.externalTransactionId))
            return await original(request)

        world.client.pay = spying_pay  # type: ignore[method-assign]
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q1")
        await world.wait_status(payment.id, S.SUCCESS)
        assert seen == [("submitted", payment.external_id)]


async def test_bill_quotes_and_a_synchronous_bill_payment(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        choice = await world.service.bill_choice(Service.SENELEC, "222222222")
        assert [q.amount for q in choice.quotes] == [12_300, 45_600]  # oldest due first
        assert all(q.total == q.amount + q.fee for q in choice.quotes)
        second = choice.quotes[1]
        payment, _ = await world.service.confirm(world.user_id, second, "bill-2")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.bill_reference == second.bill_reference
        assert world.sim.state.pay_requests[-1]["reference_facture"] == second.bill_reference
        none = await world.service.bill_choice(Service.SENELEC, "100000000")
        assert none.quotes == []


async def test_a_bill_of_nothing_is_not_offered(tmp_path) -> None:
    """DEXCHANGE may list a bill of 0 FCFA (settled at the counter, not yet cleared): there
    is nothing to pay on it, and a payment of 0 would fail in storage (amount > 0)."""
    async with service_world(tmp_path) as world:
        await world.service.bill_choice(Service.SENELEC, "222222222")  # the bills are made
        bills = world.sim.state.bills[(Service.SENELEC.value, "222222222")]
        bills[0].montant = 0
        choice = await world.service.bill_choice(Service.SENELEC, "222222222")
        assert [q.amount for q in choice.quotes] == [45_600]
        bills[1].montant = 0
        nothing = await world.service.bill_choice(Service.SENELEC, "222222222")
        assert nothing.quotes == []  # said as "no unpaid bill", as DEXCHANGE's 404 would be


@pytest.mark.parametrize("fee", [-500, 45_600])
async def test_a_bill_with_an_unbelievable_fee_is_not_offered(tmp_path, fee: int) -> None:
    """The fee of a bill becomes the customer's: a negative one (the operator would pay it)
    or one above PROVIDER_FEE_MAX_PERCENT of the bill (the customer would) is not offered;
    with no bill left, the lookup says "later", as when DEXCHANGE cannot answer."""
    async with service_world(tmp_path) as world:
        world.sim.faults.bill_fee = fee
        with pytest.raises(BillLookupFailed) as failed:
            await world.service.bill_choice(Service.SENELEC, "222222222")
        assert failed.value.problem is LookupProblem.UNAVAILABLE
        world.sim.faults.bill_fee = None
        choice = await world.service.bill_choice(Service.SENELEC, "222222222")
        assert [q.fee for q in choice.quotes] == [123, 456]


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("444444444", "insufficient_balance"),
        ("555555555", "bill_already_paid"),
        ("666666666", "maintenance"),
    ],
)
async def test_refusals_fail_with_their_reason_and_no_debit(tmp_path, reference, reason) -> None:
    async with service_world(tmp_path) as world:
        quote = Quote(Service.SENELEC, reference, 10_000, 100)
        payment, _ = await world.service.confirm(world.user_id, quote, "refused")
        failed = await world.wait_status(payment.id, S.FAILED)
        assert failed.provider_message
        [message] = await world.storage.read.outbox.for_payment(payment.id)
        assert message.kind is OutboxKind.FAILED
        assert message.payload == {"reason": reason, "refunded": False}
        assert world.sim.state.debits == 0


async def test_a_500_is_unknown_never_failed_and_settles_by_callback(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("888888888"), "err500")
        unknown = await world.wait_status(payment.id, S.UNKNOWN)
        assert unknown.completed_at is None
        assert await kinds(world, payment.id) == [OutboxKind.UNKNOWN]
        paid = await world.wait_status(payment.id, S.SUCCESS)  # the simulator's callback
        assert paid.codes and world.sim.state.debits == 1 and world.sim.state.pay_calls == 1
        assert await kinds(world, payment.id) == [OutboxKind.UNKNOWN, OutboxKind.SUCCESS]


async def test_a_timeout_is_unknown_and_the_retry_uses_the_same_id(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=0.2, sync_callback_delay=30, slow_seconds=1.5)
    async with service_world(tmp_path, sim_config=config, client_timeout=0.5) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("777777777"), "slow")
        await world.wait_status(payment.id, S.UNKNOWN)
        world.reconciler.start()
        # The reconciler retries under the same id: DEXCHANGE says 409, it has it.
        held = await world.wait_for(payment.id, lambda p: p.provider_has_it)
        assert held.status is S.UNKNOWN
        ids = [body["externalTransactionId"] for body in world.sim.state.pay_requests]
        assert ids == [payment.external_id, payment.external_id]
        assert world.sim.state.debits == 1


async def test_processing_then_code_by_callback(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "w")
        processing = await world.wait_status(payment.id, S.PROCESSING)
        assert processing.provider_tx_id
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert len(paid.codes) == 1 and len(paid.codes[0]) == 20
        assert await kinds(world, payment.id) == [OutboxKind.PROCESSING, OutboxKind.SUCCESS]


async def test_processing_then_failure_is_refunded(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        balance = world.sim.state.balance
        payment, _ = await world.service.confirm(world.user_id, woyofal("999999999"), "f")
        await world.wait_status(payment.id, S.FAILED)
        messages = await world.storage.read.outbox.for_payment(payment.id)
        assert [m.kind for m in messages] == [OutboxKind.PROCESSING, OutboxKind.FAILED]
        assert messages[-1].payload["refunded"] is True
        assert world.sim.state.balance == balance


async def test_polling_settles_when_callbacks_never_arrive(tmp_path) -> None:
    async with service_world(tmp_path, callbacks_reach_us=False) as world:
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "poll")
        await world.wait_status(payment.id, S.PROCESSING)
        # No callback can reach us: GET /transaction/{id} on the backoff schedule settles it.
        paid = await world.wait_for(payment.id, lambda p: p.status is S.SUCCESS, timeout=15)
        assert len(paid.codes) == 1
        events = await world.storage.read.payments.events(payment.id)
        assert events[-1][2] == "status"


async def test_past_the_deadline_an_admin_is_flagged_and_the_user_told(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=3600)  # DEXCHANGE keeps it PROCESSING
    async with service_world(tmp_path, sim_config=config, deadline=timedelta(seconds=0.3)) as world:
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "late")
        flagged = await world.wait_for(payment.id, lambda p: p.needs_attention, timeout=10)
        assert flagged.status is S.PROCESSING
        await asyncio.sleep(0.5)
        kinds_now = await kinds(world, payment.id)
        assert kinds_now.count(OutboxKind.DELAYED) == 1


async def test_on_restart_open_payments_resume(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        # A payment left CREATED by a process that died before submitting it.
        async with world.storage.transaction() as tx:
            created, _ = await world.service.create_in(
                tx, world.user_id, woyofal("07061270877"), "orphan"
            )
        await world.reconciler.resume_after_restart()
        await world.reconciler.run_once()
        paid = await world.wait_status(created.id, S.SUCCESS)
        assert world.sim.state.pay_calls == 1 and paid.codes
