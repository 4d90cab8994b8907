"""The same bot on WhatsApp, with Telegram enabled at the same time: purchases, bills,
failures, stale buttons, typed words, a new number, a user known by BSUID only, the 24-hour
window and its templates — against the fake WhatsApp Graph API over loopback."""

import asyncio
import json

import httpx

from bot.services import callback_urls
from bot.simulator import SimulatorConfig
from bot.simulator.callbacks import callback_body
from fakes.whatsapp import Pace
from fakes.whatsapp.models import WaUser
from storage.models import Payment, PaymentStatus, Role
from tests.e2e.chat import Chat, grouped
from tests.e2e.harness import SECRET, SIM_KEY
from tests.e2e.whatsapp_stack import WhatsAppStack, whatsapp_stack

S = PaymentStatus
CODE = "1283 9300 9320 9223"


async def buy_woyofal(s: WhatsAppStack, user: WaUser, meter: str, amount: str = "5000") -> None:
    """The French Woyofal flow on WhatsApp, through the confirmation."""
    wa = s.wa
    since = wa.mark()
    await wa.send_text(user, "menu")
    menu = await wa.wait_for_message(user, "Acheter Woyofal", since=since)
    await wa.press(user, menu, "⚡ Acheter Woyofal")
    await wa.wait_for_message(user, "compteur Woyofal", since=since)
    await wa.send_text(user, meter)
    await wa.wait_for_message(user, "Quel montant", since=since)
    await wa.send_text(user, amount)
    summary = await wa.wait_for_message(user, "Confirmez-vous", since=since)
    await wa.press(user, summary, "✅ Confirmer et payer")
    # No edit on WhatsApp: "payment sent" comes as a message of its own.
    await wa.wait_for_message(user, "Paiement envoyé", since=since)


async def test_woyofal_code_at_once_on_whatsapp_beside_telegram(tmp_path) -> None:
    async with whatsapp_stack(tmp_path, ADMIN_TELEGRAM_IDS="4242") as s:
        awa = await s.customer("221771234567", "Awa", bsuid="SN.100")
        moussa = Chat(s.stack.tg, await s.stack.customer(1001, "Moussa"))
        telegram = asyncio.create_task(moussa.woyofal_to_confirmation("07061270877", "2000"))
        await buy_woyofal(s, awa, "07061270877")
        code = await s.wa.wait_for_message(awa, CODE, timeout=10)
        assert "Recharge Woyofal réussie" in code.text
        # The answer to the press comes first, then the code — never the other way round.
        sent = await s.wa.wait_for_message(awa, "Paiement envoyé")
        in_order = s.wa.messages(awa)
        assert in_order.index(sent) < in_order.index(code)
        summary = await telegram
        await moussa.press(summary, "✅ Confirmer et payer")
        await moussa.wait_for(CODE, timeout=10)
        row = await s.user_row("221771234567", "SN.100")
        [payment] = await s.stack.runtime.storage.read.payments.for_user(row.id)
        assert payment.status is S.SUCCESS
        # The admin sees the code delivered when WhatsApp says so, then read.
        admin = Chat(s.stack.tg, s.stack.tg.user(4242, "Aissatou"))
        await s.wa.wait_until_idle()
        answer = await admin.say("/user +221771234567", "Derniers paiements")
        assert f"#{payment.id}" in answer.text and "✉️ message remis" in answer.text
        await s.wa.read(awa)
        await s.wa.wait_until_idle()
        answer = await admin.say("/user +221771234567", "Derniers paiements")
        assert "✉️ message lu" in answer.text


async def test_a_code_by_callback_a_bill_and_a_failed_top_up(tmp_path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=0.5, sync_callback_delay=0.05)
    async with whatsapp_stack(tmp_path, simulator_config=config) as s:
        fatou = await s.customer("221771111111", "Fatou")
        await buy_woyofal(s, fatou, "123456789")
        [transaction] = s.stack.sim.state.transactions.values()
        coded = await s.wa.wait_for_message(fatou, "Recharge Woyofal réussie", timeout=10)
        assert transaction.token is not None and grouped(transaction.token) in coded.text
        # A Senelec bill.
        since = s.wa.mark()
        await s.wa.send_text(fatou, "senelec")
        await s.wa.wait_for_message(fatou, "référence client Senelec", since=since)
        await s.wa.send_text(fatou, "210278816")
        summary = await s.wa.wait_for_message(fatou, "Confirmez-vous", since=since)
        assert "104 500 FCFA" in summary.text
        await s.wa.press(fatou, summary, "✅ Confirmer et payer")
        await s.wa.wait_for_message(fatou, "Facture Senelec payée", since=since, timeout=10)
        # A top-up that fails after PROCESSING: refunded, and said so.
        await buy_woyofal(s, fatou, "999999999")
        failed = await s.wa.wait_for_message(fatou, "n'a pas abouti", timeout=10)
        assert "remboursé" in failed.text


async def test_stale_buttons_typed_words_and_other_messages(tmp_path) -> None:
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        ndeye = await s.customer("221772222222", "Ndeye", credit=25_000)
        since = wa.mark()
        await wa.send_text(ndeye, "Solde ?")
        balance = await wa.wait_for_message(ndeye, "Votre solde", since=since)
        assert "25 000 FCFA" in balance.text
        await buy_woyofal(s, ndeye, "07061270877", "1000")
        await wa.wait_for_message(ndeye, CODE, timeout=10)
        summary = [m for m in wa.messages(ndeye) if "Confirmez-vous" in m.text][-1]
        # The same Confirm again (an old message): refused as on Telegram, nothing paid.
        since = wa.mark()
        await wa.press(ndeye, summary, "✅ Confirmer et payer", force=True)
        await wa.wait_for_message(ndeye, "déjà été utilisé", since=since)
        row = await s.user_row("221772222222")
        assert len(await s.stack.runtime.storage.read.payments.for_user(row.id)) == 1
        since = wa.mark()
        await wa.send_sticker(ndeye)
        await wa.wait_for_message(ndeye, "Pour continuer, utilisez les boutons", since=since)
        # A reaction (🙏 on her code) is not a message to answer: the next answer is to AIDE.
        code = await wa.wait_for_message(ndeye, CODE)
        since = wa.mark()
        reaction = {"reaction": {"message_id": code.wamid, "emoji": "🙏"}}
        await wa.send_other(ndeye, "reaction", reaction)
        await wa.send_text(ndeye, "AIDE")
        await wa.wait_for_message(ndeye, "Commandes :", since=since)
        assert not [m for m in wa.messages(ndeye) if m.seq > since and "texte" in m.text]
        # Each message she sent shows as read; a read mark WhatsApp refuses delays nothing.
        await wa.wait_until(lambda: all(m.read_by_bot for m in wa.user_messages(ndeye)))
        wa.fail_next(131000, method="read")
        since = wa.mark()
        await wa.send_text(ndeye, "solde")
        await wa.wait_for_message(ndeye, "Votre solde", since=since)
        assert [call.injected for call in wa.calls_to("read")].count(True) == 1
        inbox = s.stack.runtime.storage.read.inbox
        for _ in range(200):
            if await inbox.pending_count("whatsapp") == 0:
                break
            await asyncio.sleep(0.05)
        answers = [m for m in wa.messages(ndeye) if m.seq > since and "Votre solde" in m.text]
        assert await inbox.pending_count("whatsapp") == 0 and len(answers) == 1


async def test_a_new_number_keeps_the_wallet_and_a_user_without_a_number_is_served(
    tmp_path,
) -> None:
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        omar = await s.customer("221773333333", "Omar", credit=40_000)
        await wa.send_text(omar, "solde")
        await wa.wait_for_message(omar, "40 000 FCFA")
        await wa.change_number(omar, "221779999999")
        since = wa.mark()
        await wa.send_text(omar, "solde")
        again = await wa.wait_for_message(omar, "Votre solde", since=since)
        assert "40 000 FCFA" in again.text and again.to == "221779999999"
        # Only a username and a BSUID: written to by the BSUID.
        lina = await s.customer("221774444444", "Lina", bsuid="SN.777", with_number=False)
        since = wa.mark()
        await wa.send_text(lina, "menu")
        menu = await wa.wait_for_message(lina, "Woyofal", since=since)
        assert menu.to == "SN.777"


async def test_a_code_past_the_window_goes_as_its_template_once(tmp_path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600, sync_callback_delay=3600)
    async with whatsapp_stack(tmp_path, simulator_config=config) as s:
        wa = s.wa
        binta = await s.customer("221775555555", "Binta")
        await buy_woyofal(s, binta, "123456789")
        row = await s.user_row("221775555555")
        payment = await wait_for_status(s, row.id, S.PROCESSING)
        # "Your code is on its way" goes out a moment after PROCESSING, inside the window.
        await wa.wait_for_message(binta, "Recharge acceptée", timeout=10)
        s.advance(hours=25)  # the code comes 25 hours after she last wrote
        [transaction] = s.stack.sim.state.transactions.values()
        s.stack.sim._settle(transaction)  # DEXCHANGE settles it at last, and calls back
        assert s.stack.runtime.http is not None
        url = callback_urls.callback_url(s.stack.runtime.http.url, SECRET, payment.external_id)
        async with httpx.AsyncClient() as client:
            assert (await client.post(url, json=callback_body(transaction))).status_code == 200
        # The code goes as its template. The reconciler may also have told her, as a result
        # template, that the payment takes longer, before or after the callback: the order
        # of the two depends on which ran first once the clock moved.
        template = await wa.wait_for_message(
            binta, lambda m: m.template == "senpay_code", timeout=10
        )
        assert transaction.token is not None and grouped(transaction.token) in template.text
        await wa.wait_until_idle()
        templates = [m.template for m in wa.messages(binta) if m.template is not None]
        assert templates.count("senpay_code") == 1
        assert set(templates) <= {"senpay_code", "senpay_payment_result"}
        assert not [m for m in wa.messages(binta) if grouped(transaction.token) in m.text][1:]


async def test_a_late_131047_leads_to_exactly_one_template(tmp_path) -> None:
    async with whatsapp_stack(tmp_path, expect_failed={131047: 1}) as s:
        wa = s.wa
        cheikh = await s.customer("221776666666", "Cheikh")
        await wa.send_text(cheikh, "menu")
        await wa.wait_for_message(cheikh, "Woyofal")
        # WhatsApp counts the window closed a little earlier than the bot does.
        wa.advance(hours=24, minutes=1)
        s.clock.advance(hours=23, minutes=30)
        row = await s.user_row("221776666666")
        await s.stack.runtime.accounts.credit(row, 5000, "geste", "admin:test")
        # The notice goes as free text, fails with 131047, and goes again as its template.
        template = await wa.wait_for_message(cheikh, lambda m: m.template is not None, timeout=10)
        assert template.template == "senpay_notice" and "5 000 FCFA" in template.text
        await wa.wait_until_idle()
        assert sum(m.template is not None for m in wa.messages(cheikh)) == 1


async def wait_for_status(s: WhatsAppStack, user_id: int, status: S) -> Payment:
    for _ in range(200):
        payments = await s.stack.runtime.storage.read.payments.for_user(user_id)
        if payments and payments[0].status is status:
            return payments[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no payment {status}")


async def test_an_agents_day_of_walk_in_clients_within_the_pace(tmp_path) -> None:
    """Twenty clients in a row, each with a code and a receipt, and no refusal for the pace:
    the conversation's answers and the notifier's results share the agent's budget (the
    contract check at the end fails on any 131056 or 130429)."""
    brisk = Pace(messages_per_second=80, recipient_burst=3, recipient_interval=0.05)
    async with whatsapp_stack(tmp_path, pace=brisk) as s:
        wa = s.wa
        ousmane = await s.customer("221778888888", "Ousmane", credit=500_000)
        await s.stack.runtime.accounts.grant("+221778888888", Role.AGENT, channel="whatsapp")
        since = wa.mark()
        await wa.send_text(ousmane, "menu")
        menu = await wa.wait_for_message(ousmane, "Que voulez-vous faire", since=since)
        titles = {title for _, title in menu.choices}
        assert {"📊 Ma journée", "🔎 Retrouver un code", "Plus…"} <= titles
        since = wa.mark()
        await wa.send_text(ousmane, "woyofal")
        prompt = await wa.wait_for_message(ousmane, "compteur Woyofal", since=since)
        clients = [f"Client {n}" for n in range(1, 21)]
        for n, client in enumerate(clients):
            await wa.send_text(ousmane, "07061270877")
            await wa.wait_for_message(ousmane, "Quel montant", since=since)
            await wa.send_text(ousmane, str(1000 + 100 * n))
            await wa.wait_for_message(ousmane, "Pour quel client", since=since)
            await wa.send_text(ousmane, client)
            summary = await wa.wait_for_message(ousmane, f"Client : {client}\n", since=since)
            since = wa.mark()
            await wa.press(ousmane, summary, "✅ Confirmer et payer")
            result = await wa.wait_for_message(ousmane, "Recharge Woyofal réussie", since=since)
            assert CODE in result.text and f"Client : {client}" in result.text
            await wa.wait_for_message(ousmane, lambda m: m.image is not None, since=since)
            if n + 1 < len(clients):
                # "Next client" on the result starts the next top-up at once.
                await wa.press(ousmane, result, "👤 Nouveau client")
                prompt = await wa.wait_for_message(ousmane, "compteur Woyofal", since=since)
        assert "compteur Woyofal" in prompt.text
        receipts = [m for m in wa.messages(ousmane) if m.image is not None]
        assert len(receipts) == 20
        assert all(m.text.startswith("🧾 Reçu · Woyofal 07061270877") for m in receipts)
        row = await s.user_row("221778888888")
        payments = await s.stack.runtime.storage.read.payments.for_user(row.id, limit=50)
        assert sorted(p.client_label or "" for p in payments) == sorted(clients)
        assert all(p.status is S.SUCCESS for p in payments)
        # Typed words for the agent's tools, with what they act on.
        since = wa.mark()
        await wa.send_text(ousmane, "Chercher client 7")
        found = await wa.wait_for_message(ousmane, "Vos derniers paiements", since=since)
        assert "Client 7" in found.text and CODE in found.text
        since = wa.mark()
        await wa.send_text(ousmane, "jour")
        today = await wa.wait_for_message(ousmane, "Journée du", since=since)
        assert "Woyofal : 20 paiement(s)" in today.text


def notification(s: WhatsAppStack, user: WaUser, wamid: str, text: str) -> bytes:
    """A webhook body as Meta would post it for `user` saying `text`."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": s.wa.phone_number_id},
        "contacts": [{"profile": {"name": user.name}, "wa_id": user.phone}],
        "messages": [
            {
                "from": user.phone,
                "id": wamid,
                "timestamp": str(int(s.wa.now())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    change = {"field": "messages", "value": value}
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [change]}]}
    ).encode()


async def answers(s: WhatsAppStack, user: WaUser, text: str, expect: str) -> None:
    """Say `text` and wait for its answer: whatever reached the bot before is answered."""
    since = s.wa.mark()
    await s.wa.send_text(user, text)
    await s.wa.wait_for_message(user, expect, since=since)


async def test_forged_webhooks_reach_no_handler_and_redeliveries_are_answered_once(
    tmp_path,
) -> None:
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        mame = await s.customer("221770000007", "Mame", credit=7_000)
        await answers(s, mame, "solde", "Votre solde")
        # Unsigned, signed with another secret, tampered after signing: refused, never read.
        raw = notification(s, mame, "wamid.FORGED", "solde")
        assert await wa.post_raw(raw, signature=None) == 401
        assert await wa.post_raw(raw, signature="sha256=" + "0" * 64) == 403
        assert await wa.post_raw(raw.replace(b"solde", b"aide"), signature=wa.sign(raw)) == 403
        await answers(s, mame, "menu", "Que voulez-vous faire")
        inbox = s.stack.runtime.storage.read.inbox
        assert not await inbox.exists("whatsapp", "wamid.FORGED")
        # The same message delivered again, before and after a restart: answered once.
        [first] = [m for m in wa.user_messages(mame) if m.text == "solde"]
        wa.redeliver(first)
        await wa.wait_until_idle()
        await s.stack.restart()
        assert s.stack.runtime.http is not None
        wa.set_webhook(s.stack.runtime.http.url + "/whatsapp/webhook")
        wa.redeliver(first)
        await wa.wait_until_idle()
        await answers(s, mame, "aide", "Woyofal")
        assert sum("Votre solde" in m.text for m in wa.messages(mame)) == 1
        assert sum("Que voulez-vous faire" in m.text for m in wa.messages(mame)) == 1
