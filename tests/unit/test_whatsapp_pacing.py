"""WhatsApp's paces kept by the bot, on a clock the test drives: a recipient gets a short
burst then one message every interval; the number never exceeds its throughput."""

import asyncio
import itertools

from hypothesis import example, given
from hypothesis import strategies as st

from bot.channels.whatsapp.pacing import MARGIN, WhatsAppPacer
from fakes.whatsapp.pace import Pace, PaceKeeper


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_recipient_gets_a_burst_then_one_every_interval() -> None:
    clock = Clock()
    pacer = WhatsAppPacer(80, 6, 3, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(6):
        await pacer.acquire("agent")
        sent.append(clock.now - 1000.0)
    assert sent[:3] == [0.0, 0.0, 0.0]
    gaps = [b - a for a, b in itertools.pairwise(sent[2:])]
    assert all(abs(gap - 6 * MARGIN) < 1e-6 for gap in gaps)
    # Another recipient is not held up by the agent's pace.
    assert pacer.wait_for("customer") == 0


async def test_a_recipients_token_is_held_on_the_way_and_spent_on_landing() -> None:
    """Meta counts a message when it arrives: while one is on its way its token is nobody
    else's, and the next interval starts when it lands, not when it left."""
    clock = Clock()
    pacer = WhatsAppPacer(80, 6, 1, clock=clock, sleep=clock.sleep)
    async with pacer.sending("agent"):
        assert pacer.wait_for("agent") > 0  # the notifier may not take it meanwhile
        clock.now += 4.0  # held up on its way
    assert abs(pacer.wait_for("agent") - 6 * MARGIN) < 1e-6
    assert pacer.wait_for("customer") == 0


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=200))
def test_no_recipient_window_ever_holds_more_than_meta_allows(recipients: list[str]) -> None:
    """Over any 6 s window a recipient gets at most burst + 1 messages, and over any second
    the number sends at most its throughput (plus its one-second burst)."""
    clock = Clock()
    pacer = WhatsAppPacer(10, 6, 3, clock=clock, sleep=clock.sleep)
    times: dict[str, list[float]] = {}

    async def run() -> None:
        for recipient in recipients:
            await pacer.acquire(recipient)
            times.setdefault(recipient, []).append(clock.now)

    asyncio.run(run())
    for stamps in times.values():
        for start in stamps:
            assert sum(start <= t < start + 6 for t in stamps) <= 4
    everything = sorted(t for stamps in times.values() for t in stamps)
    for start in everything:
        assert sum(start <= t < start + 1 for t in everything) <= 20


@given(st.lists(st.floats(min_value=0.0, max_value=0.25), min_size=200, max_size=200))
@example([0.03] * 80 + [0.0] * 120)  # the first burst held up on its way (new connections)
def test_arrivals_held_up_on_their_way_stay_within_metas_throughput(delays: list[float]) -> None:
    """Meta counts messages as they arrive: calls that left within the pace but were held
    up differently on their way (up to 250 ms) must still arrive within its 80/s bucket."""
    clock = Clock()
    pacer = WhatsAppPacer(80, 6, 3, clock=clock, sleep=clock.sleep)
    arrivals: list[tuple[float, str]] = []

    async def run() -> None:
        for n, delay in enumerate(delays):
            await pacer.acquire(f"r{n}")
            arrivals.append((clock.now + delay, f"r{n}"))

    asyncio.run(run())
    meta = PaceKeeper(Pace(messages_per_second=80, recipient_burst=3, recipient_interval=6))
    for at, recipient in sorted(arrivals):
        assert meta.refusal(recipient, at) is None, f"130429 at {at - 1000:.3f} s"
        meta.spend(recipient, at)
