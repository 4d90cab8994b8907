"""Funding a wallet from mobile money, against the simulator over loopback: every outcome,
idempotency, the slow answer, forged and late callbacks, limits, and a restart."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.services import callback_urls
from bot.services.collections import FundingRefusal, FundingRefused, FundingRules
from storage.models import Collection, CollectionStatus, MoneyAccount, MoneyMethod
from tests.integration.collection_world import (
    CANCELS,
    EXPIRES,
    FAILS,
    SECRET,
    SLOW,
    SUCCESS,
    collection_world,
    fast_sim,
)

C = CollectionStatus
WAVE, OM = MoneyMethod.WAVE, MoneyMethod.ORANGE_MONEY


def body(collection: Collection, status: str, **changes: Any) -> dict[str, Any]:
    """A callback as DEXCHANGE sends it, describing `collection` unless changed."""
    data: dict[str, Any] = {
        "id": collection.provider_tx_id,
        "externalTransactionId": collection.external_id,
        "transactionType": "CASHOUT",
        "AMOUNT": collection.provider_amount,
        "FEE": 0,
        "PHONE_NUMBER": collection.number,
        "STATUS": status,
    }
    data.update(changes)
    return data


async def test_success_credits_once_despite_duplicate_and_late_callbacks(tmp_path) -> None:
    async with collection_world(tmp_path, sim_config=fast_sim(duplicate_callbacks=3)) as world:
        started, created = await world.service.start(world.user_id, WAVE, SUCCESS, 5000, "k1")
        assert created and started.status is C.CREATED and started.external_id
        done = await world.wait_status(started.id, C.SUCCESS)
        await asyncio.sleep(0.3)  # the duplicates land
        # Out of order: a PENDING and a FAILED after the SUCCESS change nothing.
        assert (
            await world.post_callback(done.external_id, body(done, "PENDING"))
        ).status_code == 200
        late = await world.post_callback(done.external_id, body(done, "FAILED"))
        assert late.status_code == 200
        assert await world.fundings(done.id) == [5000]
        assert await world.balance() == 5000
        entries = await world.storage.read.ledger.all_for_collection(done.id)
        assert entries[0].note == done.provider_tx_id  # the entry names DEXCHANGE's transaction
        notices = await world.notices()
        # Wave's approval link while it was pending (once), then the credit's message (once).
        assert [(n.payload["key"], n.payload.get("balance")) for n in notices] == [
            ("funding.link", None),
            ("funding.success", 5000),
        ]
        assert done.payment_link and "/_sim/wave/" in done.payment_link
        assert notices[0].payload["link"] == done.payment_link
        assert (await world.collection(done.id)).needs_attention  # FAILED after SUCCESS: shown
        assert world.sim.state.init_calls == 1
        account = await world.storage.read.users.money_account(world.user_id)
        assert account == MoneyAccount(WAVE, SUCCESS)
        success = world.metrics.registry.get_sample_value(
            "bot_collections_total", {"method": "wave", "status": "success"}
        )
        assert success == 1


@pytest.mark.parametrize(
    ("number", "status"), [(FAILS, C.FAILED), (EXPIRES, C.EXPIRED), (CANCELS, C.CANCELLED)]
)
async def test_an_unsuccessful_collection_credits_nothing_and_says_so(
    tmp_path, number: str, status: CollectionStatus
) -> None:
    async with collection_world(tmp_path) as world:
        started, _ = await world.service.start(world.user_id, OM, number, 3000, "k1")
        await world.wait_status(started.id, status)
        await asyncio.sleep(0.1)
        assert await world.fundings(started.id) == []
        assert await world.balance() == 0
        assert [n.payload["key"] for n in await world.notices()] == [f"funding.{status.value}"]


async def test_a_double_tap_makes_one_collection_and_one_init_call(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        results = await asyncio.gather(
            *(world.service.start(world.user_id, WAVE, SUCCESS, 2000, "tap") for _ in range(20))
        )
        assert len({c.id for c, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        await world.wait_status(results[0][0].id, C.SUCCESS)
        # Another tap after the success finds the same collection, and calls nothing.
        again, created = await world.service.start(world.user_id, WAVE, SUCCESS, 2000, "tap")
        assert again.id == results[0][0].id and not created
        await world.service.drain()
        assert world.sim.state.init_calls == 1
        assert await world.fundings(again.id) == [2000]


async def test_the_slow_answer_is_unknown_then_settled_under_the_same_id(tmp_path) -> None:
    config = fast_sim(collection_delay=1.0)  # settled after the client gave up waiting
    async with collection_world(tmp_path, client_timeout=0.5, sim_config=config) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SLOW, 4000, "slow")
        unknown = await world.wait_for(started.id, lambda c: c.maybe_sent)
        assert unknown.status in (C.UNKNOWN, C.SUBMITTED, C.PENDING)  # never failed
        done = await world.wait_status(started.id, C.SUCCESS)
        await asyncio.sleep(0.3)
        ids = {request["externalTransactionId"] for request in world.sim.state.init_requests}
        assert ids == {done.external_id}  # retried only under its own id (409 then)
        assert world.sim.state.init_calls >= 2
        assert await world.fundings(done.id) == [4000]


async def test_a_callback_whose_figures_differ_moves_nothing(tmp_path) -> None:
    # The simulator's own callback comes much later: only the forged ones arrive.
    async with collection_world(tmp_path, sim_config=fast_sim(collection_delay=30)) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 6000, "k1")
        pending = await world.wait_status(started.id, C.PENDING)
        wrong_amount = body(pending, "SUCCESS", AMOUNT=60000)
        answer = await world.post_callback(pending.external_id, wrong_amount)
        assert answer.status_code == 409
        wrong_number = body(pending, "SUCCESS", PHONE_NUMBER="771111111")
        assert (await world.post_callback(pending.external_id, wrong_number)).status_code == 409
        other_tx = body(pending, "SUCCESS", id="TIDNOTOURS")
        assert (await world.post_callback(pending.external_id, other_tx)).status_code == 409
        after = await world.collection(pending.id)
        assert after.status is C.PENDING
        assert after.needs_attention and "amount 60000" in (after.attention_reason or "")
        assert await world.fundings(pending.id) == []
        assert await world.balance() == 0
        # A correct one on the right URL is applied; a forged signature is refused.
        forged = world.http.url + "/callbacks/dexchange-collections/" + pending.external_id + "/x"
        async with httpx.AsyncClient() as http:
            refused = await http.post(forged, json=body(pending, "SUCCESS"))
        assert refused.status_code == 403
        good = await world.post_callback(pending.external_id, body(pending, "SUCCESS"))
        assert good.status_code == 200
        assert await world.fundings(pending.id) == [6000]


async def test_a_payment_url_does_not_settle_a_collection(tmp_path) -> None:
    """A payment's signed URL for the same external id is no collection's URL."""
    async with collection_world(tmp_path, sim_config=fast_sim(collection_delay=30)) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 6000, "k1")
        pending = await world.wait_status(started.id, C.PENDING)
        sig = callback_urls.signature(SECRET, pending.external_id)  # a payment's signature
        url = f"{world.http.url}/callbacks/dexchange-collections/{pending.external_id}/{sig}"
        async with httpx.AsyncClient() as http:
            answer = await http.post(url, json=body(pending, "SUCCESS"))
        assert answer.status_code == 403
        assert await world.fundings(pending.id) == []


async def test_bounds_and_the_daily_cap_are_refused_with_their_reason(tmp_path) -> None:
    rules = FundingRules(min_amount=500, max_amount=10_000, daily_cap=15_000)
    async with collection_world(tmp_path, rules=rules) as world:
        with pytest.raises(FundingRefused) as below:
            await world.service.start(world.user_id, WAVE, SUCCESS, 400, "a")
        assert below.value.reason is FundingRefusal.BELOW_MIN and below.value.limit == 500
        with pytest.raises(FundingRefused) as above:
            await world.service.start(world.user_id, WAVE, SUCCESS, 10_001, "b")
        assert above.value.reason is FundingRefusal.ABOVE_MAX
        await world.service.start(world.user_id, WAVE, SUCCESS, 10_000, "c")
        with pytest.raises(FundingRefused) as capped:
            await world.service.start(world.user_id, WAVE, SUCCESS, 6_000, "d")
        assert capped.value.reason is FundingRefusal.DAILY_CAP
        assert capped.value.remaining == 5_000
        await world.service.start(world.user_id, WAVE, SUCCESS, 5_000, "e")  # exactly the rest
        rows = await world.storage.read.collections.for_user(world.user_id)
        assert sorted(c.idempotency_key for c in rows) == ["c", "e"]


async def test_a_failed_collection_frees_the_daily_cap(tmp_path) -> None:
    rules = FundingRules(daily_cap=5_000)
    async with collection_world(tmp_path, rules=rules) as world:
        failed, _ = await world.service.start(world.user_id, WAVE, FAILS, 5_000, "a")
        await world.wait_status(failed.id, C.FAILED)
        _, created = await world.service.start(world.user_id, WAVE, SUCCESS, 5_000, "b")
        assert created


async def test_a_refused_first_init_fails_with_dexchanges_message(tmp_path) -> None:
    rules = FundingRules(min_amount=100)  # below what DEXCHANGE takes: it answers 400
    async with collection_world(tmp_path, rules=rules) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 150, "k1")
        failed = await world.wait_status(started.id, C.FAILED)
        assert "amount must be between" in (failed.provider_message or "")
        assert not failed.maybe_sent
        assert [n.payload["key"] for n in await world.notices()] == ["funding.failed"]


async def test_a_success_after_expired_is_flagged_not_credited(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        started, _ = await world.service.start(world.user_id, WAVE, EXPIRES, 3000, "k1")
        expired = await world.wait_status(started.id, C.EXPIRED)
        late = await world.post_callback(expired.external_id, body(expired, "SUCCESS"))
        assert late.status_code == 200  # harmless to DEXCHANGE: answered, nothing moved
        after = await world.collection(expired.id)
        assert after.status is C.EXPIRED
        assert after.needs_attention and "SUCCESS after EXPIRED" in (after.attention_reason or "")
        assert await world.fundings(expired.id) == []
        assert await world.balance() == 0


async def test_polling_settles_collections_whose_callbacks_never_come(tmp_path) -> None:
    async with collection_world(tmp_path, callbacks_reach_us=False) as world:
        paid, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 2500, "a")
        expires, _ = await world.service.start(world.user_id, OM, EXPIRES, 2500, "b")
        await world.wait_status(paid.id, C.SUCCESS)
        await world.wait_status(expires.id, C.EXPIRED)
        assert await world.fundings(paid.id) == [2500]
        assert await world.fundings(expires.id) == []
        assert await world.balance() == 2500


async def test_a_crash_between_commit_and_call_is_sent_once_after_restart(tmp_path) -> None:
    async with collection_world(tmp_path, run_reconciler=False) as world:
        prepared, created = await world.service.prepare(world.user_id, WAVE, SUCCESS, 7000, "k")
        assert created and world.sim.state.init_calls == 0
        await world.restart()  # the process died here; a new one starts with its reconciler
        done = await world.wait_status(prepared.id, C.SUCCESS)
        await asyncio.sleep(0.3)
        assert world.sim.state.init_calls == 1
        assert await world.fundings(done.id) == [7000]
        keys = [n.payload["key"] for n in await world.notices()]
        assert keys == ["funding.link", "funding.success"]


async def test_a_crash_during_the_call_is_retried_under_the_same_id(tmp_path) -> None:
    async with collection_world(tmp_path, run_reconciler=False) as world:
        prepared, _ = await world.service.prepare(world.user_id, WAVE, SUCCESS, 7000, "k")
        async with world.storage.transaction() as tx:  # the call began, the process died
            later = world.service.clock() + timedelta(hours=1)
            await tx.collections.transition(prepared.id, C.SUBMITTED, "submit", next_check_at=later)
        await world.restart()
        done = await world.wait_status(prepared.id, C.SUCCESS)
        await asyncio.sleep(0.3)
        assert await world.fundings(done.id) == [7000]


async def test_still_pending_past_the_expiry_window_is_checked_not_assumed(tmp_path) -> None:
    rules = FundingRules(expiry=timedelta(seconds=0.3))
    config = fast_sim(collection_delay=1.5)  # DEXCHANGE settles after our window
    async with collection_world(tmp_path, rules=rules, sim_config=config) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 3000, "k")
        await world.wait_status(started.id, C.PENDING)
        await asyncio.sleep(0.6)
        assert (await world.collection(started.id)).status is C.PENDING  # not assumed expired
        done = await world.wait_status(started.id, C.SUCCESS)
        assert await world.fundings(done.id) == [3000]


async def test_maintenance_on_the_first_init_is_unknown_then_retried(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        world.sim.faults.maintenance = True
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 2000, "k")
        unknown = await world.wait_status(started.id, C.UNKNOWN)
        assert not unknown.maybe_sent  # a 403 says DEXCHANGE recorded nothing
        await asyncio.sleep(0.5)
        assert (await world.collection(started.id)).status is C.UNKNOWN  # never failed
        world.sim.faults.maintenance = False
        done = await world.wait_status(started.id, C.SUCCESS)
        ids = {request["externalTransactionId"] for request in world.sim.state.init_requests}
        assert ids == {done.external_id}
        assert await world.fundings(done.id) == [2000]


async def test_a_refused_retry_after_a_timeout_never_fails_it(tmp_path) -> None:
    config = fast_sim(collection_delay=1.5, slow_seconds=1.0)
    async with collection_world(tmp_path, client_timeout=0.3, sim_config=config) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SLOW, 2000, "k")
        await world.wait_for(started.id, lambda c: c.maybe_sent)
        world.sim.faults.maintenance = True  # every retry is turned away
        await asyncio.sleep(0.8)
        assert (await world.collection(started.id)).status is C.UNKNOWN
        world.sim.faults.maintenance = False
        done = await world.wait_status(started.id, C.SUCCESS)
        assert await world.fundings(done.id) == [2000]


async def test_dexchange_reporting_another_amount_moves_nothing(tmp_path) -> None:
    async with collection_world(tmp_path) as world:
        world.sim.faults.reported_amount = 99_000
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 2000, "k")
        flagged = await world.wait_for(started.id, lambda c: c.needs_attention)
        await asyncio.sleep(0.8)  # the callback and any status look come and go
        after = await world.collection(flagged.id)
        assert after.status is not C.SUCCESS
        assert "99000" in (after.attention_reason or "")
        assert await world.fundings(after.id) == []
        assert await world.balance() == 0


async def test_a_callback_without_its_amount_or_id_moves_nothing(tmp_path) -> None:
    """DEXCHANGE's worst day: a SUCCESS (or FAILED) callback that leaves out AMOUNT, or
    DEXCHANGE's id once we know it, proves nothing about this collection: 400, stored raw,
    no credit, no failure told; DEXCHANGE's full word (a complete callback, twice) settles
    it, once."""
    async with collection_world(tmp_path, sim_config=fast_sim(collection_delay=30)) as world:
        started, _ = await world.service.start(world.user_id, WAVE, SUCCESS, 4000, "k1")
        pending = await world.wait_status(started.id, C.PENDING)
        assert pending.provider_tx_id is not None
        for status in ("SUCCESS", "FAILED"):
            no_amount = {k: v for k, v in body(pending, status).items() if k != "AMOUNT"}
            assert (await world.post_callback(pending.external_id, no_amount)).status_code == 400
            no_id = {k: v for k, v in body(pending, status).items() if k != "id"}
            assert (await world.post_callback(pending.external_id, no_id)).status_code == 400
        after = await world.collection(pending.id)
        assert after.status is C.PENDING
        assert await world.fundings(pending.id) == []
        # Only Wave's approval link, from the init answer: no credit, no failure told.
        assert [n.payload["key"] for n in await world.notices()] == ["funding.link"]
        good = await world.post_callback(pending.external_id, body(pending, "SUCCESS"))
        assert good.status_code == 200
        good_again = await world.post_callback(pending.external_id, body(pending, "SUCCESS"))
        assert good_again.status_code == 200
        assert await world.fundings(pending.id) == [4000]
        assert await world.balance() == 4000
