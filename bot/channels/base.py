"""What every channel (Telegram, the terminal, WhatsApp next) is to the rest of the bot.

Inbound, a channel turns what a user sent into `handlers.types.Incoming` and gives it to
the conversation engine. Outbound, it implements `OutboundChannel`: the notifier hands it a
user and a reply, and it says, by the delivery error it raises, what to do when it could
not deliver.
"""

from typing import Protocol

from handlers.types import Reply
from storage.models import User


class DeliveryError(Exception):
    """The channel could not deliver; the subclass says what to do next."""


class RetryLater(DeliveryError):
    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}, retry after {seconds:.1f}s")
        self.seconds = seconds


class RecipientGone(DeliveryError):
    """The user blocked the bot or the chat no longer exists: stop writing to them."""


class MessageRefused(DeliveryError):
    """This message can never be delivered as it is (the channel said so)."""


class OutboundChannel(Protocol):
    async def send(self, user: User, reply: Reply) -> None: ...
