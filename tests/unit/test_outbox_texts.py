"""Every message the outbox can carry has its text in every language (issue 12, item 4).

A kind or a failure reason without catalogue text used to make rendering raise, and the
notifier then retried that message forever while the user's later messages (codes included)
waited behind it. This walks the enums, so a kind or reason added later without its texts
fails here rather than in a customer's queue.
"""

from datetime import UTC, datetime

import pytest

from handlers.i18n import CATALOGS, LANGUAGES
from handlers.outbox import OutboxRenderer
from storage.models import (
    FailureReason,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Payment,
    PaymentStatus,
    Role,
    Service,
    User,
)
from tests.samples import sample_payment

MOMENT = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)

# The status a payment has when a message of each kind is written for it.
STATUS_OF = {
    OutboxKind.PROCESSING: PaymentStatus.PROCESSING,
    OutboxKind.CODE_PENDING: PaymentStatus.SUCCESS,
    OutboxKind.SUCCESS: PaymentStatus.SUCCESS,
    OutboxKind.FAILED: PaymentStatus.FAILED,
    OutboxKind.UNKNOWN: PaymentStatus.UNKNOWN,
    OutboxKind.DELAYED: PaymentStatus.UNKNOWN,
    OutboxKind.NOTICE: PaymentStatus.SUCCESS,
    OutboxKind.RECEIPT: PaymentStatus.SUCCESS,
}


def payment_of(service: Service, status: PaymentStatus) -> Payment:
    woyofal = service is Service.WOYOFAL
    success = status is PaymentStatus.SUCCESS
    return sample_payment(
        service=service,
        reference="07061270877" if woyofal else "210278816",
        bill_reference=None if woyofal else "8000000680",
        holder_name=None if woyofal else "Moussa DIOP",
        status=status,
        codes=["1283930093209223"] if woyofal and success else [],
        provider_message="Refus",
        completed_at=MOMENT if status.is_final else None,
    )


def sample_user(language: str, role: Role) -> User:
    return User(
        id=1,
        channel="telegram",
        external_id="42",
        chat_id="42",
        username="awa",
        display_name="Awa",
        language=language,
        undeliverable_at=None,
        created_at=MOMENT,
        role=role,
    )


def message(kind: OutboxKind, payload: dict[str, object]) -> OutboxMessage:
    return OutboxMessage(
        id=1,
        user_id=1,
        payment_id=7,
        kind=kind,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=MOMENT,
        created_at=MOMENT,
        sent_at=None,
    )


def payloads(kind: OutboxKind) -> list[dict[str, object]]:
    if kind is OutboxKind.FAILED:
        return [
            {"reason": reason.value, "refunded": refunded}
            for reason in FailureReason
            for refunded in (False, True)
        ]
    if kind is OutboxKind.NOTICE:
        return [
            {"text": "Bonjour"},
            {"key": "wallet.credited", "amount": 5000, "balance": 9000, "note": ""},
        ]
    return [{}]


@pytest.fixture(scope="module")
def renderer() -> OutboxRenderer:
    # The renderer the notifier calls, as the composition root builds it.
    return OutboxRenderer("fr", "SenPay")


@pytest.mark.parametrize("reason", list(FailureReason))
def test_every_failure_reason_has_its_text_in_every_language(reason: FailureReason) -> None:
    for language in LANGUAGES:
        assert f"result.failed.{reason.value}" in CATALOGS[language], (language, reason)


@pytest.mark.parametrize("kind", list(OutboxKind))
@pytest.mark.parametrize("service", list(Service))
@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
def test_every_kind_renders_in_every_language(
    renderer: OutboxRenderer, kind: OutboxKind, service: Service, role: Role
) -> None:
    payment = payment_of(service, STATUS_OF[kind])
    for payload in payloads(kind):
        texts = {}
        for language in LANGUAGES:
            reply = renderer(message(kind, payload), payment, sample_user(language, role))
            assert reply.text.strip(), (kind, payload, language)
            texts[language] = reply.text
        if kind is not OutboxKind.NOTICE or "key" in payload:
            # Each language has its own words (a text missing there would fall back to French).
            assert texts["fr"] != texts["en"] != texts["wo"] != texts["fr"], (kind, payload)


@pytest.mark.parametrize("language", LANGUAGES)
def test_code_pending_says_paid_and_the_code_will_come_here(
    renderer: OutboxRenderer, language: str
) -> None:
    payment = payment_of(Service.WOYOFAL, PaymentStatus.SUCCESS)
    reply = renderer(
        message(OutboxKind.CODE_PENDING, {}), payment, sample_user(language, Role.CUSTOMER)
    )
    assert "07061270877" in reply.text and "5 000 FCFA" in reply.text
    assert reply.text.startswith("✅")
    here = {"fr": "ici", "en": "here", "wo": "fii"}[language]
    assert ("Senelec" in reply.text) and (here in reply.text)
