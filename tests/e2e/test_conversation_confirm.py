"""One confirmation makes at most one payment, however often Confirm is pressed."""

import asyncio
from pathlib import Path

import pytest

from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

ALREADY_USED = "Ce bouton a déjà été utilisé."


async def test_confirm_pressed_twice_in_one_batch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        chat = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await chat.woyofal_to_confirmation("07061270877", "5000")
        confirm_data = summary.data_for(CONFIRM)
        before = tg.mark()
        answers = await chat.press_many(summary, [CONFIRM, CONFIRM])
        # Both presses arrived in one getUpdates answer.
        batches = [
            call
            for call in tg.calls_to("getUpdates")
            if call.seq > before and isinstance(call.result, list) and call.result
        ]
        assert len(batches[0].result) == 2
        assert "Paiement envoyé" in (answers[0].text or "")
        assert answers[1].text == ALREADY_USED
        await chat.wait_for("Recharge Woyofal réussie")
        await asyncio.sleep(0.2)  # room for a second pay call, if one were coming
        assert sim.state.pay_calls == 1
        assert len(await stack.payments(chat.user)) == 1
        # The confirmation was edited once: buttons gone, the press visibly spent.
        confirmation = tg.message(chat.user, summary.message_id)
        assert confirmation.buttons == []
        assert len(confirmation.edits) == 1
        assert confirmation.edits[0].reply_markup in (None, {"inline_keyboard": []})

        # Pressed again much later, still nothing more.
        late = await chat.press(summary, confirm_data, force=True)
        assert late.answer.text == ALREADY_USED
        assert late.changed == []

        # A second purchase by the same user is a new confirmation, with its own payment.
        summary = await chat.woyofal_to_confirmation("07061270877", "1000")
        await chat.press(summary, CONFIRM)
        await sim.wait_for_pay_calls(2)
        ids = {request["externalTransactionId"] for request in sim.state.pay_requests}
        assert len(ids) == 2
        assert sim.state.debits == 2
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
