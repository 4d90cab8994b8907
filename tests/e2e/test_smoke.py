from tests.e2e.harness import running_stack


async def test_woyofal_purchase_end_to_end(tmp_path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        alice = await stack.customer(1001, "Awa", username="awa")
        await tg.send_text(alice, "/start")
        menu = await tg.wait_for_message(alice, "Woyofal")
        await tg.press(alice, menu, "⚡ Acheter Woyofal")
        await tg.wait_for_message(alice, "compteur Woyofal")
        await tg.send_text(alice, "07061270877")
        amount = await tg.wait_for_message(alice, "Quel montant")
        await tg.press(alice, amount, "5 000 FCFA")
        confirm = await tg.wait_for_message(alice, "Confirmez-vous")
        await tg.press(alice, confirm, "✅ Confirmer et payer")
        result = await tg.wait_for_message(alice, "1283 9300 9320 9223")
        assert "5 050 FCFA" in result.text
