"""The approved templates a message goes as where free text may not (more than 24 hours
after the user last wrote): their texts as the operator submits them to Meta (README.md,
"WhatsApp templates"), in each language, with their parameter counts. The fake Graph API
and the tests load the same registry.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.whatsapp.render import neutralise
from handlers.types import TemplateKind, TemplateMessage

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


@dataclass(frozen=True)
class Template:
    kind: TemplateKind
    name: str  # the default name (WHATSAPP_TEMPLATE_CODE… may name it otherwise)
    texts: dict[str, str]  # our language → the body as approved in it

    @property
    def parameters(self) -> int:
        """How many parameters the body takes: {{1}} to {{n}}, the same in every language."""
        counts = {len(set(PLACEHOLDER.findall(text))) for text in self.texts.values()}
        if len(counts) != 1:
            raise ValueError(f"{self.name}: languages take different parameters")
        return counts.pop()

    def fill(self, language: str, parameters: tuple[str, ...] | list[str]) -> str:
        """The body as the user reads it, parameters in place."""
        return PLACEHOLDER.sub(lambda match: parameters[int(match[1]) - 1], self.texts[language])


TEMPLATES: dict[TemplateKind, Template] = {
    TemplateKind.CODE: Template(
        TemplateKind.CODE,
        "senpay_code",
        {
            "fr": (
                "Votre recharge Woyofal pour le compteur {{1}} est prête. Code : {{2}}. "
                "Montant : {{3}}. Référence : {{4}}. Merci d'utiliser SenPay."
            ),
            "en": (
                "Your Woyofal top-up for meter {{1}} is ready. Code: {{2}}. Amount: {{3}}. "
                "Reference: {{4}}. Thank you for using SenPay."
            ),
        },
    ),
    TemplateKind.RESULT: Template(
        TemplateKind.RESULT,
        "senpay_payment_result",
        {
            "fr": (
                "Votre paiement {{1}} de {{2}} pour la référence {{3}} : {{4}}. "
                "Répondez à ce message pour voir le détail."
            ),
            "en": (
                "Your {{1}} payment of {{2}} for reference {{3}}: {{4}}. "
                "Reply to this message to see the details."
            ),
        },
    ),
    TemplateKind.NOTICE: Template(
        TemplateKind.NOTICE,
        "senpay_notice",
        {
            "fr": "Message de SenPay : {{1}}. Répondez à ce message pour continuer.",
            "en": "Message from SenPay: {{1}}. Reply to this message to continue.",
        },
    ),
}


def by_name(names: Mapping[TemplateKind, str] | None = None) -> dict[str, Template]:
    """The templates by the name they are approved under (`names`: from settings)."""
    return {
        (names or {}).get(kind, template.name): template for kind, template in TEMPLATES.items()
    }


def template_body(
    message: TemplateMessage, name: str, languages: Mapping[str, str]
) -> dict[str, Any]:
    """The `message` of WhatsAppClient.send for `message`, sent as the template `name` in the
    language `languages` (WHATSAPP_TEMPLATE_LANGUAGES) maps the user's to. Formatting marks
    in the parameters are neutralised as in every other text."""
    if len(message.parameters) != TEMPLATES[message.kind].parameters:
        raise ValueError(f"{name}: {len(message.parameters)} parameters")
    parameters = [{"type": "text", "text": neutralise(value)} for value in message.parameters]
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": languages.get(message.language, message.language)},
            "components": [{"type": "body", "parameters": parameters}],
        },
    }
