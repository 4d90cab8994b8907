"""Amounts an admin types for /credit, /debit and `python -m bot admin credit|debit`:
whole FCFA (the franc CFA has no minor unit), thousands grouped as people write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.accounts import (
    MAX_CREDIT,
    AccountError,
    parse_amount_argument,
    split_amount_and_note,
)
from handlers.i18n import t

SEPARATORS = [" ", "\u00a0", "\u202f", ".", "_"]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("2500", 2500), ("10 000", 10_000), ("10\u00a0000", 10_000), ("10\u202f000", 10_000),
     ("10.000", 10_000), ("10_000", 10_000), ("1 000 000", 1_000_000),
     ("1.000.000", 1_000_000), (" 2500 ", 2500), ("007", 7), ("1", 1),
     (str(MAX_CREDIT), MAX_CREDIT), ("0" * 5000 + "5", 5)],
)  # fmt: skip
def test_whole_amounts_are_read(text: str, amount: int) -> None:
    assert parse_amount_argument(text) == amount


@pytest.mark.parametrize(
    "text",
    ["1.5", "2500.50", "1,5", "2 500,50", "10,000", "2500,00", "10 00", "1 0000", "1000.000",
     "10 000.000", "10.000 000", "10 000 00"],
)  # fmt: skip
def test_decimals_and_odd_groups_are_refused_as_not_whole(text: str) -> None:
    with pytest.raises(AccountError) as refused:
        parse_amount_argument(text)
    assert refused.value.code == "admin.amount_not_whole"
    message = t("fr", refused.value.code, **refused.value.values)
    assert "pas de centimes" in message and text.strip() in message
    assert "no cents" in t("en", refused.value.code, **refused.value.values)


@pytest.mark.parametrize(
    "text",
    [
        "²",
        "٣٠٠٠",
        "１０００",
        "cinq",
        "-5",
        "+5",
        "5e3",
        "",
        "  ",
        "0",
        "0 000",
        "5 FCFA",
        "1._000",
    ],
)
def test_what_is_no_amount_is_refused(text: str) -> None:
    with pytest.raises(AccountError) as refused:
        parse_amount_argument(text)
    assert refused.value.code == "admin.bad_amount"


@pytest.mark.parametrize("text", [str(MAX_CREDIT + 1), "10 000 001", "9" * 5000])
def test_too_large_is_refused(text: str) -> None:
    with pytest.raises(AccountError) as refused:
        parse_amount_argument(text)
    assert refused.value.code == "admin.amount_too_large"


@given(st.text())
def test_any_text_is_an_amount_or_a_clear_refusal(text: str) -> None:
    try:
        amount = parse_amount_argument(text)
    except AccountError as refused:
        assert refused.code in {
            "admin.bad_amount",
            "admin.amount_not_whole",
            "admin.amount_too_large",
        }
        t("fr", refused.code, **refused.values)
        return
    assert 1 <= amount <= MAX_CREDIT
    assert amount == int("".join(c for c in text if c in "0123456789").lstrip("0"))


@given(st.integers(1, MAX_CREDIT), st.sampled_from(SEPARATORS))
def test_every_amount_written_in_groups_is_read_back(amount: int, separator: str) -> None:
    assert parse_amount_argument(str(amount)) == amount
    assert parse_amount_argument(f"{amount:,}".replace(",", separator)) == amount


@given(st.integers(0, 10**6), st.integers(1, 99), st.sampled_from([".", ","]))
def test_cents_are_never_read_as_francs(francs: int, cents: int, mark: str) -> None:
    for written in (f"{francs}{mark}{cents}", f"{francs}{mark}{cents:02d}"):
        with pytest.raises(AccountError):
            parse_amount_argument(written)


def test_the_amount_is_told_apart_from_the_note() -> None:
    assert split_amount_and_note(["10", "000", "versement", "espèces"]) == (
        "10 000",
        "versement espèces",
    )
    assert split_amount_and_note(["5000", "2024", "dépôt"]) == ("5000", "2024 dépôt")
    # A French decimal stays with its amount (to be refused), not with the note.
    assert split_amount_and_note(["2", "500,50", "dépôt"]) == ("2 500,50", "dépôt")
    assert split_amount_and_note(["1", "000.5"]) == ("1 000.5", None)
