"""Wallets and their ledger with the real payment service and the simulator (money rule 7)."""

import asyncio

import pytest

from bot.services.quotes import Quote
from bot.services.wallets import NotEnoughCredit
from bot.simulator import SimulatorConfig
from storage.models import LedgerKind, PaymentStatus, Service
from tests.integration.service_world import ServiceWorld, service_world

S = PaymentStatus


def woyofal(reference: str, amount: int = 5000) -> Quote:
    return Quote(Service.WOYOFAL, reference, amount, amount // 100)


async def movements(world: ServiceWorld) -> list[tuple[LedgerKind, int]]:
    entries = await world.storage.read.ledger.entries(world.user_id, 100)
    return [(e.kind, e.amount) for e in reversed(entries)]


async def assert_consistent(world: ServiceWorld) -> int:
    entries = await world.storage.read.ledger.entries(world.user_id, 1000)
    assert all(entry.balance_after >= 0 for entry in entries)
    balance = await world.storage.read.ledger.balance(world.user_id)
    assert balance == await world.storage.read.ledger.sum_of_entries(world.user_id)
    return balance


async def test_an_unfunded_user_cannot_pay_and_nothing_is_created(tmp_path) -> None:
    async with service_world(tmp_path, fund=0) as world:
        with pytest.raises(NotEnoughCredit) as refused:
            await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        assert (refused.value.balance, refused.value.needed) == (0, 5050)
        assert await world.storage.read.payments.for_user(world.user_id) == []
        await asyncio.sleep(0.2)
        assert world.sim.state.pay_calls == 0


async def test_reserve_then_settle_on_success(tmp_path) -> None:
    async with service_world(tmp_path, fund=10_000) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        assert await movements(world) == [(LedgerKind.CREDIT, 10_000), (LedgerKind.RESERVE, -5050)]
        await world.wait_status(payment.id, S.SUCCESS)
        assert await movements(world) == [
            (LedgerKind.CREDIT, 10_000),
            (LedgerKind.RESERVE, -5050),
            (LedgerKind.SETTLE, 0),
        ]
        assert await assert_consistent(world) == 4950
        # A repeated confirmation reserves nothing more.
        await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        assert await assert_consistent(world) == 4950


async def test_ten_concurrent_payments_covered_three_times(tmp_path) -> None:
    async with service_world(tmp_path, fund=3 * 5050 + 100) as world:
        results = await asyncio.gather(
            *(
                world.service.confirm(world.user_id, woyofal("07061270877"), f"quote-{n}")
                for n in range(10)
            ),
            return_exceptions=True,
        )
        made = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, NotEnoughCredit)]
        assert len(made) == 3 and len(refused) == 7, results
        await world.service.drain()
        for payment, _ in made:
            await world.wait_status(payment.id, S.SUCCESS)
        assert world.sim.state.pay_calls == 3
        assert await assert_consistent(world) == 100


@pytest.mark.parametrize("reference", ["444444444", "999999999"])
async def test_failure_and_processing_then_failure_release_everything(tmp_path, reference) -> None:
    async with service_world(tmp_path, fund=20_000) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal(reference), "q")
        assert await world.storage.read.ledger.balance(world.user_id) == 20_000 - 5050
        await world.wait_status(payment.id, S.FAILED)
        kinds = [kind for kind, _ in await movements(world)]
        assert kinds == [LedgerKind.CREDIT, LedgerKind.RESERVE, LedgerKind.RELEASE]
        assert await assert_consistent(world) == 20_000


async def test_a_lower_provider_fee_settles_the_difference(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=0.2, sync_callback_delay=0.05)
    from decimal import Decimal

    config.fee_percent = Decimal("0.5")  # DEXCHANGE charges 25 where we quoted 50
    async with service_world(tmp_path, sim_config=config, fund=10_000) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.provider_fee == 25
        assert (await movements(world))[-1] == (LedgerKind.SETTLE, 25)
        assert await assert_consistent(world) == 10_000 - 5025


async def test_an_unknown_outcome_keeps_the_money_held(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=3600, sync_callback_delay=3600)
    async with service_world(tmp_path, sim_config=config, fund=10_000) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("888888888"), "q")
        await world.wait_status(payment.id, S.UNKNOWN)
        # Not failed, so not released: the money may well be spent at DEXCHANGE.
        assert await assert_consistent(world) == 10_000 - 5050
