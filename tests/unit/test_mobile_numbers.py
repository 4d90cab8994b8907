"""Mobile-money numbers as customers type them: the 9 national digits of a Senegalese
mobile line, whatever the spaces and the +221 / 00221 prefix; anything else refused."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from handlers.mobile_numbers import own_number, parse_mobile_number, shown_number
from storage.models import User

NINE = st.from_regex(r"7[0-9]{8}", fullmatch=True)
SEPARATORS = st.sampled_from(["", " ", "  ", "-", ".", "\u00a0"])


def written(number: str, separator: str) -> str:
    """771234567 → '77 123 45 67' with `separator` between the groups."""
    return separator.join([number[:2], number[2:5], number[5:7], number[7:]])


def test_the_forms_people_type() -> None:
    for text in [
        "771234567",
        "77 123 45 67",
        "77-123-45-67",
        "77.123.45.67",
        "+221 77 123 45 67",
        "+221771234567",
        "00221 77 123 45 67",
        "221771234567",
        " 77 123 45 67 ",
    ]:
        assert parse_mobile_number(text) == "771234567", text


def test_what_is_not_a_senegalese_mobile() -> None:
    for text in [
        "",
        "77123456",  # 8 digits
        "7712345678",  # 10 digits
        "338234567",  # a landline
        "+33 6 12 34 56 78",  # France
        "0033771234567",
        "+2217712345",
        "77 12x 45 67",
        "٧٧١٢٣٤٥٦٧",  # digits, but not ASCII ones
        "deux cents",
        "7" * 200,
    ]:
        assert parse_mobile_number(text) is None, text


@given(NINE, SEPARATORS, st.sampled_from(["", "+221", "00221", "+221 ", "00221 ", "221"]))
def test_any_spacing_and_prefix_reads_the_same_nine_digits(
    number: str, separator: str, prefix: str
) -> None:
    assert parse_mobile_number(prefix + written(number, separator)) == number


@given(st.text(max_size=60))
def test_anything_typed_is_nine_ascii_digits_starting_with_7_or_refused(text: str) -> None:
    found = parse_mobile_number(text)
    if found is not None:
        assert len(found) == 9 and found.isascii() and found.isdigit()
        assert found.startswith("7")
        assert found in "".join(ch for ch in text if ch.isdigit())


@given(NINE)
def test_shown_in_groups_and_read_back(number: str) -> None:
    shown = shown_number(number)
    assert shown == written(number, " ")
    assert parse_mobile_number(shown) == number


def user(phone: str | None) -> User:
    now = datetime(2026, 3, 20, tzinfo=UTC)
    return User(1, "whatsapp", "x", "x", None, "Awa", "fr", None, now, phone=phone)


def test_own_number_only_when_it_is_a_senegalese_mobile() -> None:
    assert own_number(user("221771234567")) == "771234567"
    assert own_number(user("221338234567")) is None  # a landline
    assert own_number(user("33612345678")) is None  # France
    assert own_number(user("22177123456")) is None
    assert own_number(user(None)) is None  # Telegram, or WhatsApp without a number
