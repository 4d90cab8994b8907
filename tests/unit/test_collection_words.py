"""Pure pieces of the collection service: DEXCHANGE's status words and phone numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.collections import collection_status, same_number
from storage.models import CollectionStatus

C = CollectionStatus


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("SUCCESS", C.SUCCESS),
        (" successful ", C.SUCCESS),
        ("FAILED", C.FAILED),
        ("Cancelled", C.CANCELLED),
        ("CANCELED", C.CANCELLED),
        ("EXPIRED", C.EXPIRED),
        ("PENDING", C.PENDING),
        ("PROCESSING", C.PENDING),
        ("REFUNDED", None),  # not a collection's word: nothing is assumed from it
        ("", None),
        (None, None),
    ],
)
def test_status_words(word: str | None, status: CollectionStatus | None) -> None:
    assert collection_status(word) is status


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits, st.sampled_from(["", "221", "+221", "00221", "0", "+221 "]))
def test_a_number_with_a_country_code_or_spaces_is_the_same(number: str, prefix: str) -> None:
    assert same_number(prefix + number, number)
    spaced = f"{number[:2]} {number[2:5]} {number[5:7]} {number[7:]}"
    assert same_number(prefix + spaced, number)


@given(nine_digits, nine_digits)
def test_another_number_is_not_the_same(a: str, b: str) -> None:
    assert same_number(a, b) == (a == b)


def test_a_short_number_is_never_the_same() -> None:
    assert not same_number("70000000", "770000000")
    assert not same_number("", "770000000")
