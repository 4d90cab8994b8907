"""Pay the rest, through the whole bot: a purchase the balance cannot cover offers to pay
what is missing from mobile money; once the collection's signed callback arrives, the
purchase is paid and its result (the Woyofal code) reaches the chat."""

import asyncio

from bot.simulator import SimulatorConfig
from fakes.telegram import BotMessage
from storage.models import CollectionStatus, LedgerKind, PaymentStatus, PurchaseState
from tests.e2e.chat import CONFIRM, Chat, telegram_contract_kept
from tests.e2e.funding_chat import ASK_NUMBER, SUMMARY, WAVE_FAILS, WAVE_OK, confirm
from tests.e2e.harness import SIM_KEY, Stack, running_stack
from tests.e2e.whatsapp_stack import whatsapp_stack

PAY_THE_REST = "📲 Payer le reste"
CODE = "1283 9300 9320 9223"  # meter 07061270877's code in the simulator


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        api_key=SIM_KEY, callback_delay=0.3, sync_callback_delay=0.05, collection_delay=0.3
    )


async def woyofal_short(chat: Chat, meter: str = "07061270877", amount: str = "5000") -> BotMessage:
    await chat.start_flow("woyofal")
    await chat.say(meter, "Quel montant")
    return await chat.say(amount, "Vérifiez avant de payer")


async def ledger(stack: Stack, telegram_id: int) -> list[tuple[LedgerKind, int]]:
    user = await stack.runtime.storage.read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    entries = await stack.runtime.storage.read.ledger.entries(user.id, 20)
    return [(entry.kind, entry.amount) for entry in reversed(entries)]


async def to_number_step(chat: Chat, summary: BotMessage, summary_text: str) -> None:
    """The purchase's confirmation offers the rest; pressed, the funding asks the wallet."""
    assert summary_text in summary.text, summary.text
    labels = [label for row in summary.buttons for label, _ in row]
    assert PAY_THE_REST in labels and CONFIRM not in labels  # Confirm would only be refused
    wallets = (await chat.press(summary, PAY_THE_REST)).last
    assert "Avec quel portefeuille" in wallets.text, wallets.text
    numbers = (await chat.press(wallets, "Wave")).last
    assert ASK_NUMBER in numbers.text, numbers.text


async def test_a_customer_at_zero_buys_woyofal_in_one_conversation(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = Chat(stack.tg, await stack.customer(3201, "Awa", credit=0))
        summary = await woyofal_short(awa)
        await to_number_step(awa, summary, "Il manque 5 050 FCFA")
        summary = await awa.say(WAVE_OK, SUMMARY)
        assert "5 050 FCFA" in summary.text  # what the wallet gains: exactly what is missing
        pending = await confirm(awa, summary)
        assert "votre achat est payé automatiquement" in pending.text
        await awa.wait_for("Nous payons maintenant votre achat", timeout=10)
        await awa.wait_for(CODE, timeout=10)
        [payment] = await stack.payments(awa.user)
        assert payment.status is PaymentStatus.SUCCESS and payment.idempotency_key.startswith(
            "rest:"
        )
        assert await ledger(stack, 3201) == [
            (LedgerKind.FUNDING, 5050),
            (LedgerKind.RESERVE, -5050),
            (LedgerKind.SETTLE, 0),
        ]
        await asyncio.sleep(0.5)  # duplicate callbacks, reconciler passes: nothing more
        assert stack.sim.state.pay_calls == 1 and stack.sim.state.init_calls == 1
        telegram_contract_kept(stack.tg)


async def test_only_what_is_missing_is_asked_and_the_bill_is_paid(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = Chat(stack.tg, await stack.customer(3202, "Awa", credit=50_000))
        await awa.start_flow("senelec")
        summary = await awa.say("210278816", "Vérifiez avant de payer")  # 105 545 FCFA
        await to_number_step(awa, summary, "Il manque 55 545 FCFA")
        pending = await confirm(awa, await awa.say(WAVE_OK, SUMMARY))
        assert "Wave" in pending.text
        await awa.wait_for("Facture Senelec payée", timeout=10)
        assert await ledger(stack, 3202) == [
            (LedgerKind.CREDIT, 50_000),
            (LedgerKind.FUNDING, 55_545),
            (LedgerKind.RESERVE, -105_545),
            (LedgerKind.SETTLE, 0),
        ]


async def test_a_failed_collection_pays_nothing_and_says_so(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = Chat(stack.tg, await stack.customer(3203, "Awa", credit=1000))
        summary = await woyofal_short(awa)
        await to_number_step(awa, summary, "Il manque 4 050 FCFA")
        await confirm(awa, await awa.say(WAVE_FAILS, SUMMARY))
        await awa.wait_for("votre achat n'a pas été payé", timeout=10)
        await asyncio.sleep(0.5)
        assert stack.sim.state.pay_calls == 0
        assert await stack.payments(awa.user) == []
        assert await ledger(stack, 3203) == [(LedgerKind.CREDIT, 1000)]
        user = await stack.runtime.storage.read.users.by_external_id("telegram", "3203")
        assert user is not None
        [collection] = await stack.runtime.storage.read.collections.for_user(user.id)
        assert collection.status is CollectionStatus.FAILED
        purchase = await stack.runtime.storage.read.funded_purchases.get(collection.id)
        assert purchase is not None and purchase.state is PurchaseState.DROPPED


async def test_a_balance_that_dropped_since_the_summary_offers_the_rest(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = Chat(stack.tg, await stack.customer(3204, "Awa", credit=20_000))
        summary = await awa.woyofal_to_confirmation("07061270877", "5000")
        assert "Solde disponible : 20 000 FCFA" in summary.text
        user = await stack.runtime.storage.read.users.by_external_id("telegram", "3204")
        assert user is not None
        async with stack.runtime.storage.transaction() as tx:  # spent elsewhere meanwhile
            await tx.ledger.add(user.id, LedgerKind.ADJUSTMENT, -18_000, actor="test")
        press = await awa.press(summary, CONFIRM)
        assert "Solde insuffisant" in (press.answer.text or "")
        assert await stack.payments(awa.user) == []
        # The same purchase, now offering to pay the 3 050 FCFA missing.
        await to_number_step(awa, press.last, "Il manque 3 050 FCFA")
        await confirm(awa, await awa.say(WAVE_OK, SUMMARY))
        await awa.wait_for(CODE, timeout=10)
        assert stack.sim.state.pay_calls == 1


async def test_the_same_purchase_pays_the_rest_on_whatsapp(tmp_path) -> None:
    """Every channel: on WhatsApp the rest is offered as a reply button, the customer's own
    number is offered, and the code arrives in the same chat."""
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        awa = await s.customer("221770000000", "Awa", bsuid="SN.310", credit=0)
        since = wa.mark()
        await wa.send_text(awa, "woyofal")
        await wa.wait_for_message(awa, "compteur Woyofal", since=since)
        await wa.send_text(awa, "07061270877")
        await wa.wait_for_message(awa, "Quel montant", since=since)
        await wa.send_text(awa, "5 000 FCFA")
        summary = await wa.wait_for_message(awa, "Il manque 5 050 FCFA", since=since)
        await wa.press(awa, summary, PAY_THE_REST)
        wallets = await wa.wait_for_message(awa, "Avec quel portefeuille", since=since)
        await wa.press(awa, wallets, "Wave")
        numbers = await wa.wait_for_message(awa, "9 chiffres", since=since)
        await wa.press(awa, numbers, "📱 77 000 00 00")  # their own WhatsApp number
        confirmation = await wa.wait_for_message(awa, SUMMARY, since=since)
        await wa.press(awa, confirmation, "✅ Confirmer")
        await wa.wait_for_message(awa, "votre achat est payé automatiquement", since=since)
        await wa.wait_for_message(awa, CODE, since=since, timeout=10)
        row = await s.user_row("221770000000", "SN.310")
        [payment] = await s.stack.runtime.storage.read.payments.for_user(row.id)
        assert payment.status is PaymentStatus.SUCCESS
        assert await s.stack.runtime.storage.read.ledger.balance(row.id) == 0
        assert s.stack.sim.state.pay_calls == 1
