"""One user at a time, users in parallel: a user flooding the bot does not hold up the others."""

from pathlib import Path

import pytest

from tests.e2e.chat import Chat, no_errors_logged, telegram_contract_kept
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
