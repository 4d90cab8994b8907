"""Codes past their retention: the expired form, raw bodies without codes, and how the bot
shows what is left (issue 12, item 7). Pure functions; hypothesis where inputs are open."""

import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bot.dexchange.tokens import parse_codes
from bot.services.receipts import render_receipt
from bot.settings import ConfigurationError, load_settings
from handlers.receipts import receipt_data
from handlers.results import code_lines, render
from storage.codes import expired_code, expired_last_four, is_expired_code, redact_body
from storage.models import OutboxKind, Payment
from tests.samples import sample_payment

MOMENT = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)
LONG_DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d){4,}")  # five digits or more, grouped or not

codes = st.text("0123456789", min_size=5, max_size=24)


@given(codes)
def test_the_expired_form_keeps_four_digits_and_is_never_a_code(code: str) -> None:
    expired = expired_code(code)
    assert is_expired_code(expired) and not is_expired_code(code)
    assert expired == f"EXPIRED:{code[-4:]}" and expired_last_four(expired) == code[-4:]
    assert expired_code(expired) == expired  # idempotent
    assert parse_codes(expired) == [expired]  # the token reader keeps it as text, not digits
    assert not expired.replace(":", "").isdigit()


def test_shown_expired_in_every_result_text() -> None:
    assert code_lines("fr", ["EXPIRED:9223"]) == ["Code expiré (se terminant par 9223)"]
    assert code_lines("en", ["EXPIRED:9223"]) == ["Expired code (ending in 9223)"]
    assert code_lines("fr", ["EXPIRED:7062", "EXPIRED:9097"]) == [
        "1. Code expiré (se terminant par 7062)",
        "2. Code expiré (se terminant par 9097)",
    ]
    assert code_lines("fr", ["1283930093209223"])[1] == "1283 9300 9320 9223"  # as before


def payment(codes: list[str]) -> Payment:
    return sample_payment(codes=codes)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_success_shown_again_after_expiry(language: str) -> None:
    text = render(OutboxKind.SUCCESS, payment(["EXPIRED:9223"]), {}, language).text
    assert ("se terminant par 9223" in text) or ("ending in 9223" in text)
    assert "EXPIRED" not in text and "taper" not in text and "to type" not in text


def test_the_receipt_says_the_code_expired_instead_of_drawing_it() -> None:
    data = receipt_data("fr", payment(["EXPIRED:9223"]), "SenPay")
    assert data.codes == [] and data.notes == ["Code expiré (se terminant par 9223)"]
    several = receipt_data("fr", payment(["EXPIRED:7062", "EXPIRED:9097"]), "SenPay")
    assert several.notes == [
        "1. Code expiré (se terminant par 7062)",
        "2. Code expiré (se terminant par 9097)",
    ]
    fresh = receipt_data("fr", payment(["1283930093209223"]), "SenPay")
    assert fresh.codes == ["1283 9300 9320 9223"] and fresh.notes == []
    # The note makes the receipt taller than no code at all, and it still renders.
    without = receipt_data("fr", payment([]), "SenPay")
    heights = [Image.open(io.BytesIO(render_receipt(d))).height for d in (data, without)]
    assert heights[0] > heights[1]


def test_raw_bodies_lose_their_tokens_in_any_key_case_and_depth() -> None:
    pay = {"message": "ok", "transaction": {"Token": "1283 9300 9320 9223", "amount": 5000}}
    assert json.loads(redact_body(json.dumps(pay)))["transaction"] == {
        "Token": "EXPIRED:9223",
        "amount": 5000,
    }
    callback = {"TOKEN": 12839300932092231234, "AMOUNT": "5000", "PHONE_NUMBER": "771234567"}
    assert json.loads(redact_body(json.dumps(callback))) == {
        "TOKEN": "EXPIRED:1234",
        "AMOUNT": "5000",
        "PHONE_NUMBER": "771234567",
    }
    listed = {"token": ["54700132025616677062", "65841530695820369097"]}
    assert json.loads(redact_body(json.dumps(listed))) == {
        "token": ["EXPIRED:7062", "EXPIRED:9097"]
    }
    untouched = '{"token": null, "Status": "PROCESSING"}'
    assert redact_body(untouched) == untouched  # byte for byte
    assert redact_body("token=1283930093209223&x=1") == "token=****9223&x=1"


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | codes,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["token", "TOKEN", "Token", "amount", "message"]), inner)
    ),
    max_leaves=12,
)


@given(json_values)
def test_redaction_is_idempotent_and_leaves_no_token_digits(value: Any) -> None:
    body = json.dumps(value)
    once = redact_body(body)
    assert redact_body(once) == once

    def tokens(found: Any, inside: bool = False) -> list[str]:
        if isinstance(found, dict):
            return [t for k, v in found.items() for t in tokens(v, inside or k.lower() == "token")]
        if isinstance(found, list):
            return [t for item in found for t in tokens(item, inside)]
        return [str(found)] if inside and found is not None else []

    for token in tokens(json.loads(once)):
        assert LONG_DIGIT_RUN.search(token) is None, token


def test_retention_days_default_to_90_and_are_at_least_one() -> None:
    assert load_settings(_env_file=None).RETENTION_DAYS == 90
    assert load_settings(_env_file=None, RETENTION_DAYS="7").RETENTION_DAYS == 7
    with pytest.raises(ConfigurationError, match="RETENTION_DAYS"):
        load_settings(_env_file=None, RETENTION_DAYS=0)
