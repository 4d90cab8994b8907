"""DEXCHANGE's worst day, against the real payment service, reconciler, callback server and
SQLite file, with the simulator's faults switched on (issue 12).

Each test names the money rule it keeps; each failed on the code before the fix.
"""

import asyncio
from decimal import Decimal

import httpx
import pytest

from bot.services import callback_urls
from bot.services.quotes import Quote
from bot.simulator import SimulatorConfig
from bot.simulator.callbacks import callback_body
from bot.simulator.state import SimTransaction
from storage.models import LedgerKind, OutboxKind, PaymentStatus, Role, Service
from tests.databases import on_postgres
from tests.integration.service_world import SECRET, ServiceWorld, service_world

S = PaymentStatus
FUND = 1_000_000


def woyofal(reference: str, amount: int = 5000) -> Quote:
    return Quote(Service.WOYOFAL, reference, amount, amount // 100)


async def kinds(world: ServiceWorld, payment_id: int) -> list[OutboxKind]:
    return [m.kind for m in await world.storage.read.outbox.for_payment(payment_id)]


async def balance(world: ServiceWorld) -> int:
    return await world.storage.read.ledger.balance(world.user_id)


async def post_callback(world: ServiceWorld, external_id: str, body: object) -> int:
    url = callback_urls.callback_url(world.http_url, SECRET, external_id)
    async with httpx.AsyncClient() as client:
        return (await client.post(url, json=body)).status_code


def only_transaction(world: ServiceWorld) -> SimTransaction:
    [transaction] = world.sim.state.transactions.values()
    return transaction


# --- 1. An unknown outcome ends only with an answer about that payment (rule 2) ------------


@pytest.mark.parametrize("refusal", [403, 401, 404, 429, 500, 502])
async def test_took_the_money_then_refused_the_retry_stays_unknown_until_its_word(
    tmp_path, refusal: int
) -> None:
    """DEXCHANGE debits, answers 504, then refuses every retry (maintenance, bad key…):
    the payment stays UNKNOWN with the money held, and its SUCCESS callback delivers the
    code. Before: the 403 made it FAILED, refunded, and the code was ignored."""
    config = SimulatorConfig(callback_delay=1.5, sync_callback_delay=1.5)
    async with service_world(tmp_path, sim_config=config) as world:
        world.sim.faults.maintenance_after_debit = True
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        await world.wait_status(payment.id, S.UNKNOWN)
        world.sim.faults.maintenance = refusal == 403
        world.sim.faults.pay_status = None if refusal == 403 else refusal
        world.reconciler.start()
        await world.sim.wait_for_pay_calls(2)  # the retry, under the same id, refused
        await asyncio.sleep(0.3)
        held = await world.payment(payment.id)
        # UNKNOWN, or SUBMITTED again if the look caught one more retry under way.
        assert held.status in (S.UNKNOWN, S.SUBMITTED) and held.on_hold is None
        assert await balance(world) == FUND - payment.total  # still reserved
        assert OutboxKind.FAILED not in await kinds(world, payment.id)
        ids = {body["externalTransactionId"] for body in world.sim.state.pay_requests}
        assert ids == {payment.external_id}
        # DEXCHANGE's callback carries the code: paid, settled, told once.
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.codes == [only_transaction(world).token]
        assert await kinds(world, payment.id) == [OutboxKind.UNKNOWN, OutboxKind.SUCCESS]
        assert await balance(world) == FUND - payment.total
        assert world.sim.state.debits == 1


async def test_a_refused_retry_of_a_paid_bill_holds_the_money_for_an_admin(tmp_path) -> None:
    """A 400 on the retry ("bill already paid": by our own first attempt) proves nothing:
    the money stays reserved, the payment is held and flagged, the customer is told it is
    being checked; DEXCHANGE's SUCCESS still delivers. Before: FAILED and refunded."""
    config = SimulatorConfig(callback_delay=2.0, sync_callback_delay=2.0)
    async with service_world(tmp_path, sim_config=config) as world:
        async with world.storage.transaction() as tx:
            admin = await tx.users.ensure("telegram", "9001")
            await tx.users.set_role(admin.id, Role.ADMIN)
        world.sim.faults.maintenance_after_debit = True
        quote = Quote(Service.SENELEC, "210278816", 104_500, 1_045, bill_reference="8000000680")
        payment, _ = await world.service.confirm(world.user_id, quote, "bill")
        await world.wait_status(payment.id, S.UNKNOWN)
        world.sim.faults.maintenance = False
        world.sim.faults.pay_status = 400
        world.reconciler.start()
        held = await world.wait_for(payment.id, lambda p: p.on_hold is not None)
        assert held.status is S.UNKNOWN and held.needs_attention
        assert held.on_hold is not None and "400" in held.on_hold
        assert await kinds(world, payment.id) == [OutboxKind.UNKNOWN, OutboxKind.DELAYED]
        assert await balance(world) == FUND - payment.total
        # "An administrator was notified", the customer reads: the admin is, in their chat.
        [notice] = await world.storage.read.outbox.for_user(admin.id)
        assert notice.payload["key"] == "admin.attention" and notice.payload["id"] == payment.id
        calls = world.sim.state.pay_calls
        await asyncio.sleep(0.8)  # several reconciler passes: a held payment is not resent
        assert world.sim.state.pay_calls == calls
        paid = await world.wait_status(payment.id, S.SUCCESS)  # the callback
        assert paid.provider_tx_id == only_transaction(world).transaction_id
        assert await balance(world) == FUND - payment.total


async def test_a_first_attempt_turned_away_fails_at_once_without_debit(tmp_path) -> None:
    """Nothing of a payment can have reached DEXCHANGE before its first call: a 404 there
    fails it (with a text the customer can read) and gives the money back."""
    async with service_world(tmp_path) as world:
        world.sim.faults.pay_status = 404
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        failed = await world.wait_status(payment.id, S.FAILED)
        [message] = await world.storage.read.outbox.for_payment(failed.id)
        assert message.payload == {"reason": "not_found", "refunded": False}
        assert await balance(world) == FUND and world.sim.state.debits == 0


@pytest.mark.parametrize("refusal", [404, 403, 500])
async def test_a_status_lookup_refused_leaves_the_payment_as_it_was(tmp_path, refusal) -> None:
    """GET /transaction answered 404, 403 or 500 says nothing: the payment stays PROCESSING
    and is looked at again; once DEXCHANGE answers, the code is delivered."""
    config = SimulatorConfig(callback_delay=0.2)
    async with service_world(tmp_path, sim_config=config, callbacks_reach_us=False) as world:
        world.sim.faults.status_http = refusal
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        await world.wait_status(payment.id, S.PROCESSING)
        await asyncio.sleep(1.0)  # polled a few times, refused each time
        assert (await world.payment(payment.id)).status is S.PROCESSING
        world.sim.faults.status_http = None
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.codes == [only_transaction(world).token]


# --- 2. A Woyofal success without its code is not the end of the story --------------------


async def test_a_success_without_its_code_waits_for_the_callback_that_brings_it(
    tmp_path,
) -> None:
    """The status answer says SUCCESS without a token (as DEXCHANGE documents it): paid and
    settled, the customer told the code is coming; the later callback's TOKEN is stored and
    delivered exactly once. Before: SUCCESS with no code, and the callback was ignored."""
    config = SimulatorConfig(callback_delay=0.2, status_shows_token=False)
    async with service_world(tmp_path, sim_config=config, callbacks_reach_us=False) as world:
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)  # by polling, without code
        assert paid.codes == [] and paid.awaiting_code
        assert await balance(world) == FUND - payment.total  # settled: the money moved
        assert OutboxKind.SUCCESS not in await kinds(world, payment.id)
        await asyncio.sleep(1.2)  # the "on its way" notice is due
        assert OutboxKind.CODE_PENDING in await kinds(world, payment.id)
        transaction = only_transaction(world)
        body = callback_body(transaction)
        for _ in range(3):  # DEXCHANGE retries, duplicates
            assert await post_callback(world, payment.external_id, body) == 200
        coded = await world.payment(payment.id)
        assert coded.codes == [transaction.token] and not coded.awaiting_code
        assert (await kinds(world, payment.id)).count(OutboxKind.SUCCESS) == 1
        assert await balance(world) == FUND - payment.total
        reasons = await world.storage.read.payments.attention_reasons(payment.id)
        assert reasons == []  # nothing for an admin: the code came


async def test_a_success_without_its_code_is_polled_until_the_status_shows_it(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=0.2, status_shows_token=False)
    async with service_world(tmp_path, sim_config=config, callbacks_reach_us=False) as world:
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        await world.wait_for(payment.id, lambda p: p.awaiting_code)
        world.sim.config.status_shows_token = True  # DEXCHANGE's history now has it
        coded = await world.wait_for(payment.id, lambda p: bool(p.codes))
        assert coded.codes == [only_transaction(world).token]
        assert coded.next_check_at is None  # no more polling
        assert (await kinds(world, payment.id)).count(OutboxKind.SUCCESS) == 1


async def test_a_pay_answer_is_stored_before_it_is_applied(tmp_path) -> None:
    """The database fails while the code of a pay answer is being recorded: the answer
    was written down first, and the reconciler applies it without paying again. Before:
    the code was lost (no callback reaches us here, and nothing to poll with)."""
    async with service_world(tmp_path, callbacks_reach_us=False) as world:
        # A real database error, from the database itself.
        async with world.storage.database.write() as conn:
            if on_postgres():
                await conn.execute(
                    "CREATE FUNCTION disk_trouble() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'disk I/O error'; END $$"
                )
                await conn.execute(
                    "CREATE TRIGGER disk_trouble BEFORE UPDATE OF codes ON payments"
                    " FOR EACH ROW WHEN (NEW.codes IS NOT NULL) EXECUTE FUNCTION disk_trouble()"
                )
            else:
                await conn.execute(
                    "CREATE TRIGGER disk_trouble BEFORE UPDATE OF codes ON payments"
                    " WHEN NEW.codes IS NOT NULL BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
                )
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        await world.sim.wait_for_pay_calls(1)
        await world.service.drain()
        stuck = await world.payment(payment.id)
        assert stuck.status is S.SUBMITTED and stuck.codes == []
        [answer] = await world.storage.read.answers.for_payment(payment.id)
        assert "1283930093209223" in answer.body and not answer.applied
        async with world.storage.database.write() as conn:
            await conn.execute(
                "DROP TRIGGER disk_trouble" + (" ON payments" if on_postgres() else "")
            )
        await world.reconciler.run_once()
        paid = await world.payment(payment.id)
        assert paid.status is S.SUCCESS and paid.codes == ["1283930093209223"]
        assert world.sim.state.pay_calls == 1
        assert (await world.storage.read.answers.for_payment(payment.id))[0].applied


# --- 3. Every figure from DEXCHANGE is checked before money moves (rule 8) ----------------


async def test_a_negative_fee_never_reaches_the_wallet(tmp_path) -> None:
    """A pay answer and a callback with FEE -100000. Before: about 100 000 FCFA credited."""
    async with service_world(tmp_path) as world:
        world.sim.faults.reported_fee = -100_000
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        await world.sim.wait_callbacks_idle()
        assert paid.provider_fee is None  # not believed, not stored
        assert await balance(world) == FUND - payment.total  # the quoted fee, no more, no less
        assert (await world.payment(payment.id)).needs_attention
        reasons = await world.storage.read.payments.attention_reasons(payment.id)
        assert any("negative fee" in reason for reason in reasons)


@pytest.mark.parametrize("fee", [5_000, 10_000_000])
async def test_a_fee_no_amount_can_cost_is_not_believed(tmp_path, fee: int) -> None:
    async with service_world(tmp_path) as world:
        world.sim.faults.reported_fee = fee
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.provider_fee is None and paid.needs_attention
        assert await balance(world) == FUND - payment.total


async def test_a_fee_above_the_quote_is_paid_by_the_operator_and_flagged(tmp_path) -> None:
    """DEXCHANGE charges 2 % where 1 % was quoted: the customer pays what they confirmed,
    not a franc more, and an admin sees it."""
    config = SimulatorConfig(callback_delay=0.2, pay_fee_percent=Decimal(2))
    async with service_world(tmp_path, sim_config=config) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.provider_fee == 100 and payment.fee == 50
        assert await balance(world) == FUND - 5_050
        settle = await world.storage.read.ledger.for_payment(payment.id, LedgerKind.SETTLE)
        assert settle is not None and settle.amount == 0
        assert paid.needs_attention
        reasons = await world.storage.read.payments.attention_reasons(payment.id)
        assert any("above quote" in reason for reason in reasons)


async def test_a_fee_below_the_quote_is_given_back(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=0.2, pay_fee_percent=Decimal(0))
    async with service_world(tmp_path, sim_config=config) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        paid = await world.wait_status(payment.id, S.SUCCESS)
        assert paid.provider_fee == 0 and not paid.needs_attention
        assert await balance(world) == FUND - 5_000


async def test_a_pay_answer_for_another_amount_moves_nothing(tmp_path) -> None:
    """The pay answer reports 50 000 where 5 000 was paid: not applied; the payment is
    held with the money reserved and an admin flagged; the callback saying the same is
    refused. Before: the answer was taken as it came."""
    async with service_world(tmp_path) as world:
        world.sim.faults.reported_amount = 50_000
        world.reconciler.start()
        payment, _ = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        held = await world.wait_for(payment.id, lambda p: p.on_hold is not None)
        assert held.status is S.UNKNOWN and held.codes == [] and held.needs_attention
        assert held.on_hold is not None and "amount 50000 instead of 5000" in held.on_hold
        assert await balance(world) == FUND - payment.total
        assert await kinds(world, payment.id) == [OutboxKind.DELAYED]
        for _ in range(200):  # the simulator's callback (10 s at most), and its retries
            refused = [a for a in world.sim.state.callbacks_sent if a.status == 409]
            if refused:
                break
            await asyncio.sleep(0.05)
        assert refused, "the callback with the wrong amount is refused"
        assert (await world.payment(payment.id)).status is S.UNKNOWN
        assert world.sim.state.pay_calls == 1


async def test_a_status_answer_for_another_amount_is_not_applied(tmp_path) -> None:
    config = SimulatorConfig(callback_delay=0.2)
    async with service_world(tmp_path, sim_config=config, callbacks_reach_us=False) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal("123456789"), "q")
        await world.wait_status(payment.id, S.PROCESSING)
        world.sim.faults.reported_amount = 4_000
        world.reconciler.start()
        flagged = await world.wait_for(payment.id, lambda p: p.needs_attention)
        assert flagged.status is S.PROCESSING
        assert await balance(world) == FUND - payment.total
        world.sim.faults.reported_amount = None
        assert (await world.wait_status(payment.id, S.SUCCESS)).codes


async def test_a_wallet_can_be_spent_down_to_exactly_zero(tmp_path) -> None:
    async with service_world(tmp_path, fund=5_050) as world:
        payment, created = await world.service.confirm(world.user_id, woyofal("07061270877"), "q")
        assert created
        await world.wait_status(payment.id, S.SUCCESS)
        assert await balance(world) == 0
