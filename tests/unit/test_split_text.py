"""Long texts cut into messages (bot.channels.base.split_text): every piece fits, nothing is
lost, cuts fall between lines whenever a line fits."""

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.base import length, split_text


def test_a_short_text_is_one_piece() -> None:
    assert split_text("a\nb", 10) == ["a\nb"]


def test_cuts_fall_between_lines() -> None:
    text = "\n".join(f"line {n:02d}" for n in range(10))  # 10 lines of 7
    pieces = split_text(text, 20)
    assert pieces == ["line 00\nline 01", "line 02\nline 03", *pieces[2:]]
    assert "\n".join(pieces) == text


def test_a_line_longer_than_a_message_is_cut_inside() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_wide_characters_count_as_the_platform_counts_them() -> None:
    pieces = split_text("🔎" * 6, 4, length)  # each counts two UTF-16 units
    assert pieces == ["🔎🔎", "🔎🔎", "🔎🔎"]


@given(
    st.lists(st.text(alphabet="ab 🔎é", max_size=30), min_size=1, max_size=40),
    st.integers(min_value=2, max_value=60),
)
def test_every_piece_fits_and_nothing_is_lost(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    pieces = split_text(text, limit, length)
    assert all(length(piece) <= limit for piece in pieces)
    assert all(piece.strip() for piece in pieces) or pieces == [text]
    # Every character but the new lines cut at (and blank pieces dropped) is kept, in order.
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )
