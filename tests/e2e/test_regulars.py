"""Regular customers through the fake Telegram: saved meters with a nickname, "buy again",
/history with its pages and details, and receipts as photos whose QR code is the DEXCHANGE
transaction id."""

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from fakes.telegram import BotMessage
from storage.models import PaymentStatus
from tests.e2e.chat import (
    CONFIRM,
    Chat,
    codes_of,
    no_errors_logged,
    step_token,
    telegram_contract_kept,
)
from tests.e2e.harness import Stack, running_stack

S = PaymentStatus
CODE = "1283 9300 9320 9223"  # the simulator's code for meter 07061270877


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


def qr_text(photo: bytes | None) -> str:
    assert photo is not None
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo)))
    return str(found.text)


async def buy(chat: Chat, meter: str, amount: str, result: str = "Recharge Woyofal réussie"):
    summary = await chat.woyofal_to_confirmation(meter, amount)
    since = chat.tg.mark()
    await chat.press(summary, CONFIRM)
    return await chat.wait_for(result, since=since, timeout=10)


async def buy_again(chat: Chat, result: BotMessage, amount: str) -> BotMessage:
    press = await chat.press(result, f"🔁 Racheter {amount} FCFA")
    summary = press.last
    assert "Confirmez-vous" in summary.text
    since = chat.tg.mark()
    await chat.press(summary, CONFIRM)
    return await chat.wait_for("réussie", since=since, timeout=10)


async def test_saved_meters_are_named_offered_first_renamed_and_deleted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1001, "Awa"))

        # One press under the result saves the meter, then a quick name.
        result = await buy(awa, "07061270877", "5000")
        assert "⭐ Enregistrer" in labels(result)
        asked = (await awa.press(result, "⭐ Enregistrer")).last
        assert asked.message_id != result.message_id  # the result keeps its code
        assert "Compteur 07061270877 enregistré" in asked.text
        assert labels(asked)[:4] == ["🏠 Maison", "🏪 Boutique", "👵 Maman", "🏢 Bureau"]
        named = (await awa.press(asked, "🏠 Maison")).last
        assert "07061270877 s'appelle maintenant « Maison »" in named.text
        assert "g:pay:woyofal" in named.callback_data  # and the menu

        # A second meter, named by typing; bought three times, it becomes the most used.
        result = await buy(awa, "333333333", "2000", "3 codes")
        asked = (await awa.press(result, "⭐ Enregistrer")).last
        too_long = await awa.say("x" * 31, "ne convient pas")
        assert step_token(too_long) == step_token(asked)  # still asking
        await awa.say("Boutique Médina", "s'appelle maintenant « Boutique Médina »")
        for _ in range(2):
            result = await buy_again(awa, result, "2 000")

        # The reference step offers the saved meters first, the most used first.
        prompt = await awa.start_flow("woyofal")
        assert "référence enregistrée ou déjà utilisée" in prompt.text
        token = step_token(prompt)
        assert prompt.buttons[:2] == [
            [("⭐ Boutique Médina · 333333333", f"s:{token}:ref:333333333")],
            [("⭐ Maison · 07061270877", f"s:{token}:ref:07061270877")],
        ]
        amount = (await awa.press(prompt, "⭐ Maison · 07061270877")).last
        assert "Compteur 07061270877 (Maison)" in amount.text
        summary = await awa.say("1500", "Confirmez-vous")
        assert "Compteur : 07061270877 (Maison)" in summary.text
        await awa.press(summary, "✖️ Annuler")

        # Saving it again says under which name it is saved.
        again = (await awa.press(result, "⭐ Enregistrer")).last
        assert "déjà enregistré sous le nom « Boutique Médina »" in again.text

        # /meters: rename one, refuse a name already taken, delete the other.
        listing = await awa.say("/meters", "Vos compteurs")
        assert "1. Boutique Médina — Woyofal 333333333" in listing.text
        assert "2. Maison — Woyofal 07061270877" in listing.text
        meter = (await awa.press(listing, "⚡ Maison")).last
        assert meter.message_id == listing.message_id  # drawn in place
        assert "Utilisé 1 fois" in meter.text
        rename = (await awa.press(meter, "✏️ Renommer")).last
        assert "Quel nouveau nom pour Maison" in rename.text
        await awa.say("Maman", "s'appelle maintenant « Maman »")
        listing = await awa.say("/meters", "Vos compteurs")
        meter = (await awa.press(listing, "⚡ Boutique Médina")).last
        rename = (await awa.press(meter, "✏️ Renommer")).last
        taken = await awa.say("maman", "déjà une référence nommée « maman »")
        assert step_token(taken) == step_token(rename)
        back = (await awa.press(taken, "◀️ Retour")).last
        deleting = (await awa.press(back, "🗑 Supprimer")).last
        assert "Supprimer « Boutique Médina » (333333333)" in deleting.text
        done = (await awa.press(deleting, "🗑 Oui, supprimer")).last
        assert "« Boutique Médina » a été supprimé" in done.text
        assert "1. Maman — Woyofal 07061270877" in done.text
        assert "Boutique Médina" not in done.text.split("supprimé", 1)[1]

        # A deleted meter is an ordinary recent reference again; the other stays first.
        prompt = await awa.start_flow("woyofal")
        token = step_token(prompt)
        assert prompt.buttons[:2] == [
            [("⭐ Maman · 07061270877", f"s:{token}:ref:07061270877")],
            [("333333333", f"s:{token}:ref:333333333")],
        ]
        saved = await stack.runtime.storage.read.saved_references.for_user(
            await user_id(stack, 1001)
        )
        assert [(s.reference, s.nickname) for s in saved] == [("07061270877", "Maman")]
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def user_id(stack: Stack, telegram_id: int) -> int:
    user = await stack.runtime.storage.read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    return user.id


async def test_buy_again_makes_a_new_payment_with_a_fresh_key(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        first = await buy(awa, "07061270877", "3000")

        # Straight to the confirmation: same meter, same amount, today's fee.
        summary = (await awa.press(first, "🔁 Racheter 3 000 FCFA")).last
        assert summary.message_id != first.message_id  # the result keeps its code
        assert "Compteur : 07061270877" in summary.text
        assert "Montant : 3 000 FCFA" in summary.text
        assert "Total à payer : 3 030 FCFA" in summary.text
        ok = summary.data_for(CONFIRM)
        await awa.press(summary, CONFIRM)
        await stack.wait_for_payment(awa.user, lambda p: p.id == 2 and p.status is S.SUCCESS)

        # The same button once more: another new confirmation, never the old payment's key.
        third = (await awa.press(first, "🔁 Racheter 3 000 FCFA")).last
        assert third.message_id not in (summary.message_id, first.message_id)
        await awa.press(third, CONFIRM)
        await stack.wait_for_payment(awa.user, lambda p: p.id == 3 and p.status is S.SUCCESS)
        payments = await stack.payments(awa.user)
        assert len({p.idempotency_key for p in payments}) == 3
        assert len({p.external_id for p in payments}) == 3
        assert [(p.reference, p.amount) for p in payments] == [("07061270877", 3000)] * 3
        assert sim.state.pay_calls == 3

        # A spent confirmation pays nothing more when pressed again.
        press = await awa.press(summary, ok, force=True)
        assert press.answer.text == "Ce bouton a déjà été utilisé."
        assert sim.state.pay_calls == 3

        # A bill has no "buy again"; a failed top-up offers to try again.
        bill = await awa.bill_to_confirmation("senelec", "210278816")
        await awa.press(bill, CONFIRM)
        paid = await awa.wait_for("Facture Senelec payée", timeout=10)
        assert labels(paid) == ["🧾 Reçu", "⭐ Enregistrer", "🏠 Menu"]
        failed = await buy(awa, "999999999", "1000", "n'a pas abouti")
        assert "🔁 Réessayer" in labels(failed)
        telegram_contract_kept(tg)


async def test_history_pages_details_codes_and_receipts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        empty = await awa.say("/history", "aucun paiement")
        assert "g:pay:woyofal" in empty.callback_data

        # Seven payments: a Senelec bill, then six top-ups.
        bill = await awa.bill_to_confirmation("senelec", "210278816")
        await awa.press(bill, CONFIRM)
        await awa.wait_for("Facture Senelec payée", timeout=10)
        result = await buy(awa, "07061270877", "1000")
        for _ in range(5):
            result = await buy_again(awa, result, "1 000")
        payments = await stack.payments(awa.user)  # newest first
        assert [p.status for p in payments] == [S.SUCCESS] * 7

        first_page = await awa.say("/history", "Vos paiements")
        text = first_page.text
        assert "(1 à 5 sur 7)" in text
        assert text.count("· Woyofal · 07061270877 · 1 000 FCFA · ✅ réussi") == 5
        assert labels(first_page) == ["1", "2", "3", "4", "5", "◀️ Plus anciens", "🏠 Menu"]
        assert first_page.data_for("1") == f"g:hd:{payments[0].id}"

        older = (await awa.press(first_page, "◀️ Plus anciens")).last
        assert older.message_id == first_page.message_id  # paged in place
        assert "(6 à 7 sur 7)" in older.text
        assert "7. " in older.text and "Facture Senelec · 210278816 · 104 500 FCFA" in older.text
        assert labels(older) == ["6", "7", "Plus récents ▶️", "🏠 Menu"]

        # The bill's details: holder, bill number, transaction; its receipt on demand.
        details = (await awa.press(older, "7")).last
        bill_payment = payments[-1]
        assert "Statut : ✅ réussi" in details.text
        assert "Titulaire : Moussa DIOP" in details.text
        assert "Facture : 8000000680" in details.text
        assert f"Transaction DEXCHANGE : {bill_payment.provider_tx_id}" in details.text
        assert "Total : 105 545 FCFA" in details.text
        assert labels(details) == ["🧾 Reçu", "⭐ Enregistrer", "◀️ Historique", "🏠 Menu"]
        since = tg.mark()
        await awa.press(details, "🧾 Reçu")
        photo = await tg.wait_for_message(awa.user, lambda m: m.photo is not None, since=since)
        assert qr_text(photo.photo) == bill_payment.provider_tx_id
        assert photo.caption == "🧾 Reçu · Facture Senelec 210278816 · 105 545 FCFA"

        # Back to its page, then a top-up's details show its code again.
        back = (await awa.press(details, "◀️ Historique")).last
        assert "(6 à 7 sur 7)" in back.text
        newer = (await awa.press(back, "Plus récents ▶️")).last
        details = (await awa.press(newer, "3")).last
        assert codes_of(details.text) == [CODE]
        assert "Compteur : 07061270877" in details.text
        assert "🔁 Racheter 1 000 FCFA" in labels(details)
        since = tg.mark()
        await awa.press(details, "🧾 Reçu")
        photo = await tg.wait_for_message(awa.user, lambda m: m.photo is not None, since=since)
        assert qr_text(photo.photo) == payments[2].provider_tx_id

        # Saved meters show by their nickname in the history.
        saving = (await awa.press(details, "⭐ Enregistrer")).last
        await awa.press(saving, "🏪 Boutique")
        page = await awa.say("/history", "Vos paiements")
        assert page.text.count("· Woyofal · Boutique · 1 000 FCFA") == 5
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_customers_never_see_each_others_payments(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        binta = Chat(tg, await stack.customer(1002, "Binta"))
        await buy(awa, "07061270877", "5000")
        [awas] = await stack.payments(awa.user)

        page = await binta.say("/history", "aucun paiement")
        assert "07061270877" not in page.text
        menu = await binta.menu()
        for action in ("hd", "rcpt", "again", "save"):
            # A forged button carrying Awa's payment id, as if it were on Binta's menu.
            press = await binta.press(menu, f"g:{action}:{awas.id}", force=True)
            assert press.answer.text == "Ce bouton n'est plus valide. Voici le menu.", action
            for message in press.changed:
                assert "07061270877" not in message.content and message.photo is None
            menu = press.last  # the menu again, drawn anew
        assert await stack.payments(binta.user) == []
        assert (
            await stack.runtime.storage.read.saved_references.for_user(await user_id(stack, 1002))
            == []
        )
        assert all(CODE not in message.content for message in tg.messages(binta.user))
        telegram_contract_kept(tg)
