"""The arithmetic of the shared rate budgets (storage/budgets.py), which its SQL does on the
server: slots granted in turn never put more calls in a window than the budget allows, never
start before they were asked for, and none starts inside a 429's hold-off."""

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.budgets import Slot, claim_at, held_off, next_tat, take_slot

TELEGRAM_INTERVAL = 1.025 / 30  # bot/channels/telegram/ratelimit.py's margin
DEXCHANGE_INTERVAL = 60 * 1.02 / 100  # bot/dexchange/ratelimit.py's margin
ROUNDING = 1e-9

# Moments calls are asked for: gaps from simultaneous to long quiet spells.
GAPS = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0, max_value=3, allow_nan=False)),
    min_size=1,
    max_size=150,
)


def grant(gaps: list[float], interval: float, burst: int = 1) -> list[tuple[float, float]]:
    """(asked at, starts at) of each call, taking slots in turn as the SQL does."""
    tat: float | None = None
    granted = []
    for asked in itertools.accumulate(gaps):
        slot = take_slot(tat, asked, interval, burst)
        tat = next_tat(tat, asked, interval)
        granted.append((asked, slot.start))
    return granted


def most_in_a_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    most = 0
    for i, first in enumerate(starts):
        inside = [s for s in starts[i:] if s < first + window - ROUNDING]
        most = max(most, len(inside))
    return most


@given(GAPS)
def test_telegram_slots_never_put_31_calls_in_a_second(gaps: list[float]) -> None:
    starts = [start for _, start in grant(gaps, TELEGRAM_INTERVAL)]
    assert most_in_a_window(starts, 1.0) <= 30


@given(GAPS)
def test_dexchange_slots_never_put_101_calls_in_a_minute(gaps: list[float]) -> None:
    # Seconds → tenths of the real scale, so that 150 calls cover more than a window.
    starts = [start for _, start in grant([g / 10 for g in gaps], DEXCHANGE_INTERVAL / 10)]
    assert most_in_a_window(starts, 6.0) <= 100


@given(GAPS, st.floats(min_value=0.01, max_value=5), st.integers(min_value=1, max_value=10))
def test_slots_start_when_asked_or_later_and_keep_the_bucket(
    gaps: list[float], interval: float, burst: int
) -> None:
    granted = grant(gaps, interval, burst)
    assert all(start >= asked for asked, start in granted)
    starts = [start for _, start in granted]
    assert starts == sorted(starts)  # in the order they were asked for
    # A bucket of `burst` calls, one back every interval: never more in any window.
    for window in (interval, 2.5 * interval, 10 * interval):
        assert most_in_a_window(starts, window) <= burst + math.floor(window / interval)


@given(GAPS, st.integers(min_value=1, max_value=10))
def test_a_quiet_budget_lets_the_burst_go_at_once(gaps: list[float], burst: int) -> None:
    interval = 0.5
    quiet = [gaps[0], *([0.0] * (burst - 1)), 0.0]
    granted = grant(quiet, interval, burst)
    assert [start for _, start in granted[:burst]] == pytest.approx([gaps[0]] * burst)
    assert granted[burst][1] == pytest.approx(gaps[0] + interval)  # then one an interval


@given(
    GAPS,
    st.floats(min_value=0.1, max_value=30),
    st.floats(min_value=0.01, max_value=2),
    st.integers(min_value=1, max_value=10),
)
def test_no_slot_starts_inside_a_hold_off(
    gaps: list[float], seconds: float, interval: float, burst: int
) -> None:
    tat: float | None = None
    moments = list(itertools.accumulate(gaps))
    held_at = moments[len(moments) // 2]
    for asked in moments[: len(moments) // 2]:
        tat = next_tat(tat, asked, interval)
    tat = held_off(tat, held_at, seconds, interval, burst)
    starts = []
    for asked in moments[len(moments) // 2 :]:
        starts.append(take_slot(tat, asked, interval, burst).start)
        tat = next_tat(tat, asked, interval)
    assert all(start >= held_at + seconds - ROUNDING for start in starts)
    # Calls asked for during it resume one an interval: the burst was spent.
    waiting = []
    for _ in range(3):
        waiting.append(take_slot(tat, held_at, interval, burst).start)
        tat = next_tat(tat, held_at, interval)
    assert all(b - a >= interval - ROUNDING for a, b in itertools.pairwise(waiting))


@given(
    st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=100),
    st.integers(min_value=1, max_value=5),
)
def test_claims_for_one_chat_keep_its_pace(moments: list[float], burst: int) -> None:
    """Calls (of any process) claiming a chat for the moment they leave: the granted ones
    keep the chat's bucket (an interval apart when burst is 1); a refused one is told when
    the chat is free."""
    interval = 1.1
    tat: float | None = None
    granted: list[float] = []
    for at in sorted(moments):
        before = tat
        ok, tat = claim_at(tat, at, interval, burst)
        if ok:
            granted.append(at)
        else:
            assert before is not None and tat == before
            assert before - (burst - 1) * interval > at
    for window in (interval, 3 * interval):
        assert most_in_a_window(granted, window) <= burst + math.floor(window / interval)
    if burst == 1:
        assert all(b - a >= interval - ROUNDING for a, b in itertools.pairwise(granted))


def test_a_slot_says_how_long_to_wait() -> None:
    assert Slot(start=105.5, now=100.0).wait == 5.5
    assert Slot(start=100.0, now=100.0).wait == 0.0
