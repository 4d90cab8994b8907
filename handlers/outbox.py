"""An outbox message made into what its user reads, in their language: a payment's result,
its receipt, or a notice (the notifier delivers the reply on the user's channel); and, for
where free text may not go (WhatsApp past 24 hours), the approved template it goes as."""

from dataclasses import dataclass
from typing import Any

from handlers import receipts, results
from handlers.formatting import biller_name, fcfa
from handlers.i18n import CATALOGS, TEMPLATE_LANGUAGES, t
from handlers.session import global_payload
from handlers.types import Button, Keyboard, Reply, TemplateKind, TemplateMessage, keyboard
from storage.models import OutboxKind, OutboxMessage, Payment, Role, Service, User

NOTICE_CHARS = 200  # a notice's summary: its first line, at most this long


@dataclass(frozen=True)
class OutboxRenderer:
    default_language: str = "fr"
    operator_name: str = "SenPay"  # printed on receipts

    def __call__(self, message: OutboxMessage, payment: Payment | None, user: User) -> Reply:
        language = user.speaks(self.default_language)
        if payment is None:
            text = results.notice_text(language, message.payload)
            return Reply(text, notice_buttons(language, message.payload))
        if message.kind is OutboxKind.RECEIPT:
            buttons = keyboard(
                [results.new_client_button(language, payment)] if user.role is Role.AGENT else [],
                [Button(t(language, "button.menu"), global_payload("menu"))],
            )
            return receipts.receipt_reply(language, payment, self.operator_name, buttons)
        return results.render(message.kind, payment, message.payload, language, role=user.role)

    def template(
        self, message: OutboxMessage, payment: Payment | None, user: User
    ) -> TemplateMessage:
        """The template `message` goes as where free text may not: a Woyofal code, a
        payment's result, or any other message in one line (texts in README.md)."""
        # Parameters in the language the template goes in: one we have texts for, and one
        # Meta approves templates in (French for Wolof).
        language = user.speaks(self.default_language)
        language = language if language in CATALOGS else self.default_language
        language = TEMPLATE_LANGUAGES.get(language, "fr")
        if payment is None or message.kind is OutboxKind.NOTICE:
            summary = first_line(results.notice_text(language, message.payload))
            return _template(TemplateKind.NOTICE, language, summary)
        if message.kind is OutboxKind.RECEIPT:
            ready = t(
                language,
                "template.receipt",
                service=biller_name(language, payment.service),
                reference=payment.reference,
                total=fcfa(payment.total),
            )
            return _template(TemplateKind.NOTICE, language, ready)
        woyofal = payment.service is Service.WOYOFAL
        if message.kind is OutboxKind.SUCCESS and woyofal and payment.codes:
            return _template(
                TemplateKind.CODE,
                language,
                payment.reference,
                codes_line(language, payment.codes),
                fcfa(payment.amount),
                receipts.transaction_id(payment),
            )
        return _template(
            TemplateKind.RESULT,
            language,
            biller_name(language, payment.service),
            fcfa(payment.total),
            payment.reference,
            t(language, f"template.outcome.{outcome(message, payment)}"),
        )


def notice_buttons(language: str, payload: dict[str, Any]) -> Keyboard:
    """A funding notice's buttons: the approval link (Wave) to open; the menu under a
    result, to spend the money at once."""
    key = payload.get("key")
    if not isinstance(key, str) or not key.startswith("funding."):
        return ()
    link = payload.get("link")
    if isinstance(link, str) and link.startswith(("https://", "http://")):
        return keyboard([Button(t(language, "funding.button.link"), "", url=link)])
    return keyboard([Button(t(language, "button.menu"), global_payload("menu"))])


def outcome(message: OutboxMessage, payment: Payment) -> str:
    """What became of the payment, as a `template.outcome.` key."""
    kind = message.kind
    if kind is OutboxKind.FAILED:
        return "refunded" if message.payload.get("refunded") else "not_charged"
    if kind is OutboxKind.PROCESSING:
        return "processing"
    if kind in (OutboxKind.UNKNOWN, OutboxKind.DELAYED):
        return "checking"
    if payment.awaiting_code or kind is OutboxKind.CODE_PENDING:
        return "code_coming"
    return "paid_late" if message.payload.get("late") else "paid"


def codes_line(language: str, codes: list[str]) -> str:
    """The codes on one line, numbered when there are several (typed in that order)."""
    shown = [results.shown_code(language, code) for code in codes]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(f"{number}) {code}" for number, code in enumerate(shown, 1))


def one_line(text: str) -> str:
    """A template parameter: no new line, no tab, never 4 spaces in a row (Meta refuses
    them): every run of blanks becomes one space."""
    return " ".join(text.split())


def first_line(text: str) -> str:
    """A notice summed up: its first line that says something, within NOTICE_CHARS."""
    line = next((line for line in text.split("\n") if line.strip()), "")
    line = one_line(line)
    if len(line) > NOTICE_CHARS:
        line = line[: NOTICE_CHARS - 1].rstrip() + "…"
    # The template goes on with ". Reply…": no full stop or colon of our own before it.
    return line.rstrip(" .:;,")


def _template(kind: TemplateKind, language: str, *parameters: str) -> TemplateMessage:
    empty = t(language, "template.empty")
    return TemplateMessage(
        kind, language, tuple(one_line(parameter) or empty for parameter in parameters)
    )
