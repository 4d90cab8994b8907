from hypothesis import given
from hypothesis import strategies as st

from bot.dexchange.tokens import group_digits, parse_codes


def test_single_documented_token() -> None:
    assert parse_codes("1283930093209223") == ["1283930093209223"]


def test_token_with_grouping_spaces_is_one_code() -> None:
    assert parse_codes("1283 9300 9320 9223") == ["1283930093209223"]


def test_three_sts_codes_separated_by_single_spaces() -> None:
    a, b, c = "1" * 20, "2" * 20, "3" * 20
    assert parse_codes(f"{a} {b} {c}") == [a, b, c]


def test_codes_glued_together_are_split_by_twenty() -> None:
    a, b = "12345678901234567890", "09876543210987654321"
    assert parse_codes(a + b) == [a, b]


def test_other_separators() -> None:
    a, b = "1" * 20, "2" * 20
    for sep in (",", ", ", " / ", ";", "\n", "|"):
        assert parse_codes(f"{a}{sep}{b}") == [a, b]


def test_absent_or_empty() -> None:
    assert parse_codes(None) == []
    assert parse_codes("") == []
    assert parse_codes("   ") == []


def test_list_and_number_inputs() -> None:
    assert parse_codes(["1" * 20, "2" * 20]) == ["1" * 20, "2" * 20]
    assert parse_codes(1283930093209223) == ["1283930093209223"]


def test_odd_text_is_kept() -> None:
    assert parse_codes("ABC-DEF") == ["ABC-DEF"]


def test_group_digits() -> None:
    assert group_digits("1283930093209223") == "1283 9300 9320 9223"
    assert group_digits("12345678901234567890") == "1234 5678 9012 3456 7890"
    assert group_digits("ABC") == "ABC"


@given(st.lists(st.text(alphabet="0123456789", min_size=20, max_size=20), min_size=1, max_size=5))
def test_any_list_of_sts_codes_round_trips(codes: list[str]) -> None:
    assert parse_codes(" ".join(codes)) == codes
    assert parse_codes(", ".join(group_digits(code) for code in codes)) == codes
