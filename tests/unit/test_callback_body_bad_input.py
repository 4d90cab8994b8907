"""A DEXCHANGE callback body is read, or refused with ValueError (answered 400): nothing
else may escape, whatever JSON it holds."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dexchange.models import CallbackBody
from bot.services import callback_urls

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities too: Python's JSON reads and writes them
    | st.text(max_size=30)
    | st.sampled_from(["1e400", "-inf", "Infinity", "nan", "5 000", "5000.0", "1e13", "٣"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
KEYS = st.sampled_from(["AMOUNT", "fee", "TOKEN", "STATUS", "id", "externalTransactionId"])


def read(raw: dict[str, Any]) -> CallbackBody | None:
    try:
        body = CallbackBody.parse(raw)
    except ValueError:
        return None
    assert isinstance(body.codes, list)  # what the service reads next: no error either
    return body


@settings(deadline=None)  # a shared CI machine: time is not what this checks
@given(st.dictionaries(KEYS, JSON), st.dictionaries(KEYS, JSON))
def test_any_json_is_read_or_refused_with_value_error(top: dict[str, Any], inner: Any) -> None:
    read({**top, "STATUS": top.get("STATUS", "SUCCESS")})
    read({"STATUS": "SUCCESS", "transaction": inner})
    read(json.loads(json.dumps(top)))  # what went through the wire


@pytest.mark.parametrize(
    "amount", ["1e400", 1e400, -1e400, "inf", "-inf", "nan", float("nan"), True, [5000],
               10**12 + 1, "10000000000000", 1e13, "5000.5", 0.5, "cinq", {"v": 1}],
)  # fmt: skip
def test_amounts_that_are_no_amount_are_refused(amount: object) -> None:
    raw = {"STATUS": "SUCCESS", "id": "TID1", "AMOUNT": amount}
    if isinstance(amount, dict):
        assert CallbackBody.parse(raw).amount is None  # objects are not read as fields
    else:
        with pytest.raises(ValueError):
            CallbackBody.parse(raw)


@pytest.mark.parametrize(
    ("amount", "read_as"),
    [(5000, 5000), ("5000", 5000), ("5 000", 5000), ("5\u202f000", 5000), (5000.0, 5000),
     ("5000.0", 5000), (" 12 ", 12), (10**12, 10**12), ("", None), (None, None)],
)  # fmt: skip
def test_amounts_as_dexchange_writes_them_are_read(amount: object, read_as: int | None) -> None:
    body = CallbackBody.parse({"STATUS": "SUCCESS", "AMOUNT": amount, "fee": amount})
    assert body.amount == read_as and body.fee == read_as


def test_a_nested_token_is_refused_at_any_depth() -> None:
    for depth in (2, 3, 900):
        token: object = "9" * 20
        for _ in range(depth):
            token = [token]
        with pytest.raises(ValueError):
            CallbackBody.parse({"STATUS": "SUCCESS", "TOKEN": token})
    flat = CallbackBody.parse({"STATUS": "SUCCESS", "TOKEN": ["1" * 20, int("2" * 20)]})
    assert flat.codes == ["1" * 20, "2" * 20]


@given(st.text())
def test_any_signature_is_verified_without_error(given_signature: str) -> None:
    assert callback_urls.verify("secret", "SP1", given_signature) is False
    good = callback_urls.signature("secret", "SP1")
    assert callback_urls.verify("secret", "SP1", good)
