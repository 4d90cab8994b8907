"""Reading references and amounts: whatever is typed, no crash, and what is accepted is sane."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handlers.validation import (
    REFERENCE_EXAMPLES,
    REFERENCE_MAX_DIGITS,
    REFERENCE_MIN_DIGITS,
    amount_readings,
    check_amount,
    parse_amount,
    parse_reference,
    reference_has_letters,
)
from storage.models import Service

MIN, MAX = 1000, 500_000

# Text a user may type: any unicode, and text made of what references and amounts are made of.
typed = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789 .,-/'\u00a0\u202fFfCcAaXxOo٠١٢३", max_size=40),
)


@given(typed)
@example("")
@example("٢١٠٢٧٨٨١٦")  # Arabic-Indic digits: isdigit() but not ASCII
@example("²¹⁰²⁷⁸⁸¹⁶")  # superscripts: isdigit() too
@example("1" * 10_000)
def test_reference_accepted_only_as_ascii_digits_of_sane_length(text: str) -> None:
    reference = parse_reference(text)
    if reference is not None:
        assert reference.isascii() and reference.isdigit()
        assert REFERENCE_MIN_DIGITS <= len(reference) <= REFERENCE_MAX_DIGITS
        # Nothing but separators was dropped: the digits are the ones typed, in order.
        assert reference == "".join(ch for ch in text if ch.isascii() and ch.isdigit())


@given(st.text(alphabet="0123456789", min_size=REFERENCE_MIN_DIGITS, max_size=REFERENCE_MAX_DIGITS))
def test_any_reference_of_sane_length_is_accepted_with_its_leading_zeros(digits: str) -> None:
    assert parse_reference(digits) == digits
    assert parse_reference(f"  {digits}\n") == digits


@given(
    st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=2, max_size=5),
    st.sampled_from([" ", "-", ".", "/"]),
)
def test_reference_separators_are_forgiven(parts: list[str], separator: str) -> None:
    digits = "".join(parts)
    expected = digits if REFERENCE_MIN_DIGITS <= len(digits) <= REFERENCE_MAX_DIGITS else None
    assert parse_reference(separator.join(parts)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("210278816", "210278816"),
        ("07061270877", "07061270877"),
        ("210 278 816", "210278816"),
        ("210-278-816", "210278816"),
        ("12345", None),  # too short
        ("1" * 21, None),  # too long
        ("abcdefgh", None),
        ("07O61270877", None),  # a letter O among the digits
        ("+221771234567", None),
        ("21027881 6; DROP TABLE payments", None),
    ],
)
def test_reference_examples(text: str, expected: str | None) -> None:
    assert parse_reference(text) == expected


@given(typed)
@example("9" * 13)
@example("1.000.000.000.000")
def test_amount_parsing_never_crashes_and_accepted_amounts_are_in_bounds(text: str) -> None:
    amount = parse_amount(text)
    if amount is not None:
        assert amount >= 0
        assert len(str(amount)) <= 12
    problem = check_amount(amount, MIN, MAX)
    if problem is None:
        assert amount is not None and MIN <= amount <= MAX
    else:
        assert problem.reason in ("not_a_number", "too_small", "too_large")


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_whole_amounts_are_read_in_every_usual_way(amount: int) -> None:
    spaced = f"{amount:,}".replace(",", " ")
    for text in (
        str(amount),
        spaced,
        f"{amount:,}".replace(",", "."),
        f"{amount:,}",
        f"{amount} F",
        f"{amount}fcfa",
        f"{spaced} FCFA",
        f"{amount:,}".replace(",", "\u202f"),  # narrow no-break space, as phones type it
    ):
        assert parse_amount(text) == amount, text


@pytest.mark.parametrize(
    "text",
    [
        "5000",
        "5 000",
        "5.000",
        "5,000",
        "5000 F",
        "5000fcfa",
        "5000 f cfa",
        "5000 XOF",
        "5000 francs",
        " 5 000 FCFA ",
    ],
)
def test_amount_formats_of_the_issue(text: str) -> None:
    assert parse_amount(text) == 5000


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1500.5",
        "12,50",
        "5.00",
        "-5000",
        "+5000",
        "cinq mille",
        "5000 dollars",
        "5e3",
        "0x1388",
        "5 000 000 000 000",
        "５０００",
    ],
)
def test_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


@given(st.integers(min_value=-(10**6), max_value=10**7))
def test_amount_bounds(amount: int) -> None:
    problem = check_amount(amount, MIN, MAX)
    if amount < MIN:
        assert problem is not None and problem.reason == "too_small"
    elif amount > MAX:
        assert problem is not None and problem.reason == "too_large"
    else:
        assert problem is None


# --- the amount step: every form the issue lists, accepted or asked about (issue 16) -------

SEPARATORS = ["", " ", ".", ",", "\u00a0", "\u202f"]
CURRENCIES = ["", "f", "F", " F", "fcfa", " FCFA", " F CFA", " f cfa", " frs", " francs", " XOF"]


def grouped_by(amount: int, separator: str) -> str:
    return f"{amount:,}".replace(",", separator)


@given(
    st.integers(min_value=MIN, max_value=MAX),
    st.sampled_from(SEPARATORS),
    st.sampled_from(CURRENCIES),
    st.sampled_from(["", " ", "  "]),
)
def test_every_accepted_form_is_the_amount_at_the_amount_step(
    amount: int, separator: str, currency: str, padding: str
) -> None:
    typed = f"{padding}{grouped_by(amount, separator)}{currency}{padding}"
    assert parse_amount(typed) == amount, typed
    assert check_amount(parse_amount(typed), MIN, MAX, typed) is None, typed


@given(
    st.integers(min_value=0, max_value=99_999),
    st.text(alphabet="0123456789", min_size=1, max_size=2),
    st.sampled_from([",", "."]),
    st.sampled_from(CURRENCIES),
)
def test_a_decimal_is_asked_about_with_its_readings_never_taken(
    whole: int, fraction: str, mark: str, currency: str
) -> None:
    typed = f"{whole}{mark}{fraction}{currency}"
    assert parse_amount(typed) is None, typed  # never paid as typed
    problem = check_amount(None, MIN, MAX, typed)
    assert problem is not None and problem.reason.startswith("unclear."), typed
    assert all(MIN <= reading <= MAX for reading in problem.readings)
    assert problem.reason == {0: "unclear.none", 1: "unclear.one"}.get(
        len(problem.readings), "unclear.two"
    )
    thousands = whole * 1000 + int(fraction.ljust(3, "0"))
    if whole < 1000 and MIN <= thousands <= MAX:
        assert problem.readings[0] == thousands, typed  # "5,5": five and a half thousand
    if MIN <= whole <= MAX:
        assert whole in problem.readings, typed  # or the whole francs typed


@given(
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["k", "K", " k", " mille", " milles", "k fcfa", " mille francs"]),
)
def test_thousands_in_words_are_asked_about(thousands: int, word: str) -> None:
    typed = f"{thousands}{word}"
    assert parse_amount(typed) is None
    problem = check_amount(None, MIN, MAX, typed)
    assert problem is not None
    assert problem.readings == ((thousands * 1000,) if thousands * 1000 <= MAX else ())


@pytest.mark.parametrize(
    ("typed", "reason", "readings"),
    [
        ("5,5", "unclear.one", (5500,)),
        ("1.5", "unclear.one", (1500,)),
        ("5.5", "unclear.one", (5500,)),
        ("5k", "unclear.one", (5000,)),
        ("12,50", "unclear.one", (12500,)),
        ("1500.5", "unclear.one", (1500,)),
        ("0,5", "unclear.none", ()),
        ("cinq mille", "not_a_number", ()),
        ("-5000", "not_a_number", ()),
        ("5000 dollars", "not_a_number", ()),
    ],
)
def test_refused_forms_of_the_issue(typed: str, reason: str, readings: tuple[int, ...]) -> None:
    assert parse_amount(typed) is None
    problem = check_amount(None, MIN, MAX, typed)
    assert problem is not None and (problem.reason, problem.readings) == (reason, readings)


def test_two_readings_when_both_can_be_paid() -> None:
    problem = check_amount(None, 1, MAX, "5,5")
    assert problem is not None and problem.reason == "unclear.two"
    assert problem.readings == (5500, 5)


@given(typed)
def test_an_unclear_form_is_never_also_an_amount(text: str) -> None:
    assert parse_amount(text) is None or amount_readings(text) == ()


@pytest.mark.parametrize(
    "text", ["0706 1270 877", "0706-1270-877", "0706.1270.877", "0706\u00a01270\u202f877"]
)
def test_separators_inside_a_meter_number_are_ignored(text: str) -> None:
    assert parse_reference(text) == "07061270877"


@pytest.mark.parametrize(
    ("text", "letters"),
    [("07O61270877", True), ("SN-07061270877", True), ("0706 1270 877", False), ("+221 77", False)],
)
def test_letters_in_a_reference_are_told_apart(text: str, letters: bool) -> None:
    assert parse_reference(text) is None or not letters
    assert reference_has_letters(text) is letters


def test_every_service_has_a_valid_example() -> None:
    assert set(REFERENCE_EXAMPLES) == {service.facts.key for service in Service}
    for shown in REFERENCE_EXAMPLES.values():
        assert parse_reference(shown) is not None
