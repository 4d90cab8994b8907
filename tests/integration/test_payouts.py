"""Refunds to mobile money (`*_CASHIN`), against the simulator over loopback: the ledger is
debited once whatever happens (double tap, slow answer, duplicate callbacks, a restart
between commit and call), a failure gives it back once, a forged figure moves nothing."""

import asyncio
from typing import Any

import pytest

from bot.services.payouts import Payouts, RefundRefusal, RefundRefused
from storage.models import (
    Collection,
    CollectionStatus,
    Direction,
    LedgerKind,
    MoneyMethod,
    Role,
)
from tests.integration.collection_world import (
    FAILS,
    SLOW,
    SUCCESS,
    CollectionWorld,
    collection_world,
    fast_sim,
)

C = CollectionStatus
WAVE, OM = MoneyMethod.WAVE, MoneyMethod.ORANGE_MONEY


async def credit(world: CollectionWorld, amount: int) -> None:
    async with world.storage.transaction() as tx:
        await tx.ledger.add(world.user_id, LedgerKind.CREDIT, amount, actor="test")


async def moves(world: CollectionWorld, collection_id: int) -> list[tuple[str, int]]:
    entries = await world.storage.read.ledger.all_for_collection(collection_id)
    return [(entry.kind.value, entry.amount) for entry in entries]


async def refund_notices(world: CollectionWorld) -> list[dict[str, Any]]:
    messages = await world.storage.read.outbox.for_user(world.user_id)
    return [m.payload for m in messages if m.payload.get("key", "").startswith("refund.")]


def body(collection: Collection, status: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": collection.provider_tx_id,
        "externalTransactionId": collection.external_id,
        "transactionType": "CASHIN",
        "AMOUNT": collection.provider_amount,
        "FEE": 0,
        "PHONE_NUMBER": collection.number,
        "STATUS": status,
    }
    data.update(changes)
    return data


async def test_a_refund_is_debited_once_sent_and_told(tmp_path) -> None:
    async with collection_world(tmp_path, sim_config=fast_sim(duplicate_callbacks=3)) as world:
        await credit(world, 10_000)
        payouts = Payouts(world.service)
        started, created = await payouts.refund(
            world.user_id, 4000, WAVE, SUCCESS, actor="admin:1", idempotency_key="r1"
        )
        assert created and started.direction is Direction.OUT
        assert started.service_code == "WAVE_SN_CASHIN" and started.actor == "admin:1"
        assert await world.balance() == 6000  # debited before it is sent
        done = await world.wait_status(started.id, C.SUCCESS)
        await asyncio.sleep(0.3)  # the duplicate callbacks land
        late = await world.post_callback(done.external_id, body(done, "FAILED"))
        assert late.status_code == 200  # final is final: nothing comes back
        assert await moves(world, done.id) == [("payout", -4000)]
        assert await world.balance() == 6000
        assert await refund_notices(world) == [
            {"key": "refund.success", "amount": 4000, "number": SUCCESS, "balance": 6000}
        ]
        assert world.sim.state.init_calls == 1
        assert world.sim.state.init_requests[0]["serviceCode"] == "WAVE_SN_CASHIN"
        sample = world.metrics.registry.get_sample_value
        assert sample("bot_collections_total", {"method": "wave", "status": "success"}) == 1
        assert sample("bot_payouts_total", {"method": "wave", "status": "success"}) == 1


async def test_a_failed_refund_comes_back_once(tmp_path) -> None:
    async with collection_world(tmp_path, sim_config=fast_sim(duplicate_callbacks=2)) as world:
        await credit(world, 5000)
        started, _ = await Payouts(world.service).refund(
            world.user_id, None, OM, FAILS, actor="cli", idempotency_key="r1"
        )
        assert started.amount == 5000 and await world.balance() == 0  # the whole balance
        failed = await world.wait_status(started.id, C.FAILED)
        await asyncio.sleep(0.3)
        again = await world.post_callback(failed.external_id, body(failed, "FAILED"))
        assert again.status_code == 200
        assert await moves(world, failed.id) == [("payout", -5000), ("payout_return", 5000)]
        assert await world.balance() == 5000
        assert await refund_notices(world) == [
            {"key": "refund.failed", "amount": 5000, "balance": 5000}
        ]


async def test_a_slow_answer_then_success_is_debited_once(tmp_path) -> None:
    config = fast_sim(collection_delay=1.0)  # settled after the client gave up waiting
    async with collection_world(tmp_path, client_timeout=0.5, sim_config=config) as world:
        await credit(world, 8000)
        started, _ = await Payouts(world.service).refund(
            world.user_id, 3000, WAVE, SLOW, actor="cli", idempotency_key="r1"
        )
        unknown = await world.wait_for(started.id, lambda c: c.maybe_sent)
        assert unknown.status is not C.FAILED
        done = await world.wait_status(started.id, C.SUCCESS)
        await asyncio.sleep(0.3)
        ids = {request["externalTransactionId"] for request in world.sim.state.init_requests}
        assert ids == {done.external_id}  # retried only under its own id
        assert await moves(world, done.id) == [("payout", -3000)]
        assert await world.balance() == 5000


async def test_a_double_tap_makes_one_refund_and_one_debit(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        await credit(world, 10_000)
        payouts = Payouts(world.service)
        results = await asyncio.gather(
            *(
                payouts.refund(
                    world.user_id, 2000, WAVE, SUCCESS, actor="admin:1", idempotency_key="tap"
                )
                for _ in range(20)
            )
        )
        assert len({c.id for c, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        done = await world.wait_status(results[0][0].id, C.SUCCESS)
        await world.service.drain()
        assert world.sim.state.init_calls == 1
        assert await moves(world, done.id) == [("payout", -2000)]
        assert await world.balance() == 8000


async def test_a_callback_whose_figures_differ_moves_nothing(tmp_path) -> None:
    async with collection_world(tmp_path, sim_config=fast_sim(collection_delay=30)) as world:
        await credit(world, 10_000)
        async with world.storage.transaction() as tx:
            admin = await tx.users.upsert("telegram", "9001", "9001", "boss", "Boss")
            await tx.users.set_role(admin.id, Role.ADMIN)
        started, _ = await Payouts(world.service).refund(
            world.user_id, 6000, WAVE, FAILS, actor="cli", idempotency_key="r1"
        )
        pending = await world.wait_status(started.id, C.PENDING)
        wrong_amount = body(pending, "FAILED", AMOUNT=60_000)
        assert (await world.post_callback(pending.external_id, wrong_amount)).status_code == 409
        wrong_number = body(pending, "FAILED", PHONE_NUMBER="771111111")
        assert (await world.post_callback(pending.external_id, wrong_number)).status_code == 409
        after = await world.collection(pending.id)
        assert after.status is C.PENDING
        assert after.needs_attention and "amount 60000" in (after.attention_reason or "")
        assert await moves(world, pending.id) == [("payout", -6000)]
        assert await world.balance() == 4000
        assert await refund_notices(world) == []
        # The admins are told it is a refund, not a top-up.
        told = await world.storage.read.outbox.for_user(admin.id)
        assert [m.payload["key"] for m in told] == ["admin.refund_attention"]
        good = await world.post_callback(pending.external_id, body(pending, "FAILED"))
        assert good.status_code == 200
        assert await world.balance() == 10_000


async def test_a_restart_between_commit_and_call_sends_it_once(tmp_path) -> None:
    async with collection_world(tmp_path, run_reconciler=False) as world:
        await credit(world, 7000)
        prepared, created = await Payouts(world.service).prepare(
            world.user_id, 7000, WAVE, SUCCESS, actor="cli", idempotency_key="r1"
        )
        assert created and world.sim.state.init_calls == 0
        await world.restart()  # the process died here; the next one's reconciler sends it
        done = await world.wait_status(prepared.id, C.SUCCESS)
        await asyncio.sleep(0.3)
        assert world.sim.state.init_calls == 1
        assert await moves(world, done.id) == [("payout", -7000)]
        assert await world.balance() == 0
        assert [n["key"] for n in await refund_notices(world)] == ["refund.success"]


async def test_a_refund_never_sent_is_given_back_when_its_time_is_up(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        await credit(world, 3000)
        world.sim.faults.maintenance = True  # DEXCHANGE records nothing
        started, _ = await Payouts(world.service).refund(
            world.user_id, 3000, WAVE, SUCCESS, actor="cli", idempotency_key="r1"
        )
        ended = await world.wait_status(started.id, C.CANCELLED)
        assert not ended.maybe_sent
        assert await moves(world, ended.id) == [("payout", -3000), ("payout_return", 3000)]
        assert await world.balance() == 3000


@pytest.mark.parametrize(
    ("amount", "number", "reason"),
    [
        (0, SUCCESS, RefundRefusal.BAD_AMOUNT),
        (-5, SUCCESS, RefundRefusal.BAD_AMOUNT),
        (5001, SUCCESS, RefundRefusal.ABOVE_BALANCE),
        (199, SUCCESS, RefundRefusal.BELOW_MIN),
        (1000, "77000000", RefundRefusal.BAD_NUMBER),
        (1000, "77000000a", RefundRefusal.BAD_NUMBER),
    ],
)
async def test_a_refused_refund_creates_nothing(
    tmp_path, amount: int, number: str, reason: RefundRefusal
) -> None:
    async with collection_world(tmp_path) as world:
        await credit(world, 5000)
        with pytest.raises(RefundRefused) as refused:
            await Payouts(world.service).refund(
                world.user_id, amount, WAVE, number, actor="cli", idempotency_key="r1"
            )
        assert refused.value.reason is reason
        assert await world.storage.read.collections.for_user(world.user_id) == []
        assert await world.balance() == 5000
        assert world.sim.state.init_calls == 0


async def test_above_the_provider_ceiling_and_an_empty_wallet_are_refused(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        payouts = Payouts(world.service)
        with pytest.raises(RefundRefused) as empty:
            await payouts.refund(world.user_id, None, WAVE, SUCCESS, actor="c", idempotency_key="a")
        assert empty.value.reason is RefundRefusal.EMPTY
        await credit(world, 1_500_000)
        with pytest.raises(RefundRefused) as above:
            await payouts.refund(world.user_id, None, WAVE, SUCCESS, actor="c", idempotency_key="b")
        assert above.value.reason is RefundRefusal.ABOVE_MAX and above.value.limit == 1_000_000
        assert await world.storage.read.collections.for_user(world.user_id) == []
        assert await world.balance() == 1_500_000
