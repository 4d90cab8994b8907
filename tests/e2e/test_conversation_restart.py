"""A restart in the middle of a conversation continues it where it was (state is committed
at every step), and the language a user chose survives it."""

from pathlib import Path

import pytest

from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack


async def test_restart_mid_conversation(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        # Bob's app is in French: his English is his choice, not his app's.
        bob = Chat(tg, await stack.customer(1002, "Bob", language_code="fr"))

        # Awa is at the amount step, Bob has chosen English and is at a bill choice.
        await awa.start_flow("woyofal")
        amount_prompt = await awa.say("07061270877", "Quel montant")
        language = await bob.say("/language", "Choisissez votre langue")
        await bob.press(language, "g:setlang:en")
        await bob.start_flow("senelec")
        choice = await bob.say("222222222", "Which one")

        await stack.restart()

        # Awa types her amount into the new process: it knows the meter.
        summary = await awa.say("5000", "Confirmez-vous")
        assert "Compteur : 07061270877" in summary.text
        # Bob presses a button drawn by the old process: still valid.
        press = await bob.press(choice, choice.callback_data[0])
        bill_summary = press.last
        assert "Do you confirm this payment?" in bill_summary.text
        assert "12 300 FCFA" in bill_summary.text

        await stack.restart()

        # The confirmations drawn before the restart still pay, once each.
        await awa.press(summary, CONFIRM)
        await awa.wait_for("1283 9300 9320 9223")
        await bob.press(bill_summary, "✅ Confirm and pay")
        result = await bob.wait_for("Senelec bill paid")
        assert "Total: 12 423 FCFA" in result.text
        assert sim.state.pay_calls == 2
        assert sim.state.debits == 2

        # Bob's English is remembered by the new process; Awa stays in French.
        menu = await bob.say("/start", "What would you like")
        assert "Hello Bob" in menu.text
        await awa.say("/start", "Que voulez-vous faire")
        # A quick amount button from before the restarts is stale now, and said to be.
        stale = await awa.press(amount_prompt, amount_prompt.callback_data[0], force=True)
        assert stale.answer.text is not None and "plus valide" in stale.answer.text
        assert sim.state.pay_calls == 2
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
