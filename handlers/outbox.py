"""An outbox message made into what its user reads, in their language: a payment's result,
its receipt, or a notice (the notifier delivers the reply on the user's channel)."""

from dataclasses import dataclass

from handlers import receipts, results
from handlers.i18n import t
from handlers.session import global_payload
from handlers.types import Button, Reply, TemplateKind, TemplateMessage, keyboard
from storage.models import OutboxKind, OutboxMessage, Payment, Role, User


@dataclass(frozen=True)
class OutboxRenderer:
    default_language: str = "fr"
    operator_name: str = "SenPay"  # printed on receipts

    def __call__(self, message: OutboxMessage, payment: Payment | None, user: User) -> Reply:
        language = user.language or self.default_language
        if payment is None:
            return Reply(results.notice_text(language, message.payload))
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
        """The message as an approved template, where free text may not go: its text on
        one line (a template's parameter may hold no new line)."""
        language = user.language or self.default_language
        line = " ".join(self(message, payment, user).text.split())
        return TemplateMessage(TemplateKind.NOTICE, language, (line[:900] or "—",))
