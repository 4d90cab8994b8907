"""Webhook bodies as Meta writes them: `{"object": "whatsapp_business_account", "entry":
[{"id": <WABA id>, "changes": [{"field": "messages", "value": {...}}]}]}`, a value holding
either users' `messages` (with their `contacts`) or `statuses` of the bot's messages.
"""

from dataclasses import dataclass

from .errors import status_error
from .models import JSON, BotMessage, WaUser


@dataclass(frozen=True, slots=True)
class Business:
    """The WhatsApp Business number the bot speaks from."""

    phone_number_id: str
    display_phone_number: str
    waba_id: str

    def metadata(self) -> JSON:
        return {
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.phone_number_id,
        }

    def notification(self, values: list[JSON]) -> JSON:
        changes = [{"field": "messages", "value": value} for value in values]
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": changes}],
        }

    def messages_value(self, contacts: list[JSON], messages: list[JSON]) -> JSON:
        value: JSON = {"messaging_product": "whatsapp", "metadata": self.metadata()}
        if contacts:  # system messages come without
            value["contacts"] = contacts
        value["messages"] = messages
        return value

    def statuses_value(self, statuses: list[JSON]) -> JSON:
        return {
            "messaging_product": "whatsapp",
            "metadata": self.metadata(),
            "statuses": statuses,
        }


def status(message: BotMessage, state: str, timestamp: float, code: int | None = None) -> JSON:
    """One item of `statuses[]` for the bot's message."""
    item: JSON = {"id": message.wamid, "status": state, "timestamp": str(int(timestamp))}
    user = message.user
    if user is None:
        item["recipient_id"] = message.to
    else:
        if user.with_number:
            item["recipient_id"] = user.phone
        if user.bsuid is not None:
            item["recipient_user_id"] = user.bsuid
    if state == "failed":
        item["errors"] = [status_error(code if code is not None else 131000)]
    elif state in ("sent", "delivered"):
        category = "utility" if message.type == "template" else "service"
        item["pricing"] = {
            "billable": category != "service",
            "pricing_model": "PMP",
            "category": category,
        }
    return item


def system_message(user: WaUser, wamid: str, timestamp: float, system: JSON) -> JSON:
    """A `system` message about `user` (as they were before the change)."""
    return {
        **user.sender(),
        "id": wamid,
        "timestamp": str(int(timestamp)),
        "type": "system",
        "system": system,
    }
