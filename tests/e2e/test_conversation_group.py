"""In a group the bot shows no reference, amount or code: only the way to a private chat."""

import re
from pathlib import Path

import pytest

from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

LINK = "https://t.me/senpay_test_bot"


async def test_group_chats_only_get_the_private_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        family = tg.group(-1001, "Famille Diop")
        shop = tg.supergroup(-1002000000001, "Boutique")

        # Awa is in the middle of a purchase in private…
        await awa.start_flow("woyofal")
        await awa.say("07061270877", "Quel montant")

        # …and writes in groups: each message gets the link, and nothing else.
        sent = 0
        for chat in (family, shop):
            for text in ["/start", "/woyofal", "07061270877", "5000", "/start@senpay_test_bot"]:
                since = tg.mark()
                await tg.send_text(awa.user, text, chat=chat)
                answer = await tg.wait_for_message(chat, since=since)
                sent += 1
                assert LINK in answer.text
                assert answer.buttons == []
                assert not re.search(r"\d{3}", answer.text.replace(LINK, "")), answer.text
            since = tg.mark()
            await tg.send_sticker(awa.user, chat=chat)
            answer = await tg.wait_for_message(chat, since=since)
            assert LINK in answer.text
        for chat in (family, shop):
            assert all(LINK in m.text and not m.buttons for m in tg.messages(chat))

        # The private conversation was not disturbed, and its result stays private.
        summary = await awa.say("5000", "Confirmez-vous")
        await awa.press(summary, CONFIRM)
        await awa.wait_for("1283 9300 9320 9223")
        for chat in (family, shop):
            assert not any("1283" in m.text for m in tg.messages(chat))
        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
