"""Rate budgets shared across processes (storage/budgets.py, issue 17): four Storage objects
on one PostgreSQL database, each with its own pool, stand for four bot processes."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.channels.telegram.ratelimit import CHAT_MARGIN, OVERALL_MARGIN, PacedRateLimiter
from bot.channels.whatsapp.client import Later
from bot.channels.whatsapp.pacing import MARGIN as WHATSAPP_MARGIN
from bot.channels.whatsapp.pacing import NUMBER_BURST_SECONDS, WhatsAppPacer
from bot.dexchange.ratelimit import SHARED_MARGIN, SlidingWindowLimiter
from storage import Storage
from storage.budgets import SharedBudgets, next_tat, take_slot
from tests.databases import database_for, require_postgres

PROCESSES = 4
TELEGRAM_INTERVAL = OVERALL_MARGIN / 30
CHAT_INTERVAL = CHAT_MARGIN / 1
# DEXCHANGE's 100 calls a minute, with the minute scaled down to a few seconds.
DEXCHANGE_PERIOD = 3.0
DEXCHANGE_INTERVAL = DEXCHANGE_PERIOD * SHARED_MARGIN / 100


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[list[SharedBudgets]]:
    require_postgres()
    location = database_for(tmp_path / "budgets.sqlite3")
    storages = [Storage(location) for _ in range(PROCESSES)]
    for storage in storages:
        await storage.open()
    try:
        budgets = []
        for storage in storages:
            assert storage.database.backend == "postgresql"
            budgets.append(SharedBudgets(storage.database))  # type: ignore[arg-type]
        yield budgets
    finally:
        for storage in storages:
            await storage.close()


def most_in_a_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    return max(len([s for s in starts[i:] if s < first + window]) for i, first in enumerate(starts))


async def slots(budgets: SharedBudgets, name: str, interval: float, count: int) -> list[float]:
    """`count` slots asked for at once; when each starts (the server's clock)."""
    granted = await asyncio.gather(*(budgets.take(name, interval) for _ in range(count)))
    return [slot.start for slot in granted]


async def everyone(
    processes: list[SharedBudgets], name: str, interval: float, count: int
) -> list[float]:
    per_process = await asyncio.gather(
        *(slots(budgets, name, interval, count) for budgets in processes)
    )
    return list(itertools.chain.from_iterable(per_process))


async def test_four_processes_never_put_more_than_30_telegram_calls_in_a_second(
    processes: list[SharedBudgets],
) -> None:
    starts = await everyone(processes, "telegram", TELEGRAM_INTERVAL, 60)
    assert len(starts) == len(set(starts)) == 240
    assert most_in_a_window(starts, 1.0) == 30
    # The whole deployment at 30 a second, not each process: 240 calls take 8 seconds.
    assert max(starts) - min(starts) >= 239 * TELEGRAM_INTERVAL - 1e-3


async def test_four_processes_never_send_one_chat_two_messages_within_a_second(
    processes: list[SharedBudgets],
) -> None:
    chats = await asyncio.gather(
        *(everyone(processes, f"telegram:chat:{chat}", CHAT_INTERVAL, 3) for chat in (7, 8))
    )
    for starts in chats:
        assert len(starts) == 12
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(sorted(starts)))


async def test_a_429_seen_by_one_process_holds_every_process_off(
    processes: list[SharedBudgets],
) -> None:
    before = await everyone(processes, "telegram", TELEGRAM_INTERVAL, 5)
    held_at = await processes[0].hold_off("telegram", 3.0, TELEGRAM_INTERVAL)
    after = await everyone(processes, "telegram", TELEGRAM_INTERVAL, 5)
    assert max(before) < held_at + 3.0
    assert min(after) >= held_at + 3.0
    assert most_in_a_window(before + after, 1.0) <= 30


async def test_four_processes_keep_to_dexchange_calls_per_period(
    processes: list[SharedBudgets],
) -> None:
    starts = await everyone(processes, "dexchange", DEXCHANGE_INTERVAL, 60)
    assert len(set(starts)) == 240
    assert most_in_a_window(starts, DEXCHANGE_PERIOD) <= 100
    held_at = await processes[2].hold_off("dexchange", 10.0, DEXCHANGE_INTERVAL)
    after = await everyone(processes, "dexchange", DEXCHANGE_INTERVAL, 3)
    assert min(after) >= held_at + 10.0


async def test_the_server_grants_the_slots_the_arithmetic_says(
    processes: list[SharedBudgets],
) -> None:
    budgets = processes[0]
    tat: float | None = None
    for asked in range(12):
        slot = await budgets.take("whatsapp", 0.2, burst=3)
        expected = take_slot(tat, slot.now, 0.2, burst=3)
        assert slot.start == pytest.approx(expected.start, abs=1e-6)
        tat = next_tat(tat, slot.now, 0.2)
        if asked == 5:
            await asyncio.sleep(0.3)  # a little quiet: one token back


async def test_quiet_budgets_are_pruned(processes: list[SharedBudgets], tmp_path: Path) -> None:
    budgets = processes[0]
    await budgets.take("telegram:chat:1", 0.01)
    await budgets.take("telegram:chat:2", 100.0)
    await asyncio.sleep(0.05)
    short_memory = SharedBudgets(budgets._database, keep=0.0)
    assert await short_memory.prune() == 1
    left = await budgets._database.read().fetch_all("SELECT name FROM budgets")
    assert [row["name"] for row in left] == ["telegram:chat:2"]  # still holding calls back


# --- the real limiters, four of them, one per "process" ---------------------------------------


async def test_four_telegram_limiters_keep_the_deployment_to_30_a_second(
    processes: list[SharedBudgets],
) -> None:
    sent: list[tuple[float, int]] = []

    async def send(chat_id: int) -> Any:
        sent.append((time.monotonic(), chat_id))
        return True

    async def process(number: int, budgets: SharedBudgets) -> None:
        limiter = PacedRateLimiter(30, 1, shared=budgets)
        # 45 messages to chats of their own, and 2 to a chat every process writes to.
        chats = [1000 * (number + 1) + i for i in range(45)] + [5, 5]
        await asyncio.gather(
            *(
                limiter.process_request(
                    lambda c=chat: send(c), (), {}, "sendMessage", {"chat_id": chat}, None
                )
                for chat in chats
            )
        )

    await asyncio.gather(*(process(n, budgets) for n, budgets in enumerate(processes)))
    assert len(sent) == 188
    assert most_in_a_window([moment for moment, _ in sent], 1.0) <= 30
    to_five = sorted(moment for moment, chat in sent if chat == 5)
    assert len(to_five) == 8
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(to_five))


async def test_a_telegram_429_in_one_limiter_holds_the_others_off(
    processes: list[SharedBudgets],
) -> None:
    refused: list[float] = []
    sent: list[float] = []

    async def refused_once() -> Any:
        if not refused:
            refused.append(time.monotonic())
            raise RetryAfter(1)
        return True

    async def send() -> Any:
        sent.append(time.monotonic())
        return True

    first, *others = [PacedRateLimiter(30, 1, shared=budgets) for budgets in processes]
    retried = asyncio.create_task(
        first.process_request(refused_once, (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    await asyncio.sleep(0.2)  # the 429 is in
    await asyncio.gather(
        *(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 100 + n}, None)
            for n, limiter in enumerate(others)
        )
    )
    assert await retried is True  # retried by AIORateLimiter after the wait
    assert len(sent) == 3 and min(sent) >= refused[0] + 1.0


async def test_four_dexchange_limiters_keep_the_deployment_to_its_window(
    processes: list[SharedBudgets],
) -> None:
    left: list[float] = []

    async def process(budgets: SharedBudgets) -> None:
        limiter = SlidingWindowLimiter(100, DEXCHANGE_PERIOD, shared=budgets)

        async def call() -> None:
            limiter.done(await limiter.acquire())
            left.append(time.monotonic())

        await asyncio.gather(*(call() for _ in range(40)))

    await asyncio.gather(*(process(budgets) for budgets in processes))
    assert len(left) == 160
    assert most_in_a_window(left, DEXCHANGE_PERIOD) <= 100


async def test_four_whatsapp_pacers_keep_the_number_and_a_recipient_to_their_pace(
    processes: list[SharedBudgets],
) -> None:
    sent: list[tuple[float, str]] = []
    per_second, recipient_interval, recipient_burst = 20.0, 0.2, 2

    async def process(number: int, budgets: SharedBudgets) -> None:
        pacer = WhatsAppPacer(per_second, recipient_interval, recipient_burst, shared=budgets)

        async def send(to: str) -> None:
            async with pacer.sending(to):
                sent.append((time.monotonic(), to))

        recipients = [f"22177{number}{i:05d}" for i in range(15)] + ["221700000000"] * 3
        await asyncio.gather(*(send(to) for to in recipients))

    await asyncio.gather(*(process(n, budgets) for n, budgets in enumerate(processes)))
    assert len(sent) == 72
    # The deployment's bucket: half a second's worth at once, then the rate with its margin,
    # give or take a few messages leaving late (a round trip to the database between slot
    # and departure, on a busy machine: that is what the half second kept spare is for);
    # within Meta's (a second's worth). Four processes on their own send 72 in 0.5 s.
    number_interval = WHATSAPP_MARGIN / per_second
    burst = int(per_second * NUMBER_BURST_SECONDS)
    moments = [moment for moment, _ in sent]
    for window in (0.5, 1.0, 2.0):
        most = most_in_a_window(moments, window)
        assert most <= burst + window // number_interval + 3
        assert most <= per_second + window * per_second
    shared = sorted(moment for moment, to in sent if to == "221700000000")
    assert len(shared) == 12
    gap = recipient_interval * WHATSAPP_MARGIN
    assert most_in_a_window(shared, 1.0) <= recipient_burst + 1.0 // gap + 1  # (late one)


async def test_a_whatsapp_throughput_refusal_holds_every_process_off(
    processes: list[SharedBudgets],
) -> None:
    pacers = [WhatsAppPacer(20.0, 0.2, 2, shared=budgets) for budgets in processes]
    with pytest.raises(Later):
        async with pacers[0].sending("221771111111"):
            refused_at = time.monotonic()
            raise Later("too many messages", code=130429, http_status=400)
    left = []
    for pacer in pacers[1:]:
        async with pacer.sending("221772222222"):
            left.append(time.monotonic())
    assert min(left) >= refused_at + 1.0
