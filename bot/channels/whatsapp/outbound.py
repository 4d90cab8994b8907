"""Sending to WhatsApp users: the conversation's answers at once, and the outbox's messages
(codes, results, notices) for the notifier — each within the user's 24-hour window as free
text, outside it as its approved template.

Every send is paced (`pacing.WhatsAppPacer`): Meta never has to say 130429 or 131056, and
when it says so anyway, it means later, never failed. What WhatsApp accepts of an outbox
message is recorded (`storage.deliveries`, one row a message of the reply), so that a reply
half sent is finished, not repeated, and the statuses Meta reports later find their message.
"""

import asyncio
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

from bot.channels.base import (
    DeliveryError,
    MessageRefused,
    Outgoing,
    RecipientGone,
    RetryLater,
)
from bot.channels.whatsapp.client import (
    AccessDenied,
    Later,
    OutsideWindow,
    Refused,
    TemplateRefused,
    Undeliverable,
    WhatsAppClient,
    WhatsAppError,
)
from bot.channels.whatsapp.pacing import WhatsAppPacer
from bot.channels.whatsapp.render import Outgoing as WhatsAppMessage
from bot.channels.whatsapp.render import WhatsAppRenderer
from bot.channels.whatsapp.templates import template_body
from handlers.types import Reply, TemplateKind, TemplateMessage
from storage import Storage
from storage.database import Clock, utc_now
from storage.models import User

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
# A free-form message must reach WhatsApp inside the window: near its end, the template.
WINDOW_MARGIN = timedelta(minutes=10)
ANSWER_TRIES = 5  # an answer to what the user just sent, refused for now: tried again so often
# The notifier's message to a user being answered right now is put off so long, then again.
ANSWER_FIRST_SECONDS = 0.2


class PaceWait(Later):
    """Our own pacer says wait (no call was made): the notifier's slot is not held for it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"this recipient's pace: {seconds:.1f} s")
        self.seconds = seconds


def later_seconds(error: Later, recipient_interval: float) -> float:
    """How long to wait after a "later": what our pacer said; a recipient's pace refills one
    message a `recipient_interval`; the number's throughput, a second; else a few seconds."""
    if isinstance(error, PaceWait):
        return error.seconds
    if error.code == 131056:
        return max(1.0, recipient_interval)
    if error.code == 130429:
        return 1.0
    return 5.0


class WhatsAppSender:
    def __init__(
        self,
        client: WhatsAppClient,
        pacer: WhatsAppPacer,
        renderer: WhatsAppRenderer,
        *,
        default_language: str = "fr",
        recipient_interval: float = 6.0,
        clock: Clock = utc_now,
    ) -> None:
        self.client = client
        self.pacer = pacer
        self.renderer = renderer
        self._default_language = default_language
        self._recipient_interval = recipient_interval
        self._clock = clock
        self._answering: set[str] = set()

    @contextmanager
    def answering(self, to: str) -> Iterator[None]:
        """While the conversation handles `to`'s message: the notifier's messages to them
        wait, so "payment sent" comes before the code a quick provider already gave."""
        self._answering.add(to)
        try:
            yield
        finally:
            self._answering.discard(to)

    def is_answering(self, to: str) -> bool:
        return to in self._answering

    def language_of(self, user: User) -> str:
        return user.speaks(self._default_language)

    def window_open(self, user: User, now: datetime | None = None) -> bool:
        """Whether free text may still reach the user (they wrote less than 24 h ago)."""
        if user.last_inbound_at is None:
            return False
        return (now or self._clock()) - user.last_inbound_at < WINDOW - WINDOW_MARGIN

    def later_seconds(self, error: Later) -> float:
        return later_seconds(error, self._recipient_interval)

    async def send_one(self, to: str, message: WhatsAppMessage) -> str:
        """One message, when the pace allows (waiting for it); its WhatsApp id."""
        async with self.pacer.sending(to):
            body = message.body
            if message.upload is not None:
                upload = message.upload
                media_id = await self.client.upload_image(upload.data, upload.mime, upload.name)
                body = message.with_media(media_id)
            return await self.client.send(to, body)

    async def send_now(self, to: str, message: WhatsAppMessage) -> str:
        """One message the user is waiting for: sent, waiting out the pace and a "later" or
        two rather than putting it off."""
        for attempt in range(1, ANSWER_TRIES + 1):
            try:
                return await self.send_one(to, message)
            except Later as error:
                if attempt == ANSWER_TRIES:
                    raise
                await asyncio.sleep(self.later_seconds(error))
        raise AssertionError("unreachable")

    async def answer(self, user: User, reply: Reply) -> None:
        """An answer to what the user just sent (inside the window by definition)."""
        for message in self.renderer.render(user.chat_id, reply, self.language_of(user)):
            await self.send_now(user.chat_id, message)

    async def answer_text(self, user: User, text: str) -> None:
        await self.answer(user, Reply(text))


class WhatsAppOutbound:
    """The notifier's way to a WhatsApp user (bot.channels.base.OutboundChannel)."""

    def __init__(
        self,
        sender: WhatsAppSender,
        storage: Storage,
        *,
        template_names: Mapping[TemplateKind, str],
        template_languages: Mapping[str, str],
    ) -> None:
        self._sender = sender
        self._storage = storage
        self._names = dict(template_names)
        self._languages = dict(template_languages)

    async def send(self, user: User, outgoing: Outgoing) -> None:
        if self._sender.is_answering(user.chat_id):
            raise RetryLater(ANSWER_FIRST_SECONDS, "WhatsApp: answering this user first")
        try:
            if outgoing.message.send_as == "template" or not self._sender.window_open(user):
                await self._send_template(user, outgoing)
                return
            try:
                await self._send_free(user, outgoing)
            except OutsideWindow:
                # WhatsApp counts the window closed already: the template, at once.
                await self._send_template(user, outgoing)
        except Later as error:
            raise RetryLater(self._sender.later_seconds(error), f"WhatsApp: {error}") from None
        except Undeliverable as error:
            raise RecipientGone(f"WhatsApp: {error}") from None
        except (TemplateRefused, Refused) as error:
            raise MessageRefused(f"WhatsApp: {error}") from None
        except AccessDenied as error:
            log.error("WhatsApp refuses our access (%s): an admin must act", error.code)
            raise DeliveryError(f"WhatsApp: {error}") from None
        except WhatsAppError as error:
            raise DeliveryError(f"WhatsApp: {error}") from None

    async def _send_free(self, user: User, outgoing: Outgoing) -> None:
        outbox_id = outgoing.message.id
        messages = self._sender.renderer.render(
            user.chat_id, outgoing.reply, self._sender.language_of(user)
        )
        # A reply half sent before (a "later" in its middle) is finished, not repeated.
        done = await self._storage.read.deliveries.parts_on_their_way(outbox_id)
        for part, message in enumerate(messages):
            if part in done:
                continue
            wait = self._sender.pacer.wait_for(user.chat_id)
            if wait > 1.0:
                raise PaceWait(wait)
            message_id = await self._sender.send_one(user.chat_id, message)
            async with self._storage.transaction() as tx:
                await tx.deliveries.record(
                    outbox_id, CHANNEL, message_id, as_template=False, part=part
                )

    async def _send_template(self, user: User, outgoing: Outgoing) -> None:
        outbox_id = outgoing.message.id
        if await self._storage.read.deliveries.template_sent(outbox_id):
            return  # once as its template, never twice
        template: TemplateMessage = outgoing.template()
        name = self._names.get(template.kind)
        if name is None:
            raise TemplateRefused(f"no template named for {template.kind.value}")
        body = template_body(template, name, self._languages)
        wait = self._sender.pacer.wait_for(user.chat_id)
        if wait > 1.0:
            raise PaceWait(wait)
        async with self._sender.pacer.sending(user.chat_id):
            message_id = await self._sender.client.send(user.chat_id, body)
        async with self._storage.transaction() as tx:
            await tx.deliveries.record(outbox_id, CHANNEL, message_id, as_template=True)
        log.info("outbox message %s went to WhatsApp as its template %s", outbox_id, name)
