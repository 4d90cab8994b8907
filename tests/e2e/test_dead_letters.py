"""A message that cannot be delivered as it is never blocks its user's queue (issue 12, item 4).

The notifier sends one message per user at a time, oldest first. A message whose rendering
raises, or that Telegram refuses as malformed, goes at once to the dead-letter status (kept
for admins, counted in /metrics, listed by /undelivered) and the user's next messages flow.
"""

import asyncio
import logging

import httpx
import pytest

from fakes.telegram import FakeUser
from storage.models import OutboxKind, OutboxStatus
from tests.e2e.chat import Chat
from tests.e2e.harness import Stack, buy_woyofal, running_stack
from tests.e2e.test_accounts import cli

ADMIN_ID = 9101
CODE = "1283 9300 9320 9223"  # the simulator's code for meter 07061270877


async def queue_unrenderable_notice(stack: Stack, user: FakeUser) -> int:
    """A NOTICE whose catalogue key does not exist: rendering it raises KeyError."""
    async with stack.runtime.storage.transaction() as tx:
        row = await tx.users.upsert("telegram", str(user.id), str(user.id))
        message_id = await tx.outbox.add(row.id, OutboxKind.NOTICE, {"key": "no.such.text"})
        tx.after_commit(stack.runtime.wake_notifiers)
    assert message_id is not None
    return message_id


async def wait_for_status(stack: Stack, message_id: int, status: OutboxStatus) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while True:
        message = await stack.runtime.storage.read.outbox.get(message_id)
        assert message is not None
        if message.status is status:
            return
        assert loop.time() < deadline, f"message {message_id} is {message.status}, not {status}"
        await asyncio.sleep(0.05)


async def metrics_text(stack: Stack) -> str:
    base = stack.runtime.http.url  # type: ignore[union-attr]
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{base}/metrics")).text


async def test_an_unrenderable_message_does_not_hold_back_the_users_code(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        awa = await stack.customer(7101, "Awa")
        bad = await queue_unrenderable_notice(stack, awa)
        # Her purchase's result comes after the broken message in her queue.
        await buy_woyofal(tg, awa, "07061270877", "5000")
        await tg.wait_for_message(awa, CODE, timeout=10)

        dead = await stack.runtime.storage.read.outbox.get(bad)
        assert dead is not None and dead.status is OutboxStatus.DEAD
        assert dead.attempts == 1  # dead at once, never retried
        logged = [
            record
            for record in caplog.records
            if record.name == "bot.workers.notifier" and record.levelno >= logging.ERROR
        ]
        assert [record.getMessage() for record in logged] == [
            f"outbox message {bad} (notice) cannot be rendered: set aside for admins"
        ]
        letters = await stack.runtime.storage.read.outbox.dead_letters()
        assert [(letter.message.id, "KeyError" in letter.error) for letter in letters] == [
            (bad, True)
        ]
        assert "bot_outbox_dead 1.0" in await metrics_text(stack)

        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        pending = await admin.say("/pending")
        assert "1 message(s) non remis" in (pending.text or "")
        listing = await admin.say("/undelivered", "non remis")
        text = listing.text or ""
        assert f"#{bad}" in text and "notice" in text and "KeyError" in text
        assert "7101" in text  # whose message it was

        code, out, err = await cli(stack, "undelivered")
        assert (code, err) == (0, "")
        assert out.startswith("1 undelivered") and f"#{bad}" in out and "KeyError" in out


async def test_a_message_telegram_refuses_is_dead_and_the_next_one_goes(tmp_path) -> None:
    async with running_stack(tmp_path, expect_refusals={400}) as stack:
        tg = stack.tg
        moussa = tg.user(7102, "Moussa")
        tg.fail_next("sendMessage", 1, 400, description="Bad Request: can't parse entities")
        async with stack.runtime.storage.transaction() as tx:
            row = await tx.users.upsert("telegram", str(moussa.id), str(moussa.id))
            first = await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": "note one"})
            await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": "note two"})
            tx.after_commit(stack.runtime.wake_notifiers)
        assert first is not None
        await tg.wait_for_message(moussa, "note two", timeout=5)
        await wait_for_status(stack, first, OutboxStatus.DEAD)
        letters = await stack.runtime.storage.read.outbox.dead_letters()
        assert [letter.message.id for letter in letters] == [first]
        assert "can't parse entities" in letters[0].error.lower()
        user = await stack.runtime.storage.read.users.by_external_id("telegram", "7102")
        assert user is not None and user.undeliverable_at is None  # the user is not blocked
        assert "bot_outbox_dead 1.0" in await metrics_text(stack)
