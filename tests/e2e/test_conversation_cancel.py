"""Cancel works at every step, by command and by button, and nothing is paid."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from fakes.telegram import BotMessage
from tests.e2e.chat import (
    CANCEL,
    CANCELLED,
    CONFIRM,
    MENU_QUESTION,
    Chat,
    no_errors_logged,
    telegram_contract_kept,
)
from tests.e2e.harness import running_stack

# Each walks a fresh flow to one step and returns the message showing that step.
StepWalk = Callable[[Chat], Awaitable[BotMessage]]


async def woyofal_reference(chat: Chat) -> BotMessage:
    return await chat.start_flow("woyofal")


async def woyofal_amount(chat: Chat) -> BotMessage:
    await chat.start_flow("woyofal")
    return await chat.say("07061270877", "Quel montant")


async def woyofal_confirmation(chat: Chat) -> BotMessage:
    return await chat.woyofal_to_confirmation("07061270877", "1000")


async def bill_reference(chat: Chat) -> BotMessage:
    return await chat.start_flow("seneau")


async def bill_choice(chat: Chat) -> BotMessage:
    await chat.start_flow("senelec")
    return await chat.say("222222222", "Laquelle")


async def bill_confirmation(chat: Chat) -> BotMessage:
    return await chat.bill_to_confirmation("senelec", "210278816")


STEPS: list[StepWalk] = [
    woyofal_reference,
    woyofal_amount,
    woyofal_confirmation,
    bill_reference,
    bill_choice,
    bill_confirmation,
]


async def test_cancel_at_every_step(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        chat = Chat(tg, await stack.customer(1001, "Awa"))

        for walk in STEPS:
            # By command (French and English spellings).
            for command in ("/cancel", "/annuler"):
                step = await walk(chat)
                answer = await chat.say(command, CANCELLED)
                assert MENU_QUESTION in answer.text, walk.__name__
                # The conversation is back at the menu: typed digits start nothing.
                again = await chat.say("07061270877")
                assert MENU_QUESTION in again.text, walk.__name__
                assert "Confirmez-vous" not in again.text

            # By the step's own Cancel button: the prompt is redrawn as "cancelled".
            step = await walk(chat)
            press = await chat.press(step, CANCEL)
            redrawn = tg.message(chat.user, step.message_id)
            assert CANCELLED in redrawn.text, walk.__name__
            assert press.answer.text is None or "valide" not in press.answer.text
            assert all("Confirmez-vous" not in m.text for m in press.changed)

        # Cancel on the keyboard of an earlier step still cancels (rather than "invalid").
        reference_prompt = await chat.start_flow("woyofal")
        await chat.say("07061270877", "Quel montant")
        press = await chat.press(reference_prompt, CANCEL)
        assert CANCELLED in tg.message(chat.user, reference_prompt.message_id).text
        assert press.answer.text is None
        again = await chat.say("5000")
        assert MENU_QUESTION in again.text and "Confirmez-vous" not in again.text
        # …and at the menu it says there is nothing to cancel, and takes that keyboard away.
        choice = await bill_choice(chat)
        await chat.say("/cancel", CANCELLED)
        press = await chat.press(choice, CANCEL)
        assert "rien à annuler" in press.last.text
        assert tg.message(chat.user, choice.message_id).buttons == []

        # A confirmation cancelled by command keeps no power: its Confirm pays nothing.
        summary = await woyofal_confirmation(chat)
        await chat.say("/cancel", CANCELLED)
        late = await chat.press(summary, CONFIRM)
        assert late.answer.text is not None
        assert tg.message(chat.user, summary.message_id).buttons == []

        # Nothing to cancel at the menu.
        answer = await chat.say("/cancel", "rien à annuler")
        assert MENU_QUESTION in answer.text

        assert sim.state.pay_calls == 0
        assert await stack.payments(chat.user) == []
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
