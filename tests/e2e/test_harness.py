"""The harness's own check: a test whose Bot API call the fake Telegram refused fails,
unless the test said it provokes that refusal."""

from pathlib import Path

import pytest

from storage.models import OutboxKind
from tests.e2e.harness import Refusal, Stack, running_stack


async def refused_notice(stack: Stack) -> None:
    """A notice Telegram refuses once (400), then a second one that goes out."""
    tg = stack.tg
    user = tg.user(7201, "Moussa")
    tg.fail_next("sendMessage", 1, 400, description="Bad Request: message is too long")
    async with stack.runtime.storage.transaction() as tx:
        row = await tx.users.upsert("telegram", str(user.id), str(user.id))
        await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": "note one"})
        await tx.outbox.add(row.id, OutboxKind.NOTICE, {"text": "note two"})
        tx.after_commit(stack.runtime.wake_notifiers)
    await tg.wait_for_message(user, "note two")


async def test_a_refused_call_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"refused 1 call.*message is too long"):
        async with running_stack(tmp_path) as stack:
            await refused_notice(stack)


@pytest.mark.parametrize("expected", [400, ("sendMessage", 400)])
async def test_a_refusal_the_test_provokes_is_allowed(tmp_path: Path, expected: Refusal) -> None:
    async with running_stack(tmp_path, expect_refusals={expected}) as stack:
        await refused_notice(stack)


async def test_another_refusal_than_the_one_provoked_still_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="refused 1 call"):
        async with running_stack(tmp_path, expect_refusals={429, ("editMessageText", 400)}) as s:
            await refused_notice(s)
