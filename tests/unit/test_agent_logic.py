"""Pure logic of the regulars' and agents' features: what users type (nicknames, client
labels, dates), the buttons under a result, the day's report as text, and receipts."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from handlers.receipts import receipt_data, receipt_reply
from handlers.reports import report_text, signed
from handlers.results import render, result_buttons
from handlers.validation import (
    LABEL_MAX_CHARS,
    NICKNAME_MAX_CHARS,
    parse_day,
    parse_label,
    parse_nickname,
)
from storage.day_report import DayReport, ServiceLine
from storage.models import OutboxKind, Role, Service
from tests.unit.test_handlers_formatting import payment


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Maison", "Maison"),
        ("  Boutique   Médina ", "Boutique Médina"),
        ("Maman 🏠", "Maman 🏠"),
        ("x" * 30, "x" * 30),
        ("x" * 31, None),
        ("", None),
        ("   ", None),
        ("/start", None),
        ("a\u200bb", None),  # a zero-width space hides what is shown
        ("two\nlines", "two lines"),
    ],
)
def test_nicknames(typed: str, expected: str | None) -> None:
    assert parse_nickname(typed) == expected


@given(st.text(max_size=300))
def test_labels_and_nicknames_are_one_clean_line_or_refused(text: str) -> None:
    for parse, limit in ((parse_label, LABEL_MAX_CHARS), (parse_nickname, NICKNAME_MAX_CHARS)):
        value = parse(text)
        if value is not None:
            assert 1 <= len(value) <= limit
            assert value == value.strip() and "\n" not in value and "  " not in value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-20", date(2026, 3, 20)),
        ("20/03/2026", date(2026, 3, 20)),
        (" 20-03-2026 ", date(2026, 3, 20)),
        ("2026-02-30", None),
        ("hier", None),
        ("2026-03-20T10:00", None),
        ("", None),
    ],
)
def test_report_dates(typed: str, expected: date | None) -> None:
    assert parse_day(typed) == expected


def payloads(rows: list[list[object]]) -> list[str]:
    return [button.payload for row in rows for button in row]  # type: ignore[attr-defined]


def test_buttons_under_a_result() -> None:
    woyofal = payment(Service.WOYOFAL, ["1283930093209223"], id=123_456_789_012)
    customer = result_buttons("fr", woyofal, OutboxKind.SUCCESS, Role.CUSTOMER)
    assert payloads(customer) == [  # type: ignore[arg-type]
        "g:again:123456789012",
        "g:rcpt:123456789012",
        "g:save:123456789012",
    ]
    agent = result_buttons("fr", woyofal, OutboxKind.SUCCESS, Role.AGENT)
    assert agent[0][0].label == "👤 Nouveau client" and agent[0][0].payload == "g:next:woyofal"
    failed = result_buttons("en", woyofal, OutboxKind.FAILED, Role.CUSTOMER)
    assert [[b.label for b in row] for row in failed] == [["🔁 Try again"]]
    bill = payment(Service.SENEAU, [])
    assert payloads(result_buttons("fr", bill, OutboxKind.FAILED, Role.AGENT)) == [  # type: ignore[arg-type]
        "g:next:seneau"
    ]
    reply = render(OutboxKind.SUCCESS, woyofal, {}, "fr", role=Role.AGENT)
    every = [b for row in reply.buttons for b in row]
    assert every[-1].payload == "g:menu"
    assert all(len(b.payload.encode()) <= 64 for b in every)


def test_a_client_label_shows_on_the_result() -> None:
    labelled = payment(Service.WOYOFAL, ["1283930093209223"], client_label="Fatou 77 123 45 67")
    text = render(OutboxKind.SUCCESS, labelled, {}, "fr").text
    assert "Client : Fatou 77 123 45 67" in text


REPORT = DayReport(
    day=date(2026, 3, 20),
    services=[
        ServiceLine(Service.SENELEC, 1, 104_500, 1045),
        ServiceLine(Service.WOYOFAL, 3, 15_000, 150),
    ],
    failed=1,
    open=0,
    opening=500_000,
    credits=50_000,
    payments=-120_695,
    closing=429_305,
    as_of=datetime(2026, 3, 20, 20, 0, tzinfo=UTC),
    confirmed=5,
)


def test_the_days_report_in_french_and_english() -> None:
    text = report_text("fr", REPORT, daily=True)
    assert text.splitlines()[0] == "🌙 Résumé de votre journée du 20/03/2026, à 20:00"
    for line in (
        "Facture Senelec : 1 paiement(s) · 104 500 FCFA · frais 1 045 FCFA",
        "Woyofal : 3 paiement(s) · 15 000 FCFA · frais 150 FCFA",
        "Total : 4 paiement(s) · 119 500 FCFA · frais 1 195 FCFA · débité 120 695 FCFA",
        "Échoués (rien débité) : 1 · En cours : 0",
        "Solde d'ouverture : 500 000 FCFA",
        "Crédits et corrections : +50 000 FCFA",
        "Paiements : -120 695 FCFA",
        "Solde à 20:00 : 429 305 FCFA",
    ):
        assert line in text.splitlines()
    over = report_text("en", replace(REPORT, as_of=None))
    assert over.splitlines()[0] == "📊 Day of 20/03/2026"
    assert "Closing balance: 429 305 FCFA" in over
    empty = report_text("fr", replace(REPORT, services=[]))
    assert "Aucun paiement réussi ce jour-là." in empty


def test_a_report_survives_the_outbox() -> None:
    assert DayReport.from_payload(REPORT.to_payload()) == REPORT
    assert REPORT.active and not DayReport(date(2026, 3, 20), [], 0, 0, 10, 0, 0, 10).active


@pytest.mark.parametrize(("amount", "shown"), [(5000, "+5 000 FCFA"), (0, "0 FCFA")])
def test_signed_amounts(amount: int, shown: str) -> None:
    assert signed(amount) == shown
    assert signed(-amount) == ("-" + shown[1:] if amount else shown)


def test_a_bill_receipt_has_holder_client_transaction_and_qr() -> None:
    bill = payment(
        Service.SENELEC,
        [],
        holder_name="Moussa DIOP",
        bill_reference="8000000680",
        client_label="771234567",
        reference="210278816",
    )
    data = receipt_data("fr", bill, "SenPay Médina")
    assert data.operator_name == "SenPay Médina"
    assert dict(data.lines) == {
        "Date": "20/03/2026 10:35",
        "Service": "Facture Senelec",
        "Référence": "210278816",
        "Titulaire": "Moussa DIOP",
        "Facture": "8000000680",
        "Client": "771234567",
        "Montant": "104 500 FCFA",
        "Frais": "1 045 FCFA",
        "Total": "105 545 FCFA",
        "Transaction": "TID483476478",
    }
    assert data.codes == [] and data.qr_payload == "TID483476478"


def test_a_woyofal_receipt_in_english_decodes_back_to_the_transaction() -> None:
    codes = ["54700132025616677062", "65841530695820369097"]
    top_up = payment(Service.WOYOFAL, codes)
    data = receipt_data("en", top_up, "SenPay")
    assert data.codes == ["5470 0132 0256 1667 7062", "6584 1530 6958 2036 9097"]
    assert data.codes_title == "Codes to type in this order"
    assert ("Meter", "07061270877") in data.lines
    reply = receipt_reply("en", top_up, "SenPay")
    assert reply.image is not None and reply.text.startswith("🧾 Receipt · Woyofal")
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(reply.image)))
    assert qr.text == "TID483476478"
