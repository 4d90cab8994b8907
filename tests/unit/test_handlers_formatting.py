"""How amounts, codes, dates and results look: `104 500 FCFA`, codes in groups of four."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.formatting import date_time, due_date, fcfa, grouped_code
from handlers.results import code_lines, render
from storage.models import OutboxKind, Payment, PaymentStatus, Service


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (104_500, "104 500 FCFA"),
        (0, "0 FCFA"),
        (10, "10 FCFA"),
        (999, "999 FCFA"),
        (1000, "1 000 FCFA"),
        (5050, "5 050 FCFA"),
        (500_000, "500 000 FCFA"),
        (1_000_000, "1 000 000 FCFA"),
        (-1045, "-1 045 FCFA"),
    ],
)
def test_fcfa(amount: int, shown: str) -> None:
    assert fcfa(amount) == shown


@given(st.integers(min_value=0, max_value=10**15))
def test_fcfa_groups_thousands_with_spaces(amount: int) -> None:
    shown = fcfa(amount)
    assert shown.endswith(" FCFA")
    groups = shown.removesuffix(" FCFA").split(" ")
    assert "".join(groups) == str(amount)
    assert 1 <= len(groups[0]) <= 3
    assert all(len(group) == 3 for group in groups[1:])


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("1283930093209223", "1283 9300 9320 9223"),
        ("54700132025616677062", "5470 0132 0256 1667 7062"),
        ("123456", "1234 56"),
        ("ABC-123", "ABC-123"),  # not digits: shown as sent
    ],
)
def test_grouped_code(code: str, shown: str) -> None:
    assert grouped_code(code) == shown


@given(st.text(alphabet="0123456789", min_size=1, max_size=60))
def test_grouped_code_keeps_every_digit_in_groups_of_four(code: str) -> None:
    groups = grouped_code(code).split(" ")
    assert "".join(groups) == code
    assert all(len(group) == 4 for group in groups[:-1])
    assert 1 <= len(groups[-1]) <= 4


def test_dates() -> None:
    assert due_date("2026-12-05") == "05/12/2026"
    assert due_date("2026-12-05T00:00:00Z") == "05/12/2026"
    assert due_date(None) == "—"
    assert due_date("fin du mois") == "fin du mois"
    dakar = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)
    assert date_time(dakar) == "20/03/2026 10:35"
    paris = dakar.astimezone(timezone(timedelta(hours=1)))
    assert date_time(paris) == "20/03/2026 10:35"  # shown in Dakar time (GMT)


def payment(service: Service, codes: list[str], **changes: object) -> Payment:
    moment = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)
    values: dict[str, object] = {
        "id": 7,
        "user_id": 1,
        "idempotency_key": "k",
        "service": service,
        "reference": "07061270877",
        "bill_reference": None,
        "holder_name": None,
        "due_date": None,
        "amount": 104_500,
        "fee": 1045,
        "total": 105_545,
        "external_id": "SP260320ABCDEF",
        "provider_tx_id": "TID483476478",
        "status": PaymentStatus.SUCCESS,
        "codes": codes,
        "provider_message": None,
        "provider_fee": None,
        "attempts": 1,
        "provider_has_it": True,
        "next_check_at": None,
        "checks": 0,
        "needs_attention": False,
        "created_at": moment,
        "updated_at": moment,
        "completed_at": moment,
    }
    values.update(changes)
    return Payment(**values)  # type: ignore[arg-type]


def test_several_codes_are_numbered_in_order() -> None:
    codes = ["54700132025616677062", "65841530695820369097", "13033792561797212311"]
    lines = code_lines("fr", codes)
    assert lines[1:] == [
        "1. 5470 0132 0256 1667 7062",
        "2. 6584 1530 6958 2036 9097",
        "3. 1303 3792 5617 9721 2311",
    ]
    assert "dans cet ordre" in lines[0]
    assert "in this order" in code_lines("en", codes)[0]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_woyofal_success_shows_code_amounts_transaction_and_time(language: str) -> None:
    text = render(
        OutboxKind.SUCCESS, payment(Service.WOYOFAL, ["1283930093209223"]), {}, language
    ).text
    lines = text.splitlines()
    assert "1283 9300 9320 9223" in lines  # alone on its line
    for shown in ("104 500 FCFA", "1 045 FCFA", "105 545 FCFA", "TID483476478", "20/03/2026 10:35"):
        assert shown in text


def test_bill_success_uses_the_provider_fee_when_known() -> None:
    paid = payment(
        Service.SENELEC, [], bill_reference="8000000680", provider_fee=1000, reference="210278816"
    )
    text = render(OutboxKind.SUCCESS, paid, {}, "fr").text
    assert "Facture : 8000000680" in text
    assert "Frais : 1 000 FCFA" in text
    assert "Total : 105 500 FCFA" in text


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ({"reason": "insufficient_balance"}, "Vous n'avez pas été débité."),
        ({"reason": "maintenance"}, "maintenance"),
        ({"reason": "bill_already_paid"}, "déjà payée"),
        ({"reason": "provider_failed", "refunded": True}, "remboursé"),
    ],
)
def test_failures_say_whether_the_user_was_charged(payload: dict[str, object], said: str) -> None:
    failed = payment(Service.SENELEC, [], status=PaymentStatus.FAILED)
    text = render(OutboxKind.FAILED, failed, payload, "fr").text
    assert said in text
    assert "105 545 FCFA" in text
    assert ("débité" in text) != ("remboursé" in text)


def test_unknown_outcome_is_not_a_failure() -> None:
    unknown = payment(Service.SENEAU, [], status=PaymentStatus.UNKNOWN)
    for language in ("fr", "en"):
        reply = render(OutboxKind.UNKNOWN, unknown, {}, language)
        assert "105 545 FCFA" in reply.text
        assert "❌" not in reply.text
