"""A conversation left idle expires: its buttons pay nothing, typing starts from the menu.

Time passes on the bot's clock, moved by the test (`DrivenClock`): who was idle and who was
not does not depend on how fast a busy machine answers."""

from pathlib import Path

import pytest

from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import DrivenClock, running_stack

IDLE_MINUTES = 15
EXPIRED = "a expiré après un moment d'inactivité"


async def test_idle_conversation_expires(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = DrivenClock()
    async with running_stack(
        tmp_path, clock=clock, CONVERSATION_IDLE_MINUTES=IDLE_MINUTES
    ) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        bob = Chat(tg, await stack.customer(1002, "Bob"))
        coumba = Chat(tg, await stack.customer(1003, "Coumba"))

        # Awa leaves a confirmation, Bob an amount prompt, for longer than the idle time.
        summary = await awa.woyofal_to_confirmation("07061270877", "5000")
        await bob.start_flow("woyofal")
        await bob.say("07061270877", "Quel montant")
        # Coumba keeps typing (wrong amounts) more often than the idle time: she is not idle.
        await coumba.start_flow("woyofal")
        await coumba.say("07061270877", "Quel montant")
        for _ in range(3):
            clock.advance(minutes=IDLE_MINUTES * 0.45)
            await coumba.say("beaucoup", "n'est pas un montant")
        clock.advance(minutes=IDLE_MINUTES * 0.2)  # 1.55 idle times since Awa and Bob spoke

        press = await awa.press(summary, CONFIRM)
        assert EXPIRED in press.last.text
        assert "Rien n'a été payé" in press.last.text
        assert tg.message(awa.user, summary.message_id).buttons == []

        answer = await bob.say("5000")
        assert EXPIRED in answer.text
        assert "Confirmez-vous" not in answer.text

        # Coumba's activity kept her conversation: her amount is taken.
        confirmation = await coumba.say("5000")
        assert "Confirmez-vous" in confirmation.text, confirmation.text

        # /help after a long while: the step is gone, help comes with the menu.
        clock.advance(minutes=IDLE_MINUTES * 1.2)
        help_text = await coumba.say("/help", "Comment ça marche")
        assert "g:pay:woyofal" in help_text.callback_data  # the menu, not the old step
        answer = await coumba.say("07061270877")
        assert "Que voulez-vous faire" in answer.text

        # Expiry is not a dead end: the menu works at once.
        await awa.woyofal_to_confirmation("07061270877", "1000")
        assert sim.state.pay_calls == 0
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
