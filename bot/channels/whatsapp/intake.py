"""WhatsApp's webhook, received: Meta's verification GET, and its POSTs — checked against
the app secret on the raw bytes before anything is read, then stored in one transaction
(each message in the durable inbox, deduplicated by its wamid; who sent it, with the time
that opens their 24-hour window; identity changes; the statuses of our messages), and only
then answered 200. A body we cannot read is kept whole for an admin (and answered 200: it
is stored, not dropped; Meta would resend it for a week otherwise).

What the statuses say is acted on afterwards (`FailedDeliveries`): a message refused for
the window goes again as its template, one refused for now goes again later, one that can
never reach its user is set aside for admins.
"""

import hmac
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.channels.whatsapp.client import LATER, UNDELIVERABLE, Later
from bot.channels.whatsapp.outbound import CHANNEL, later_seconds
from bot.channels.whatsapp.webhook import (
    InboundMessage,
    StatusReport,
    Unreadable,
    WebhookBatch,
    read_webhook,
    signature_ok,
)
from storage import Repositories, Storage
from storage.database import Clock, utc_now
from storage.deliveries import Delivery

log = logging.getLogger(__name__)

OUTSIDE_WINDOW = 131047


def inbox_payload(message: InboundMessage) -> dict[str, Any]:
    return {
        "kind": message.kind,
        "text": message.text,
        "type": message.type,
        "context_id": message.context_id,
    }


class WhatsAppIntake:
    def __init__(
        self,
        storage: Storage,
        *,
        app_secret: str,
        verify_token: str,
        on_inbox: Callable[[], None] = lambda: None,
        on_statuses: Callable[[], None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._storage = storage
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._on_inbox = on_inbox  # messages are stored: handle them
        self._on_statuses = on_statuses  # a failure was reported: act on it
        self._clock = clock

    def verify(self, mode: str | None, token: str | None, challenge: str | None) -> str | None:
        """Meta's subscription check: the challenge to echo, or None (answer 403)."""
        if mode != "subscribe" or token is None or challenge is None:
            return None
        if not hmac.compare_digest(token.encode(errors="replace"), self._verify_token.encode()):
            return None
        return challenge

    async def accept(self, raw: bytes, signature: str | None) -> int:
        """The HTTP status to answer a POST with, once what it carries is stored."""
        if not signature:
            log.warning("WhatsApp webhook refused: no X-Hub-Signature-256")
            return 401
        if not signature_ok(self._app_secret, raw, signature):
            log.warning("WhatsApp webhook refused: wrong signature")
            return 403
        try:
            batch = read_webhook(json.loads(raw))
        except (ValueError, RecursionError) as error:  # JSON errors and Unreadable alike
            reason = str(error) if isinstance(error, Unreadable) else type(error).__name__
            async with self._storage.transaction() as tx:
                await tx.inbox.reject(CHANNEL, raw.decode(errors="replace"), reason)
            log.error("WhatsApp webhook body unreadable (%s): kept for an admin", reason)
            return 200
        stored, failures = await self._store(batch)
        if stored:
            self._on_inbox()
        if failures:
            self._on_statuses()
        return 200

    async def _store(self, batch: WebhookBatch) -> tuple[int, int]:
        """(messages newly stored, failures reported), committed together."""
        stored = failures = 0
        async with self._storage.transaction() as tx:
            for change in batch.changes:
                moved = await tx.users.change_identity(
                    CHANNEL,
                    change.old.user_id,
                    change.old.phone,
                    change.new_user_id,
                    change.new_phone,
                )
                if moved is None:
                    log.info("WhatsApp identity change for a user we never knew: ignored")
            for message in batch.messages:
                sender = message.sender
                user = await tx.users.upsert_identity(
                    CHANNEL, sender.user_id, sender.phone, sender.name, message.sent_at
                )
                new = await tx.inbox.store(
                    CHANNEL, message.message_id, user.id, inbox_payload(message)
                )
                stored += new is not None
            for status in batch.statuses:
                failures += await self._status(tx, status)
        return stored, failures

    @staticmethod
    async def _status(tx: Repositories, status: StatusReport) -> bool:
        """Record a status; True when it reports a failure to act on."""
        moved = await tx.deliveries.report(
            CHANNEL, status.message_id, status.status, status.error_code
        )
        if moved is None or moved[1].status != "failed":
            return False
        log.warning(
            "WhatsApp reports outbox message %s failed (%s %s)",
            moved[1].outbox_id,
            status.error_code,
            status.error_title,
        )
        return True


class FailedDeliveries:
    """Acts on the failures WhatsApp reported, once the notifier has marked their message
    sent (a failure reported while the send is still being recorded waits a look)."""

    def __init__(
        self,
        storage: Storage,
        *,
        recipient_interval: float = 6.0,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._storage = storage
        self._recipient_interval = recipient_interval
        self._on_outbox = on_outbox
        self._clock = clock

    async def run_once(self) -> int:
        failures = await self._storage.read.deliveries.failures_to_act_on()
        requeued = False
        for failure in failures:
            async with self._storage.transaction() as tx:
                requeued |= await self._act(tx, failure)
                await tx.deliveries.mark_acted(failure.id)
        if requeued:
            self._on_outbox()
        return len(failures)

    async def _act(self, tx: Repositories, failure: Delivery) -> bool:
        code = failure.error_code
        error = f"WhatsApp {code}: delivery failed"
        now = self._clock()
        if code == OUTSIDE_WINDOW and not failure.as_template:
            # Free text after the window: once more as its template (never twice).
            if await tx.deliveries.template_sent(failure.outbox_id):
                return False
            return await tx.outbox.requeue(failure.outbox_id, now, error, as_template=True)
        if code in LATER:
            seconds = later_seconds(Later(error, code=code), self._recipient_interval)
            return await tx.outbox.requeue(
                failure.outbox_id, now + timedelta(seconds=seconds), error
            )
        status = "undeliverable" if code in UNDELIVERABLE else "dead"
        if await tx.outbox.set_aside(failure.outbox_id, status, error):
            log.error("outbox message %s set aside (%s): %s", failure.outbox_id, status, error)
        return False
