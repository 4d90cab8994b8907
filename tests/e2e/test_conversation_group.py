"""In a group the bot answers only what is meant for it — its commands, a mention, a reply to
it — and only with the way to a private chat: no reference, amount or code. The group's
chatter (text, stickers, photos, other bots' commands) gets no answer at all."""

import re
from pathlib import Path

import pytest

from fakes.telegram import FakeChat, FakeTelegram, FakeUser
from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

LINK = "https://t.me/senpay_test_bot"


async def link_answer(tg: FakeTelegram, user: FakeUser, chat: FakeChat, text: str) -> None:
    since = tg.mark()
    await tg.send_text(user, text, chat=chat)
    answer = await tg.wait_for_message(chat, since=since)
    assert LINK in answer.text, (text, answer.text)
    assert answer.buttons == []
    assert not re.search(r"\d{3}", answer.text.replace(LINK, "")), answer.text


async def test_group_gets_the_link_only_when_addressed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        moussa = tg.user(1002, "Moussa")
        family = tg.group(-1001, "Famille Diop")
        shop = tg.supergroup(-1002000000001, "Boutique")

        # Awa is in the middle of a purchase in private…
        await awa.start_flow("woyofal")
        await awa.say("07061270877", "Quel montant")

        for chat in (family, shop):
            # …and the group chats: numbers, amounts, greetings, a sticker, a photo, other
            # bots' commands. No answer to any of it.
            for text in ["07061270877", "5000", "bonjour", "solde", "/weather", "/start@other_bot"]:
                await tg.send_text(awa.user, text, chat=chat)
            await tg.send_text(moussa, "On paie la facture ce soir ?", chat=chat)
            await tg.send_sticker(awa.user, chat=chat)
            await tg.send_photo_from_user(awa.user, chat=chat, caption="07061270877")
            # What is meant for the bot gets the link, and only the link: its own commands
            # (bare or addressed), a mention, a reply to one of its messages.
            await link_answer(tg, awa.user, chat, "/start")
            assert len(tg.messages(chat)) == 1  # the chatter before it got nothing
            await link_answer(tg, awa.user, chat, "/woyofal")
            await link_answer(tg, moussa, chat, "/start@senpay_test_bot")
            await link_answer(tg, moussa, chat, "@senpay_test_bot je veux payer ma facture")
            since = tg.mark()
            ours = tg.messages(chat)[-1]
            await tg.send_text(awa.user, "5000", chat=chat, reply_to=ours)
            answer = await tg.wait_for_message(chat, since=since)
            assert LINK in answer.text and "5000" not in answer.text
            # A photo whose caption mentions the bot is meant for it too.
            since = tg.mark()
            await tg.send_photo_from_user(moussa, chat=chat, caption="@senpay_test_bot facture")
            answer = await tg.wait_for_message(chat, since=since)
            assert LINK in answer.text
            # Chatter after that: still nothing. Each user's updates are handled in order,
            # so once the last command is answered, the chatter before it was handled.
            await tg.send_text(moussa, "merci", chat=chat)
            await tg.send_sticker(moussa, chat=chat)
            await tg.send_text(awa.user, "ok", chat=chat)
            await link_answer(tg, moussa, chat, "/help@senpay_test_bot")
            await link_answer(tg, awa.user, chat, "/help")
        for chat in (family, shop):
            assert all(LINK in m.text and not m.buttons for m in tg.messages(chat))
            assert len(tg.messages(chat)) == 8  # the 8 addressed messages, no chatter

        # The private conversation was not disturbed, and its result stays private.
        summary = await awa.say("5000", "Confirmez-vous")
        await awa.press(summary, CONFIRM)
        await awa.wait_for("1283 9300 9320 9223")
        for chat in (family, shop):
            assert not any("1283" in m.text for m in tg.messages(chat))
        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
