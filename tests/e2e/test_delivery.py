"""The notifier through python-telegram-bot to the fake Bot API: limits, errors, order."""

import asyncio
from typing import Any

import pytest

from bot.workers import notifier as notifier_module
from fakes.telegram import FakeUser
from storage.models import OutboxKind, OutboxStatus
from tests.e2e.harness import Stack, running_stack


async def queue_notices(stack: Stack, users: list[FakeUser], per_user: int) -> None:
    async with stack.runtime.storage.transaction() as tx:
        for user in users:
            row = await tx.users.upsert("telegram", str(user.id), str(user.id))
            for n in range(per_user):
                await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": f"note {user.id}-{n}"})
        tx.after_commit(stack.runtime.wake_notifiers)


async def notifier_asleep() -> None:
    """Until the notifier's loop waits for a wake-up (its task, "notifier-telegram", is in
    `wait_until_set`): no pass of the outbox is under way."""

    def asleep() -> bool:
        [task] = [task for task in asyncio.all_tasks() if task.get_name() == "notifier-telegram"]
        awaited: Any = task.get_coro()
        while awaited is not None:
            if getattr(getattr(awaited, "cr_code", None), "co_name", "") == "wait_until_set":
                return True
            awaited = getattr(awaited, "cr_await", None)
        return False

    for _ in range(200):  # 10 s at most
        if asleep():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the notifier never went to sleep")


def notes_of(stack: Stack, user: FakeUser) -> list[str]:
    return [m.text or "" for m in stack.tg.messages(user) if (m.text or "").startswith("note")]


async def wait_all_sent(stack: Stack, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await stack.runtime.storage.read.outbox.pending_count():
        assert loop.time() < deadline, "outbox not drained in time"
        await asyncio.sleep(0.1)


async def test_429s_under_load_lose_and_duplicate_nothing(tmp_path) -> None:
    # Our own pacing off, the fake strict: Telegram's 429s must be waited out and retried.
    async with running_stack(tmp_path, expect_refusals={429}) as stack:
        stack.tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        users = [stack.tg.user(4000 + i, f"U{i}") for i in range(40)]
        await queue_notices(stack, users, per_user=3)
        await wait_all_sent(stack, timeout=60)
        assert stack.tg.count_429 > 0  # the limits really were hit
        for user in users:
            assert notes_of(stack, user) == [f"note {user.id}-{n}" for n in range(3)]


async def test_paced_sending_stays_under_the_limits(tmp_path) -> None:
    async with running_stack(
        tmp_path, TELEGRAM_MESSAGES_PER_SECOND=30, TELEGRAM_CHAT_MESSAGES_PER_SECOND=1
    ) as stack:
        stack.tg.enable_rate_limits(global_per_second=30, per_chat_per_second=1)
        users = [stack.tg.user(5000 + i, f"U{i}") for i in range(30)]
        await queue_notices(stack, users, per_user=2)
        await wait_all_sent(stack, timeout=30)
        assert stack.tg.count_429 == 0
        for user in users:
            assert notes_of(stack, user) == [f"note {user.id}-0", f"note {user.id}-1"]


async def test_a_blocked_user_is_marked_and_not_retried_forever(tmp_path) -> None:
    async with running_stack(tmp_path, expect_refusals={403}) as stack:
        tg = stack.tg
        gone, here = tg.user(6001, "Gone"), tg.user(6002, "Here")
        tg.block(gone)
        await queue_notices(stack, [gone, here], per_user=2)
        await wait_all_sent(stack, timeout=10)
        assert notes_of(stack, here) == ["note 6002-0", "note 6002-1"]
        storage = stack.runtime.storage
        user = await storage.read.users.by_external_id("telegram", "6001")
        assert user is not None and user.undeliverable_at is not None
        kept = await storage.read.outbox.for_user(user.id)
        assert [m.status for m in kept] == [OutboxStatus.UNDELIVERABLE] * 2  # kept for admins
        calls = len(tg.calls_to("sendMessage"))
        await asyncio.sleep(1.0)
        assert len(tg.calls_to("sendMessage")) == calls  # no retry storm


async def test_order_per_user_holds_across_failures(tmp_path) -> None:
    async with running_stack(tmp_path, expect_refusals={502}) as stack:
        tg = stack.tg
        amy = tg.user(6101, "Amy")
        tg.fail_next("sendMessage", 2, 502)  # the first message fails twice
        await queue_notices(stack, [amy], per_user=4)
        await wait_all_sent(stack, timeout=20)
        assert notes_of(stack, amy) == [f"note 6101-{n}" for n in range(4)]


async def test_the_notifier_wakes_at_once_and_resumes_on_start(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The notifier's idle look (a pass every second, for rows other processes write) would
    # deliver the note too: an hour apart, and the note queued while the notifier sleeps,
    # only the commit's wake-up can have sent it.
    monkeypatch.setattr(notifier_module, "IDLE_LOOK_SECONDS", 3600.0)
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        zoe = tg.user(6201, "Zoe")
        await notifier_asleep()
        await queue_notices(stack, [zoe], per_user=1)
        await tg.wait_for_message(zoe, "note 6201-0", timeout=10)  # woken by the commit
        # Queued while the bot is down: delivered when it comes back.
        await stack.runtime.stop()
        from storage import Storage

        offline = Storage(stack.settings.database_location)
        await offline.open()
        async with offline.transaction() as tx:
            row = await tx.users.upsert("telegram", str(zoe.id), str(zoe.id))
            await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": "note while down"})
        await offline.close()
        await stack.restart()
        await tg.wait_for_message(zoe, "note while down", timeout=5)
