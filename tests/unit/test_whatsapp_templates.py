"""What an outbox message says as a WhatsApp template, where free text may not go
(handlers.outbox.OutboxRenderer.template), and the registry of the approved templates
(bot/channels/whatsapp/templates.py) that README.md lists for the operator.

Every kind of message, for every service, language and role, gives a template whose
parameters are as many as its text takes and each one line that Meta accepts.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp.templates import TEMPLATES, by_name, template_body
from handlers.i18n import LANGUAGES, TEMPLATE_LANGUAGES, t
from handlers.outbox import OutboxRenderer
from handlers.types import TemplateKind, TemplateMessage
from storage.codes import expired_code
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
from tests.whatsapp_wire import problems

MOMENT = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)
README = Path(__file__).resolve().parents[2] / "README.md"
CODES = ["12839300932092231234", "56781234567812345678", "90123456789012345678"]
NOTE = ("Versement espèces, agence Médina,\treçu n° 2026-03-20-0042.    " * 4)[:200]
LANGUAGE_CODES = {"fr": "fr", "en": "en"}
NAMES = {template.kind: template.name for template in TEMPLATES.values()}

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
NOTICES: list[dict[str, Any]] = [
    {"text": "Bonjour"},
    {"text": ""},
    {"text": "\n\n  Deux\tlignes   avec      des blancs\net une autre"},
    {"key": "wallet.credited", "amount": 25_000, "balance": 325_000, "note": NOTE},
    {"key": "admin.attention", "id": 42, "ref": "SP260320ABCDEF", "reason": NOTE},
]


def user_of(language: str, role: Role = Role.CUSTOMER) -> User:
    return User(
        1, "whatsapp", "221770000000", "221770000000", None, "Awa", language, None, MOMENT, role
    )


def message(kind: OutboxKind, payload: dict[str, Any] | None = None) -> OutboxMessage:
    return OutboxMessage(
        1, 1, 7, kind, payload or {}, OutboxStatus.PENDING, 0, MOMENT, MOMENT, None
    )


def payment_of(service: Service, status: PaymentStatus, **changes: Any) -> Payment:
    woyofal = service is Service.WOYOFAL
    values: dict[str, Any] = {
        "service": service,
        "reference": "07061270877" if woyofal else "210278816",
        "amount": 500_000 if woyofal else 104_500,
        "fee": 5000 if woyofal else 1045,
        "status": status,
        "codes": CODES[:1] if woyofal and status is PaymentStatus.SUCCESS else [],
        "client_label": "Mamadou Lamine Diallo · 77 123 45 67",
    }
    return sample_payment(**{**values, **changes})


def payloads(kind: OutboxKind) -> list[dict[str, Any]]:
    if kind is OutboxKind.FAILED:
        return [
            {"reason": reason.value, "refunded": refunded}
            for reason in FailureReason
            for refunded in (False, True)
        ]
    if kind is OutboxKind.SUCCESS:
        return [{}, {"late": True, "redebited": 505_000}, {"late": True}]
    if kind is OutboxKind.NOTICE:
        return NOTICES
    return [{}]


def assert_acceptable(template: TemplateMessage, language: str) -> None:
    """In its user's template language, as many parameters as the template's text takes,
    each one line Meta accepts."""
    language = TEMPLATE_LANGUAGES[language]
    assert template.language == language
    assert len(template.parameters) == TEMPLATES[template.kind].parameters
    for parameter in template.parameters:
        assert parameter.strip() == parameter and parameter, template
        assert "\n" not in parameter and "\t" not in parameter and "    " not in parameter
    body = template_body(template, NAMES[template.kind], LANGUAGE_CODES)
    assert problems(body) == []
    filled = TEMPLATES[template.kind].fill(language, template.parameters)
    assert len(filled) <= 1024  # a template's body, parameters in place


# --- the registry ------------------------------------------------------------------------------


def test_the_registry_holds_the_three_templates_in_both_languages() -> None:
    counts = {kind: template.parameters for kind, template in TEMPLATES.items()}
    assert counts == {TemplateKind.CODE: 4, TemplateKind.RESULT: 4, TemplateKind.NOTICE: 1}
    assert {name: template.kind for name, template in by_name().items()} == {
        "senpay_code": TemplateKind.CODE,
        "senpay_payment_result": TemplateKind.RESULT,
        "senpay_notice": TemplateKind.NOTICE,
    }
    assert set(TEMPLATE_LANGUAGES) == set(LANGUAGES)  # every language has its templates
    for template in TEMPLATES.values():
        assert set(template.texts) == set(TEMPLATE_LANGUAGES.values()) == {"fr", "en"}


def test_settings_may_rename_the_templates() -> None:
    names = by_name({TemplateKind.CODE: "recharge_code_v2"})
    assert set(names) == {"recharge_code_v2", "senpay_payment_result", "senpay_notice"}


def test_readme_gives_the_operator_the_same_texts() -> None:
    section = README.read_text(encoding="utf-8").split("### WhatsApp templates", 1)[1]
    section = section.split("\n## ", 1)[0]
    for template in TEMPLATES.values():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{template.name}`"))
        assert row.split("|")[2].strip().startswith(str(template.parameters))
        for text in template.texts.values():
            assert f" {text} |" in row, (template.name, text)


def test_a_body_is_as_meta_reads_it() -> None:
    message = TemplateMessage(TemplateKind.NOTICE, "en", ("Hello *Awa* _x_",))
    assert template_body(message, "senpay_notice", {"fr": "fr", "en": "en_US"}) == {
        "type": "template",
        "template": {
            "name": "senpay_notice",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Hello ∗Awa∗ ˍxˍ"}]}
            ],
        },
    }


def test_a_body_with_the_wrong_count_is_refused() -> None:
    with pytest.raises(ValueError, match="2 parameters"):
        template_body(TemplateMessage(TemplateKind.NOTICE, "fr", ("a", "b")), "n", {})


# --- every message as a template ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
@pytest.mark.parametrize("service", list(Service))
@pytest.mark.parametrize("kind", list(OutboxKind))
def test_every_message_has_its_template(
    kind: OutboxKind, service: Service, role: Role, language: str
) -> None:
    renderer = OutboxRenderer("fr", "SenPay")
    user = user_of(language, role)
    for codes in ([], CODES[:1], CODES):
        if codes and service is not Service.WOYOFAL:
            continue
        payment = payment_of(service, STATUS_OF[kind], codes=codes)
        for payload in payloads(kind):
            template = renderer.template(message(kind, payload), payment, user)
            assert_acceptable(template, language)
            code = kind is OutboxKind.SUCCESS and bool(codes)
            expected = {
                OutboxKind.NOTICE: TemplateKind.NOTICE,
                OutboxKind.RECEIPT: TemplateKind.NOTICE,
            }
            assert template.kind is (
                TemplateKind.CODE if code else expected.get(kind, TemplateKind.RESULT)
            )
    template = renderer.template(message(kind, {"text": "Bonjour"}), None, user)  # no payment
    assert template.kind is TemplateKind.NOTICE
    assert_acceptable(template, language)


def test_a_code_gives_meter_code_amount_and_transaction() -> None:
    payment = payment_of(Service.WOYOFAL, PaymentStatus.SUCCESS, codes=["1283930093209223"])
    template = OutboxRenderer().template(message(OutboxKind.SUCCESS), payment, user_of("fr"))
    assert template == TemplateMessage(
        TemplateKind.CODE,
        "fr",
        ("07061270877", "1283 9300 9320 9223", "500 000 FCFA", "TID483476478"),
    )


def test_several_codes_go_numbered_on_one_line() -> None:
    payment = payment_of(
        Service.WOYOFAL, PaymentStatus.SUCCESS, codes=CODES[:2], provider_tx_id=None
    )
    template = OutboxRenderer().template(message(OutboxKind.SUCCESS), payment, user_of("en"))
    assert template.parameters[1] == "1) 1283 9300 9320 9223 1234, 2) 5678 1234 5678 1234 5678"
    assert template.parameters[3] == "SP260320ABCDEF"  # no DEXCHANGE id: ours


def test_an_expired_code_says_what_is_left_of_it() -> None:
    codes = [expired_code("1283930093209223")]
    payment = payment_of(Service.WOYOFAL, PaymentStatus.SUCCESS, codes=codes)
    template = OutboxRenderer().template(message(OutboxKind.SUCCESS), payment, user_of("fr"))
    assert template.parameters[1] == t("fr", "code.expired", last4="9223")


OUTCOMES = [
    (OutboxKind.SUCCESS, Service.SENELEC, {}, "payé", "paid"),
    (OutboxKind.SUCCESS, Service.SENEAU, {"late": True}, "payé finalement", "paid after all"),
    (OutboxKind.SUCCESS, Service.WOYOFAL, {}, "payé, le code arrive", "paid, code on its way"),
    (OutboxKind.CODE_PENDING, Service.WOYOFAL, {}, "payé, le code arrive", "paid, code on its way"),
    (OutboxKind.PROCESSING, Service.WOYOFAL, {}, "accepté, le code arrive", "accepted, code on"),
    (
        OutboxKind.FAILED,
        Service.SENELEC,
        {},
        "non abouti, vous n'avez pas été débité",
        "failed, you",
    ),
    (
        OutboxKind.FAILED,
        Service.WOYOFAL,
        {"refunded": True},
        "non abouti, le montant",
        "failed, the",
    ),
    (OutboxKind.UNKNOWN, Service.SENEAU, {}, "en cours de vérification", "being checked"),
    (OutboxKind.DELAYED, Service.SENELEC, {}, "en cours de vérification", "being checked"),
]


@pytest.mark.parametrize(("kind", "service", "payload", "fr", "en"), OUTCOMES)
def test_a_result_says_its_outcome_in_words(
    kind: OutboxKind, service: Service, payload: dict[str, Any], fr: str, en: str
) -> None:
    payment = payment_of(service, STATUS_OF[kind], codes=[])
    for language, words in (("fr", fr), ("en", en)):
        template = OutboxRenderer().template(message(kind, payload), payment, user_of(language))
        assert template.kind is TemplateKind.RESULT
        name, total, reference, outcome = template.parameters
        assert name == t(language, f"biller.{service.value}")
        assert (total, reference) == (
            f"{payment.total:,} FCFA".replace(",", " "),
            payment.reference,
        )
        assert outcome.startswith(words)


def test_a_result_reads_well_in_its_template() -> None:
    payment = payment_of(Service.SENELEC, PaymentStatus.SUCCESS, codes=[])
    template = OutboxRenderer().template(message(OutboxKind.SUCCESS), payment, user_of("fr"))
    assert TEMPLATES[TemplateKind.RESULT].fill("fr", template.parameters) == (
        "Votre paiement Senelec de 105 545 FCFA pour la référence 210278816 : payé. "
        "Répondez à ce message pour voir le détail."
    )


def test_a_receipt_is_said_ready() -> None:
    payment = payment_of(Service.WOYOFAL, PaymentStatus.SUCCESS)
    for language, words in (("fr", "est prêt"), ("en", "is ready")):
        template = OutboxRenderer().template(
            message(OutboxKind.RECEIPT), payment, user_of(language)
        )
        assert template.kind is TemplateKind.NOTICE
        assert words in template.parameters[0] and "07061270877" in template.parameters[0]


def test_a_notice_is_summed_up_by_its_first_line() -> None:
    renderer = OutboxRenderer()
    payload = {"key": "admin.attention", "id": 42, "ref": "SP1", "reason": "code absent"}
    template = renderer.template(message(OutboxKind.NOTICE, payload), None, user_of("fr"))
    assert template.parameters == ("⚠️ Paiement n°42 (SP1) à vérifier : code absent",)
    blanks = {"text": "\n \n Deux\tmots   et      plus\nsuite"}
    template = renderer.template(message(OutboxKind.NOTICE, blanks), None, user_of("en"))
    assert template.parameters == ("Deux mots et plus",)
    empty = renderer.template(message(OutboxKind.NOTICE, {"text": ""}), None, user_of("en"))
    assert empty.parameters == ("you have a new message",)


def test_a_long_notice_is_cut() -> None:
    payload = {"text": "x" * 500}
    [summary] = (
        OutboxRenderer()
        .template(message(OutboxKind.NOTICE, payload), None, user_of("fr"))
        .parameters
    )
    assert summary == "x" * 199 + "…"


def test_an_unknown_language_goes_in_the_default_one() -> None:
    payment = payment_of(Service.SENELEC, PaymentStatus.SUCCESS, codes=[])
    template = OutboxRenderer("fr").template(message(OutboxKind.SUCCESS), payment, user_of("ff"))
    assert template.language == "fr" and template.parameters[3] == "payé"


def test_a_wolof_users_template_goes_in_french_parameters_too() -> None:
    """Meta approves no template in Wolof: French, not Wolof words in a French text."""
    payment = payment_of(Service.SENELEC, PaymentStatus.SUCCESS, codes=[])
    for default in ("fr", "en"):
        renderer = OutboxRenderer(default)
        template = renderer.template(message(OutboxKind.SUCCESS), payment, user_of("wo"))
        assert template.language == "fr" and template.parameters[3] == "payé"
        body = template_body(template, NAMES[template.kind], LANGUAGE_CODES)
        assert body["template"]["language"] == {"code": "fr"}
        receipt = renderer.template(message(OutboxKind.RECEIPT), payment, user_of("wo"))
        assert "est prêt" in receipt.parameters[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(LANGUAGES))
def test_any_notice_text_makes_an_acceptable_parameter(text: str, language: str) -> None:
    template = OutboxRenderer().template(
        message(OutboxKind.NOTICE, {"text": text}), None, user_of(language)
    )
    assert_acceptable(template, language)
