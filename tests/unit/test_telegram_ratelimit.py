"""The pacing of Bot API calls, measured on the calls themselves.

Each test runs on a clock it drives (tests/virtual_time.py): arrivals are timed exactly, a
busy machine or a collector pause cannot move them, and a stalled loop is one the test
stalls (`loop.advance`)."""

import asyncio
import itertools

from bot.channels.telegram.ratelimit import PacedRateLimiter
from tests.virtual_time import in_virtual_time, virtual_loop

ROUNDING = 1e-9


def pacer(messages_per_second: float, chat_messages_per_second: float) -> PacedRateLimiter:
    """A limiter on the test's clock."""
    return PacedRateLimiter(
        messages_per_second, chat_messages_per_second, clock=virtual_loop().time
    )


async def run(
    limiter: PacedRateLimiter,
    calls: list[tuple[int, str]],
    *,
    stall_on: int | None = None,
    late: int | None = None,
    delay: float = 0,
    transit: float = 0,
    answer_after: float = 0,
) -> list[tuple[float, int]]:
    """Make the calls at once; returns when each arrived, as a server would count them.

    Each call arrives `transit` after it leaves, except the first call to chat `late`,
    held up `delay` on its way, and is answered `answer_after` after it arrived.
    `stall_on`: the chat whose call blocks the event loop for 60 ms once it arrived (a
    long commit, a burst of work elsewhere in the process)."""
    loop = virtual_loop()
    arrived: list[tuple[float, int]] = []
    held_up = False

    async def send_to(chat_id: int):
        nonlocal held_up
        hold = delay if chat_id == late and not held_up else transit
        held_up = held_up or chat_id == late
        if hold:
            await asyncio.sleep(hold)
        arrived.append((loop.time(), chat_id))
        if chat_id == stall_on:
            loop.advance(0.06)  # the loop blocked: nothing else runs meanwhile
        if answer_after:
            await asyncio.sleep(answer_after)
        return {"ok": True}

    await asyncio.gather(
        *(
            limiter.process_request(send_to, (chat,), {}, endpoint, {"chat_id": chat}, None)
            for chat, endpoint in calls
        )
    )
    return arrived


def assert_at_most_per_second(arrived: list[tuple[float, int]], limit: int) -> list[float]:
    """No `limit` + 1 calls arrived within one second; returns the arrival times, sorted.
    On an exact clock a pace can meet the window exactly: only float rounding is forgiven."""
    times = sorted(at for at, _ in arrived)
    for i in range(len(times) - limit):
        assert times[i + limit] - times[i] >= 1.0 - ROUNDING, f"{limit + 1} calls inside 1 s"
    return times


@in_virtual_time
async def test_overall_pace_never_exceeds_the_rate_in_any_window() -> None:
    limiter = pacer(messages_per_second=50, chat_messages_per_second=0)
    times = assert_at_most_per_second(
        await run(limiter, [(1000 + n, "sendMessage") for n in range(60)]), 50
    )
    assert times[-1] - times[0] < 60 / 50 * 1.1  # and it does not go much slower


@in_virtual_time
async def test_a_stalled_event_loop_does_not_squeeze_a_call_into_a_full_window() -> None:
    # The calls due during the stall leave late, together; a grid of slots alone would
    # send the ones after on time, and 51 calls would fall within one second.
    limiter = pacer(messages_per_second=50, chat_messages_per_second=0)
    calls = [(1000 + n, "sendMessage") for n in range(60)]
    assert_at_most_per_second(await run(limiter, calls, stall_on=1003), 50)


@in_virtual_time
async def test_a_call_held_up_on_its_way_does_not_crowd_a_window_where_it_arrives() -> None:
    # Sent on time, call 3 arrives 30 ms late, just before call 4: a pace counted from
    # departures alone would have 31 calls arrive within one second (3 to 33); counted
    # from answers, none can.
    limiter = pacer(messages_per_second=30, chat_messages_per_second=0)
    calls = [(1000 + n, "sendMessage") for n in range(45)]
    arrived = await run(limiter, calls, late=1003, delay=0.03, transit=0.001)
    assert_at_most_per_second(arrived, 30)


@in_virtual_time
async def test_a_server_slow_to_answer_does_not_slow_the_pace() -> None:
    # Every answer takes 150 ms: no call is late, so the even grid alone sets the pace
    # (counting a second from each answer would lose 150 ms in every second). One call
    # first: until a round trip is known, an answer is taken as the arrival.
    limiter = pacer(messages_per_second=30, chat_messages_per_second=0)
    await run(limiter, [(999, "sendMessage")], transit=0.001, answer_after=0.15)
    await asyncio.sleep(1.1)
    calls = [(1000 + n, "sendMessage") for n in range(45)]
    arrived = await run(limiter, calls, transit=0.001, answer_after=0.15)
    times = assert_at_most_per_second(arrived, 30)
    assert times[-1] - times[0] < 44 * 1.025 / 30 + 0.06


@in_virtual_time
async def test_a_chats_message_held_up_on_its_way_still_arrives_spaced() -> None:
    limiter = pacer(messages_per_second=0, chat_messages_per_second=5)
    arrived = await run(limiter, [(7, "sendMessage")] * 3, late=7, delay=0.05, transit=0.001)
    times = [at for at, _ in arrived]
    for earlier, later in itertools.pairwise(times):
        assert later - earlier >= 1 / 5, "a chat got two messages within its interval"


@in_virtual_time
async def test_a_chat_is_spaced_from_its_previous_actual_send() -> None:
    # The overall pace is the bottleneck here: a chat's second message must still wait a
    # full chat interval after its first one really went out.
    limiter = pacer(messages_per_second=20, chat_messages_per_second=5)
    calls = [(7, "sendMessage")] + [(100 + n, "sendMessage") for n in range(8)]
    calls += [(7, "editMessageText"), (7, "sendMessage")]
    sent = await run(limiter, calls)
    mine = sorted(at for at, chat in sent if chat == 7)
    assert len(mine) == 3
    for earlier, later in itertools.pairwise(mine):
        assert later - earlier >= 1 / 5, "a chat got two messages within its interval"


@in_virtual_time
async def test_unpaced_calls_pass_at_once() -> None:
    limiter = pacer(messages_per_second=0, chat_messages_per_second=0)
    arrived = await run(limiter, [(1, "sendMessage")] * 50 + [(2, "answerCallbackQuery")] * 50)
    assert {at for at, _ in arrived} == {0.0}  # not one of them waited
