"""One user at a time, users in parallel: a user flooding the bot does not hold up the others;
customers buying at once under Telegram's flood limits each get every message, none refused."""

import asyncio
from pathlib import Path

import pytest

from storage.models import PaymentStatus
from tests.e2e.chat import CONFIRM, Chat, codes_of, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

FLOOD = 300  # more updates than the Application's concurrent slots (256)


async def test_a_flood_from_one_user_does_not_hold_up_another(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        flooder = Chat(tg, await stack.customer(1001, "Spam"))
        other = Chat(tg, await stack.customer(1002, "Awa"))
        await flooder.menu()
        async with tg.batch():
            for number in range(FLOOD):
                await tg.send_text(flooder.user, f"message {number}")
            await tg.send_text(other.user, "/start")
        answer = await other.wait_for("Bonjour Awa", timeout=10)
        assert answer.buttons
        # From the moment Awa's update reached the bot to its answer, the flooder's backlog
        # must not have gone first (the bot fetches by 100: hers came with the last batch).
        [delivery] = [
            call
            for call in tg.calls_to("getUpdates")
            if any(
                update.get("message", {}).get("from", {}).get("id") == other.user.id
                for update in call.result or []
            )
        ]
        [reply] = [
            call
            for call in tg.calls_to("sendMessage")
            if call.params.get("chat_id") in (other.user.id, str(other.user.id))
            and "Bonjour Awa" in str(call.params.get("text"))
        ]
        overtaken = [
            call
            for call in tg.calls_to("sendMessage")
            if delivery.seq < call.seq < reply.seq
            and call.params.get("chat_id") in (flooder.user.id, str(flooder.user.id))
        ]
        assert len(overtaken) < 10, len(overtaken)
        await tg.wait_for_message(
            flooder.user, lambda _: len(tg.messages(flooder.user)) == FLOOD + 1, timeout=20
        )
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


# Telegram's limits: 30 messages a second overall, about one a second in a private chat.
OVERALL, PER_CHAT = 30, 1
CUSTOMERS = 8
CODE = "1283 9300 9320 9223"  # the simulator's code for meter 07061270877
# Each step waits for messages the bot paces a second apart in a chat: generous, for an
# answer that does come.
STEP = 30.0


async def buy_under_limits(chat: Chat, amount: str) -> None:
    menu = await chat.say("/start", "Que voulez-vous faire", timeout=STEP)
    await chat.press(menu, "g:pay:woyofal", timeout=STEP)
    await chat.wait_for("compteur Woyofal", timeout=STEP)
    await chat.say("07061270877", "Quel montant", timeout=STEP)
    summary = await chat.say(amount, "Confirmez-vous", timeout=STEP)
    await chat.press(summary, CONFIRM, timeout=STEP)
    await chat.wait_for(CODE, timeout=STEP)


async def test_customers_buying_at_once_under_telegrams_limits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(
        tmp_path,
        TELEGRAM_MESSAGES_PER_SECOND=OVERALL,
        TELEGRAM_CHAT_MESSAGES_PER_SECOND=PER_CHAT,
    ) as stack:
        tg = stack.tg
        tg.enable_rate_limits(global_per_second=OVERALL, per_chat_per_second=PER_CHAT)
        chats = [Chat(tg, await stack.customer(1100 + n, f"Client{n}")) for n in range(CUSTOMERS)]
        amounts = [str(1000 * (n + 1)) for n in range(CUSTOMERS)]
        await asyncio.gather(*(buy_under_limits(c, a) for c, a in zip(chats, amounts, strict=True)))

        assert tg.count_429 == 0  # the bot's pace kept to Telegram's limits
        for chat, amount in zip(chats, amounts, strict=True):
            [payment] = await stack.payments(chat.user)
            assert payment.status is PaymentStatus.SUCCESS and payment.amount == int(amount)
            texts = [message.text or "" for message in tg.messages(chat.user)]
            results = [text for text in texts if "Recharge Woyofal réussie" in text]
            assert len(results) == 1 and codes_of(results[0]) == [CODE]
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
