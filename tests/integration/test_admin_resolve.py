"""An admin ends what the machine cannot, and DEXCHANGE's later word still wins (issue 12,
item 5): real payment service, simulator, callback server and SQLite file."""

import asyncio

import httpx
import pytest

from bot.services import callback_urls
from bot.services.books import ProviderBooks
from bot.services.quotes import Quote
from bot.services.resolutions import ResolveRefused
from bot.simulator import SimulatorConfig
from bot.simulator.callbacks import callback_body
from handlers.results import render
from storage.models import LedgerKind, OutboxKind, Payment, PaymentStatus, Service
from tests.integration.service_world import SECRET, ServiceWorld, service_world

S = PaymentStatus
FUND = 1_000_000
# The first attempt outlives the client's timeout (UNKNOWN); the retry gets 409: DEXCHANGE
# has it, with no transaction id we could poll, and its callback is an hour away.
STUCK = SimulatorConfig(callback_delay=3600, sync_callback_delay=3600, slow_seconds=1.0)


def woyofal(reference: str = "777777777", amount: int = 5000) -> Quote:
    return Quote(Service.WOYOFAL, reference, amount, amount // 100)


async def kinds(world: ServiceWorld, payment_id: int) -> list[OutboxKind]:
    return [m.kind for m in await world.storage.read.outbox.for_payment(payment_id)]


async def balance(world: ServiceWorld) -> int:
    return await world.storage.read.ledger.balance(world.user_id)


async def stuck_payment(world: ServiceWorld) -> Payment:
    payment, _ = await world.service.confirm(world.user_id, woyofal(), "stuck")
    await world.wait_status(payment.id, S.UNKNOWN)
    world.reconciler.start()
    stuck = await world.wait_for(payment.id, lambda p: p.provider_has_it)
    await world.reconciler.stop()
    assert stuck.status is S.UNKNOWN and stuck.provider_tx_id is None
    return stuck


async def late_callback(world: ServiceWorld, external_id: str, status: str) -> int:
    """DEXCHANGE's own word on the payment at last, signed and matching, as it sends it."""
    transaction = world.sim.state.transactions[world.sim.state.by_external_id[external_id]]
    body = callback_body(transaction)
    body["STATUS"] = status
    if status != "SUCCESS":
        body.pop("TOKEN", None)
    url = callback_urls.callback_url(world.http_url, SECRET, external_id)
    async with httpx.AsyncClient() as client:
        return (await client.post(url, json=body)).status_code


async def test_an_admin_releases_a_stuck_payment_and_a_late_failure_changes_nothing(
    tmp_path,
) -> None:
    async with service_world(tmp_path, sim_config=STUCK, client_timeout=0.5) as world:
        stuck = await stuck_payment(world)
        assert await balance(world) == FUND - stuck.total
        failed = await world.resolutions.resolve(
            stuck.id, S.FAILED, actor="admin:9", reason="DEXCHANGE support: never paid"
        )
        assert failed.status is S.FAILED and failed.resolved_by == "admin:9"
        assert await balance(world) == FUND
        messages = await world.storage.read.outbox.for_payment(stuck.id)
        assert messages[-1].kind is OutboxKind.FAILED
        assert messages[-1].payload["reason"] == "admin"
        events = await world.storage.read.payments.events(stuck.id)
        assert events[-1] == ("unknown", "failed", "admin")
        # DEXCHANGE's FAILED comes after all: nothing more is given back.
        assert await late_callback(world, stuck.external_id, "FAILED") == 200
        assert await balance(world) == FUND
        releases = [
            entry
            for entry in await world.storage.read.ledger.all_for_payment(stuck.id)
            if entry.kind is LedgerKind.RELEASE
        ]
        assert len(releases) == 1


async def test_a_late_success_after_an_admin_release_debits_again_and_delivers(
    tmp_path,
) -> None:
    async with service_world(tmp_path, sim_config=STUCK, client_timeout=0.5) as world:
        stuck = await stuck_payment(world)
        await world.resolutions.resolve(stuck.id, S.FAILED, actor="cli", reason="gave up")
        assert await balance(world) == FUND
        assert await late_callback(world, stuck.external_id, "SUCCESS") == 200
        paid = await world.payment(stuck.id)
        assert paid.status is S.SUCCESS and len(paid.codes) == 1
        assert await balance(world) == FUND - stuck.total  # taken again, once
        assert paid.needs_attention
        success = [m for m in await world.storage.read.outbox.for_payment(stuck.id)]
        assert success[-1].kind is OutboxKind.SUCCESS
        assert success[-1].payload == {"late": True, "redebited": stuck.total}
        text = render(OutboxKind.SUCCESS, paid, success[-1].payload, "fr").text
        assert paid.codes[0][:4] in text and "5 050 FCFA ont de nouveau été prélevés" in text
        # The same callback again: nothing moves twice.
        assert await late_callback(world, stuck.external_id, "SUCCESS") == 200
        assert await balance(world) == FUND - stuck.total
        report = await ProviderBooks(world.storage, None).report(paid.created_at.date())
        assert not [line for line in report.differences if f"#{stuck.id}" in line]


async def test_a_late_success_the_wallet_cannot_cover_is_flagged_not_forced(tmp_path) -> None:
    async with service_world(tmp_path, sim_config=STUCK, client_timeout=0.5, fund=5_050) as world:
        stuck = await stuck_payment(world)
        await world.resolutions.resolve(stuck.id, S.FAILED, actor="cli", reason="gave up")
        spent, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "other")
        await world.wait_status(spent.id, S.SUCCESS)
        assert await balance(world) == 0
        assert await late_callback(world, stuck.external_id, "SUCCESS") == 200
        paid = await world.payment(stuck.id)
        assert paid.status is S.SUCCESS and paid.codes  # the meter's code, delivered
        assert await balance(world) == 0  # never below zero
        reasons = await world.storage.read.payments.attention_reasons(stuck.id)
        assert any("cannot cover" in reason for reason in reasons)
        report = await ProviderBooks(world.storage, None).report(paid.created_at.date())
        assert any("could not cover" in line for line in report.differences)


async def test_an_admin_success_then_a_late_failure_is_flagged(tmp_path) -> None:
    async with service_world(tmp_path, sim_config=STUCK, client_timeout=0.5) as world:
        stuck = await stuck_payment(world)
        paid = await world.resolutions.resolve(
            stuck.id, S.SUCCESS, actor="admin:9", reason="seen paid at DEXCHANGE", codes=["1" * 20]
        )
        assert paid.status is S.SUCCESS and paid.codes == ["1" * 20]
        assert await balance(world) == FUND - stuck.total
        assert await kinds(world, stuck.id) == [OutboxKind.UNKNOWN, OutboxKind.SUCCESS]
        assert await late_callback(world, stuck.external_id, "FAILED") == 200
        after = await world.payment(stuck.id)
        assert after.status is S.SUCCESS and await balance(world) == FUND - stuck.total
        reasons = await world.storage.read.payments.attention_reasons(stuck.id)
        assert any("FAILED after admin:9's SUCCESS" in reason for reason in reasons)


async def test_an_admin_success_without_code_then_the_code(tmp_path) -> None:
    async with service_world(tmp_path, sim_config=STUCK, client_timeout=0.5) as world:
        stuck = await stuck_payment(world)
        paid = await world.resolutions.resolve(stuck.id, S.SUCCESS, actor="cli", reason="paid")
        assert paid.awaiting_code
        await asyncio.sleep(1.1)
        assert await kinds(world, stuck.id) == [OutboxKind.UNKNOWN, OutboxKind.CODE_PENDING]
        coded = await world.resolutions.resolve(
            stuck.id, S.SUCCESS, actor="cli", reason="code from DEXCHANGE", codes=["2" * 20]
        )
        assert coded.codes == ["2" * 20]
        assert OutboxKind.SUCCESS in await kinds(world, stuck.id)
        # A later callback with DEXCHANGE's own code changes nothing: a code is given once.
        assert await late_callback(world, stuck.external_id, "SUCCESS") == 200
        assert (await world.payment(stuck.id)).codes == ["2" * 20]


async def test_what_an_admin_cannot_resolve(tmp_path) -> None:
    async with service_world(tmp_path) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        await world.wait_status(payment.id, S.SUCCESS)
        with pytest.raises(ResolveRefused) as final:
            await world.resolutions.resolve(payment.id, S.FAILED, actor="cli", reason="oops")
        assert final.value.code == "resolve.final"
        with pytest.raises(ResolveRefused) as no_reason:
            await world.resolutions.resolve(payment.id, S.FAILED, actor="cli", reason="  ")
        assert no_reason.value.code == "resolve.no_reason"
        with pytest.raises(ResolveRefused) as unknown:
            await world.resolutions.resolve(999, S.FAILED, actor="cli", reason="x")
        assert unknown.value.code == "resolve.unknown"
        assert await balance(world) == FUND - payment.total
