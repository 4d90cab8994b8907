"""Pay the rest: a purchase stored with the collection that funds it, paid once that
collection succeeds — against the simulator over loopback, on a real SQLite file."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.services.collections import PurchaseToFund
from bot.services.pay_the_rest import payment_key
from bot.services.quotes import Quote
from handlers.results import failed_text
from storage import Storage
from storage.models import (
    CollectionStatus,
    FundedPurchase,
    LedgerKind,
    MoneyMethod,
    OutboxKind,
    Payment,
    PaymentStatus,
    PurchaseState,
    Service,
)
from tests.databases import REFUSED_BY_DATABASE, database_for
from tests.integration.collection_world import (
    FAILS,
    SUCCESS,
    CollectionWorld,
    collection_world,
    fast_sim,
)

C = CollectionStatus
WAVE = MoneyMethod.WAVE
METER = "07061270877"  # the simulator's Woyofal meter with an immediate code
BILL = "210278816"  # one unpaid Senelec bill of 104 500 FCFA, fee 1 045


async def credit(world: CollectionWorld, amount: int) -> None:
    async with world.storage.transaction() as tx:
        await tx.ledger.add(world.user_id, LedgerKind.CREDIT, amount, actor="test", note="t")


def woyofal(amount: int = 5000) -> Quote:
    return Quote(Service.WOYOFAL, METER, amount, amount // 100)


async def bill_quote(world: CollectionWorld) -> Quote:
    choice = await world.payments.bill_choice(Service.SENELEC, BILL)
    assert len(choice.quotes) == 1
    return choice.quotes[0]


def for_quote(quote: Quote, label: str | None = None) -> PurchaseToFund:
    return PurchaseToFund(quote.to_dict(), label)


async def purchase_state(
    world: CollectionWorld, collection_id: int, state: PurchaseState, timeout: float = 10
) -> FundedPurchase:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await world.storage.read.funded_purchases.get(collection_id)
        assert found is not None
        if found.state is state:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"purchase stuck in {found.state}")
        await asyncio.sleep(0.02)


async def settled_payment(world: CollectionWorld, payment_id: int) -> Payment:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        payment = await world.storage.read.payments.get(payment_id)
        assert payment is not None
        if payment.status.is_final and not payment.awaiting_code:
            return payment
        if loop.time() > deadline:
            raise AssertionError(f"payment stuck in {payment.status}")
        await asyncio.sleep(0.02)


async def keys(world: CollectionWorld) -> list[tuple[str, dict[str, Any]]]:
    messages = await world.storage.read.outbox.for_user(world.user_id)
    return [(m.payload["key"], m.payload) for m in messages if "key" in m.payload]


async def test_the_woyofal_purchase_is_paid_once_the_collection_succeeds(tmp_path) -> None:
    # DEXCHANGE's worst day: every collection callback three times; still one purchase.
    async with collection_world(tmp_path, sim_config=fast_sim(duplicate_callbacks=3)) as world:
        await credit(world, 300)
        quote = woyofal()  # 5 000 + 50: 4 750 short
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, 4750, "rest-1", for_quote(quote, "Fatou")
        )
        waiting = await world.storage.read.funded_purchases.get(started.id)
        assert waiting is not None and waiting.state is PurchaseState.WAITING
        await world.wait_status(started.id, C.SUCCESS)
        paid = await purchase_state(world, started.id, PurchaseState.PAID)
        assert paid.payment_id is not None
        payment = await settled_payment(world, paid.payment_id)
        assert payment.status is PaymentStatus.SUCCESS and payment.codes
        assert payment.idempotency_key == payment_key(started.external_id)
        assert (payment.reference, payment.amount, payment.client_label) == (METER, 5000, "Fatou")
        await asyncio.sleep(0.3)  # the duplicate callbacks land, a reconciler pass runs
        assert await world.balance() == 0  # 300 + 4 750 - 5 050
        assert await world.fundings(started.id) == [4750]
        said = [key for key, _ in await keys(world)]
        assert said == ["funding.link", "funding.success.paying"]  # Wave's link first
        assert world.sim.state.pay_calls == 1


async def test_a_collection_that_fails_pays_nothing_and_says_so(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        started, _ = await world.service.start(
            world.user_id, WAVE, FAILS, 5050, "rest-1", for_quote(woyofal())
        )
        await world.wait_status(started.id, C.FAILED)
        await purchase_state(world, started.id, PurchaseState.DROPPED)
        await asyncio.sleep(0.3)  # a reconciler pass or two
        assert world.sim.state.pay_calls == 0
        said = [key for key, _ in await keys(world)]
        assert said == ["funding.link", "funding.failed.purchase"]  # Wave's link first
        assert await world.balance() == 0


async def test_the_same_bill_is_looked_up_again_then_paid(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        quote = await bill_quote(world)
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, quote.total, "rest-1", for_quote(quote)
        )
        paid = await purchase_state(world, started.id, PurchaseState.PAID)
        assert paid.payment_id is not None
        payment = await settled_payment(world, paid.payment_id)
        assert payment.status is PaymentStatus.SUCCESS
        assert (payment.bill_reference, payment.amount) == (quote.bill_reference, quote.amount)
        assert await world.balance() == 0


async def test_a_bill_that_changed_is_not_paid_and_the_money_stays(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        seen = await bill_quote(world)
        # What the customer confirmed is not what DEXCHANGE lists now (a new amount).
        confirmed = Quote(**{**seen.__dict__, "amount": seen.amount - 500})
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, confirmed.total, "rest-1", for_quote(confirmed)
        )
        changed = await purchase_state(world, started.id, PurchaseState.CHANGED)
        assert changed.payment_id is None and changed.detail
        await asyncio.sleep(0.3)
        assert world.sim.state.pay_calls == 0
        said = await keys(world)
        keys_said = [key for key, _ in said]
        assert keys_said == ["funding.link", "funding.success.paying", "rest.changed"]
        assert said[2][1]["balance"] == confirmed.total == await world.balance()


async def test_a_balance_spent_meanwhile_leaves_the_money_in_the_wallet(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        # The success is applied while this process cannot pay (it would die here).
        world.service.on_funded = lambda collection_id: None
        await world.reconciler.stop()
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, 2020, "rest-1", for_quote(woyofal(2000))
        )
        # Settled by polling: the reconciler alone drives it, and it is stopped; poll by hand.
        await asyncio.sleep(0.6)
        await world.service.reconcile(await world.collection(started.id))
        await world.wait_status(started.id, C.SUCCESS)
        await purchase_state(world, started.id, PurchaseState.DUE)
        # Meanwhile the customer spends part of it on something else.
        async with world.storage.transaction() as tx:
            await tx.ledger.add(world.user_id, LedgerKind.ADJUSTMENT, -100, actor="t", note="t")
        assert await world.purchases.run_once() == 1
        failed = await world.storage.read.funded_purchases.get(started.id)
        assert failed is not None and failed.state is PurchaseState.FAILED
        assert world.sim.state.pay_calls == 0
        said = await keys(world)
        assert said[-1][0] == "rest.failed" and said[-1][1]["balance"] == 1920


async def test_a_crash_after_the_credit_pays_once_after_the_restart(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        world.service.on_funded = lambda collection_id: None  # dies before paying
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, 5050, "rest-1", for_quote(woyofal())
        )
        await world.wait_status(started.id, C.SUCCESS)
        await purchase_state(world, started.id, PurchaseState.DUE)
        await world.reconciler.stop()
        # The previous process died after creating the payment, before marking it paid.
        collection = await world.collection(started.id)
        first, _ = await world.payments.confirm(
            world.user_id, woyofal(), payment_key(collection.external_id)
        )
        await world.restart()
        paid = await purchase_state(world, started.id, PurchaseState.PAID)
        assert paid.payment_id == first.id
        await settled_payment(world, first.id)
        # Passes and concurrent settles find the same payment: paid once.
        results = await asyncio.gather(*(world.purchases.settle(started.id) for _ in range(5)))
        assert set(results) == {PurchaseState.PAID}
        assert await world.purchases.run_once() == 0
        assert world.sim.state.pay_calls == 1
        assert await world.balance() == 0


async def test_concurrent_settles_of_a_due_purchase_make_one_payment(tmp_path) -> None:
    async with collection_world(tmp_path, run_reconciler=False) as world:
        world.service.on_funded = lambda collection_id: None
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, 5050, "rest-1", for_quote(woyofal())
        )
        await asyncio.sleep(0.6)
        await world.service.reconcile(await world.collection(started.id))
        await world.wait_status(started.id, C.SUCCESS)
        results = await asyncio.gather(
            *(world.purchases.settle(started.id) for _ in range(10)), world.purchases.run_once()
        )
        assert PurchaseState.PAID in results
        paid = await world.storage.read.funded_purchases.get(started.id)
        assert paid is not None and paid.payment_id is not None
        await settled_payment(world, paid.payment_id)
        assert world.sim.state.pay_calls == 1
        assert await world.balance() == 0


async def test_a_bill_not_checkable_is_retried_then_left_in_the_wallet(tmp_path) -> None:
    async with collection_world(tmp_path, run_reconciler=False) as world:
        world.service.on_funded = lambda collection_id: None
        quote = await bill_quote(world)
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, quote.total, "rest-1", for_quote(quote)
        )
        await asyncio.sleep(0.6)
        await world.service.reconcile(await world.collection(started.id))
        await world.wait_status(started.id, C.SUCCESS)
        world.sim.faults.maintenance = True
        assert await world.purchases.settle(started.id) is PurchaseState.DUE  # later again
        world.purchases.lookup_patience = timedelta(0)
        assert await world.purchases.settle(started.id) is PurchaseState.FAILED
        assert world.sim.state.pay_calls == 0
        assert (await keys(world))[-1][0] == "rest.failed"
        assert await world.balance() == quote.total


async def test_a_purchase_that_fails_later_says_the_money_stays(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        quote = Quote(Service.WOYOFAL, "999999999", 3000, 30)  # fails, refunded by callback
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, quote.total, "rest-1", for_quote(quote)
        )
        paid = await purchase_state(world, started.id, PurchaseState.PAID)
        assert paid.payment_id is not None
        payment = await settled_payment(world, paid.payment_id)
        assert payment.status is PaymentStatus.FAILED
        assert await world.balance() == quote.total  # released back into the wallet
        messages = await world.storage.read.outbox.for_user(world.user_id)
        told = [m for m in messages if m.payment_id == payment.id and m.kind is OutboxKind.FAILED]
        assert len(told) == 1 and told[0].payload.get("refunded")
        text = failed_text("fr", payment, told[0].payload)
        assert "reste sur votre compte" in text
        # An ordinary purchase's failure does not say it.
        ordinary = Payment(**{**payment.__dict__, "idempotency_key": "q-1"})
        assert "reste sur votre compte" not in failed_text("fr", ordinary, {"refunded": True})


async def test_the_database_refuses_a_purchase_paid_twice_or_revived(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        started, _ = await world.service.start(
            world.user_id, WAVE, SUCCESS, 5050, "rest-1", for_quote(woyofal())
        )
        await purchase_state(world, started.id, PurchaseState.PAID)
        async with world.storage.transaction() as tx:
            assert not await tx.funded_purchases.move(started.id, PurchaseState.DUE)
            assert not await tx.funded_purchases.move(started.id, PurchaseState.PAID, payment_id=1)
    # The bot stopped (its workers write too): raw SQL meets the trigger alone.
    storage = Storage(database_for(tmp_path / "collections.sqlite3"))
    await storage.open()
    try:
        for sql in (
            "UPDATE funded_purchases SET state = 'due', payment_id = NULL",
            "UPDATE funded_purchases SET state = 'waiting', payment_id = NULL",
        ):
            with pytest.raises(REFUSED_BY_DATABASE, match="transition not allowed"):
                async with storage.database.write() as conn:
                    await conn.execute(sql)
    finally:
        await storage.close()
