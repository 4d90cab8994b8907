"""Bad input at every step: the bot answers each time, stays where it was, and pays nothing."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from fakes.telegram import BotMessage
from tests.e2e.chat import (
    CONFIRM,
    MENU_QUESTION,
    Chat,
    no_errors_logged,
    step_token,
    telegram_contract_kept,
)
from tests.e2e.harness import running_stack

STALE = "Ce bouton n'est plus valide"
LONG_TEXT = "5" * 5000


def forged_payloads(token: str) -> list[str]:
    return [
        "garbage",
        "s:000000:ok",  # a step token that never existed
        f"s:{token}:nope",  # the current step, an action it does not have
        f"s:{token}",
        "g:nope",
        "g:pay:electricity",
        "g:setlang:de",
        "🙂" * 16,  # 64 bytes of UTF-8
    ]


async def expect_answer(chat: Chat, send: str, expected: str, step: BotMessage) -> BotMessage:
    """Send a text (or "<sticker>", "<photo>"); the answer says `expected` and keeps the step:
    its buttons are the ones of the step's prompt (same step token, or the menu's)."""
    if send == "<sticker>":
        answer = await chat.sticker()
    elif send == "<photo>":
        answer = await chat.photo()
    else:
        answer = await chat.say(send)
    assert expected in answer.text, (send[:40], answer.text)
    assert answer.buttons, (send[:40], answer.text)  # the way on (or back) is on screen
    assert step_token(answer, default="") == step_token(step, default=""), send[:40]
    return answer


async def expect_forged_presses_keep_step(
    chat: Chat, message: BotMessage, step_marker: str, extra: Sequence[str] = ()
) -> None:
    token = step_token(message, default="abcdef")
    for data in [*forged_payloads(token), *extra]:
        press = await chat.press(message, data, force=True)
        assert press.answer.text, data  # a toast for the press itself
        # The bot says so and shows where the user still is.
        newest = chat.tg.last_message(chat.user)
        assert newest is not None
        assert STALE in newest.text, (data, newest.text)
        assert step_marker in newest.text, (data, newest.text)
        assert newest.buttons, data
        message = newest


async def test_bad_input_at_every_step(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        chat = Chat(tg, await stack.customer(1001, "Awa"))

        # --- menu ---------------------------------------------------------------------------
        menu = await chat.menu()
        for send in ["<sticker>", "<photo>", LONG_TEXT, "bonjour", "07061270877"]:
            await expect_answer(chat, send, MENU_QUESTION, menu)
        await expect_forged_presses_keep_step(chat, menu, MENU_QUESTION)

        # --- Woyofal: meter number ----------------------------------------------------------
        prompt = await chat.start_flow("woyofal")
        marker = "compteur Woyofal"
        for send, expected in [
            ("abcdefgh", "n'est pas une référence valide"),
            ("12345", "n'est pas une référence valide"),
            ("1" * 21, "n'est pas une référence valide"),
            ("07O61270877", "par exemple 0706 1270 877"),  # letters: a valid example
            ("+221 77 123 45 67", "n'est pas une référence valide"),
            ("'; DROP TABLE payments; --", "n'est pas une référence valide"),
            ("<sticker>", marker),
            ("<photo>", marker),
            ("<photo>", "Je ne peux pas lire les photos"),
            (LONG_TEXT, marker),
        ]:
            await expect_answer(chat, send, expected, prompt)
        await expect_forged_presses_keep_step(
            chat, prompt, marker, [f"s:{step_token(prompt)}:ref:abc"]
        )

        # --- Woyofal: amount ----------------------------------------------------------------
        prompt = await chat.say("07061270877", "Quel montant")
        marker = "Quel montant"
        for send, expected in [
            ("999", "Le montant minimum est 1 000 FCFA"),
            ("0", "Le montant minimum est 1 000 FCFA"),
            ("500001", "Le montant maximum est 500 000 FCFA"),
            ("99999999999999999999", "n'est pas un montant"),
            # A decimal is asked about, never guessed (nor called "not an amount").
            ("1500.5", "voulez-vous dire 1 500 FCFA ?"),
            ("2500,50", "voulez-vous dire 2 500 FCFA ?"),
            ("5,5", "voulez-vous dire 5 500 FCFA ?"),
            ("-5000", "n'est pas un montant"),
            ("cinq mille", "n'est pas un montant"),
            ("<sticker>", marker),
            ("<photo>", marker),
            (LONG_TEXT, marker),
        ]:
            await expect_answer(chat, send, expected, prompt)
        token = step_token(prompt)
        await expect_forged_presses_keep_step(
            chat, prompt, marker, [f"s:{token}:amt:abc", f"s:{token}:bill:0"]
        )
        # /help explains, then asks on: the amount step is not lost.
        since = tg.mark()
        again = await chat.say("/help", marker)
        assert any("Comment ça marche" in m.text for m in chat.changed_since(since))
        assert again.buttons
        # A forged quick amount with this step's token is read like a typed one.
        press = await chat.press(prompt, f"s:{token}:amt:999999", force=True)
        assert "Le montant maximum est 500 000 FCFA" in press.last.text

        # --- Woyofal: confirmation ----------------------------------------------------------
        summary = await chat.say("2000", "Confirmez-vous")
        marker = "Confirmez-vous"
        for send, expected in [
            ("oui", "Je n'ai pas compris"),
            ("5000", "Je n'ai pas compris"),
            ("<sticker>", marker),
            ("<photo>", marker),
            (LONG_TEXT, marker),
        ]:
            await expect_answer(chat, send, expected, summary)
        await expect_forged_presses_keep_step(chat, summary, marker)
        # The earlier amount keyboard is stale now.
        press = await chat.press(prompt, f"s:{token}:amt:5000", force=True)
        assert STALE in press.last.text and marker in press.last.text
        # After all that, the confirmation is still the one of 2 000 FCFA and still works.
        newest = tg.last_message(chat.user)
        assert newest is not None and "Montant : 2 000 FCFA" in newest.text
        assert sim.state.pay_calls == 0
        await chat.press(newest, CONFIRM)
        await sim.wait_for_pay_calls(1)
        assert sim.state.pay_requests[0]["amount"] == 2000
        await chat.wait_for("Recharge Woyofal réussie")

        # --- bills: reference, choice, confirmation -----------------------------------------
        prompt = await chat.start_flow("senelec")
        marker = "référence client"
        for send in ["abc", "123", "<sticker>", LONG_TEXT]:
            expected = marker if send in ("<sticker>", LONG_TEXT) else "pas une référence valide"
            await expect_answer(chat, send, expected, prompt)
        await expect_forged_presses_keep_step(chat, prompt, marker)

        choice = await chat.say("222222222", "Laquelle")
        marker = "Laquelle"
        for send, expected in [
            ("1", "Je n'ai pas compris"),
            ("222222222", "Je n'ai pas compris"),
            ("<sticker>", marker),
            ("<photo>", marker),
            (LONG_TEXT, marker),
        ]:
            await expect_answer(chat, send, expected, choice)
        token = step_token(choice)
        await expect_forged_presses_keep_step(
            chat, choice, marker, [f"s:{token}:bill:2", f"s:{token}:bill:-1", f"s:{token}:bill:x"]
        )
        newest = tg.last_message(chat.user)
        assert newest is not None
        press = await chat.press(newest, newest.callback_data[0])
        assert "Confirmez-vous" in press.last.text and "12 300 FCFA" in press.last.text

        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_amount_formats_accepted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        chat = Chat(tg, await stack.customer(1001, "Awa"))
        await chat.start_flow("woyofal")
        await chat.say("07061270877", "Quel montant")
        for typed in ["5000", "5 000", "5.000", "5,000", "5000 F", "5000fcfa", "5 000 FCFA"]:
            summary = await chat.say(typed, "Confirmez-vous")
            assert "Montant : 5 000 FCFA" in summary.text, typed
            assert "Total à payer : 5 050 FCFA" in summary.text, typed
            await chat.press(summary, "✖️ Annuler")
            await chat.start_flow("woyofal")
            await chat.say("07061270877", "Quel montant")
        assert sim.state.pay_calls == 0
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
