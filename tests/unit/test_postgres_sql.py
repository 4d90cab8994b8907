"""The pure parts of the PostgreSQL backend: one SQL text for both backends."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from storage.postgres import _numeric, _positional, _rows_changed, to_postgres


def test_placeholders_are_numbered_outside_quoted_text() -> None:
    sql = "SELECT * FROM t WHERE a = ? AND b LIKE '?%' AND c IN (?, ?) ESCAPE '\\'"
    assert to_postgres(sql) == (
        "SELECT * FROM t WHERE a = $1 AND b LIKE '?%' AND c IN ($2, $3) ESCAPE '\\'"
    )


@given(st.lists(st.sampled_from(["a", " ", "?", "'x'", "=", ","]), max_size=30))
def test_every_placeholder_outside_quotes_gets_the_next_number(parts: list[str]) -> None:
    sql = "".join(parts)
    translated = to_postgres(sql)
    expected = sum(1 for part in parts if part == "?")
    assert [f"${n}" in translated for n in range(1, expected + 1)] == [True] * expected
    assert f"${expected + 1}" not in translated


def test_command_tags_give_the_rows_changed() -> None:
    assert _rows_changed("UPDATE 3") == 3
    assert _rows_changed("INSERT 0 1") == 1
    assert _rows_changed("CREATE TABLE") == 0


def test_sums_of_whole_francs_stay_ints() -> None:
    assert _numeric("104500") == 104_500 and isinstance(_numeric("104500"), int)
    assert _numeric("-5") == -5
    assert _numeric("2.5") == Decimal("2.5")


def test_a_nul_in_a_text_parameter_becomes_a_replacement_character() -> None:
    assert _positional(("a\x00b", 5, None)) == ("a\ufffdb", 5, None)
    same = ("plain", 1)
    assert _positional(same) is same  # the common case copies nothing
