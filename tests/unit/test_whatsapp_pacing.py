"""WhatsApp's paces kept by the bot, on a clock the test drives: a recipient gets a short
burst then one message every interval; the number never exceeds its throughput."""

import asyncio
import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.pacing import MARGIN, WhatsAppPacer


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
