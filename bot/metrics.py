"""Prometheus metrics (prometheus-client), one registry per running bot."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.dexchange.errors import DexchangeError
from storage import Storage
from storage.models import Collection, Direction, OutboxMessage, Payment

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
INBOX_CHANNELS = ("telegram", "whatsapp")  # the channels whose webhooks fill the inbox


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.payments = Gauge(
            "bot_payments",
            "Payments by service and status",
            ["service", "status"],
            registry=self.registry,
        )
        self.attention = Gauge(
            "bot_payments_needing_attention",
            "Open or odd payments flagged for an admin",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "bot_outbox_pending", "Messages waiting in the outbox", registry=self.registry
        )
        self.outbox_dead = Gauge(
            "bot_outbox_dead",
            "Messages set aside for admins: they cannot be rendered or were refused as malformed",
            registry=self.registry,
        )
        self.delivery_latency = Histogram(
            "bot_delivery_latency_seconds",
            "From a message entering the outbox to its delivery",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.delivery_failures = Counter(
            "bot_delivery_failures_total",
            "Failed delivery attempts by kind",
            ["kind"],
            registry=self.registry,
        )
        self.callbacks = Counter(
            "bot_callbacks_total",
            "DEXCHANGE callbacks by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.provider_errors = Counter(
            "bot_provider_errors_total",
            "DEXCHANGE errors by kind",
            ["kind"],
            registry=self.registry,
        )
        self.whatsapp_errors = Counter(
            "bot_whatsapp_errors_total",
            "WhatsApp Cloud API errors by what they mean and Meta's code",
            ["kind", "code"],
            registry=self.registry,
        )
        self.inbox_pending = Gauge(
            "bot_inbox_pending",
            "Webhook messages stored and not handled yet",
            ["channel"],
            registry=self.registry,
        )
        self.inbox_messages = Counter(
            "bot_inbox_messages_total",
            "Webhook messages this process handled, tried again later, or set aside",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.webhook_rejects = Gauge(
            "bot_webhook_rejects",
            "Webhook bodies that could not be read, kept for an admin",
            registry=self.registry,
        )
        self.deliveries = Gauge(
            "bot_deliveries",
            "Messages sent on a channel that reports on them, by last status",
            ["channel", "status"],
            registry=self.registry,
        )
        self.transitions = Counter(
            "bot_payment_transitions_total",
            "Payment status changes by new status and source",
            ["status", "source"],
            registry=self.registry,
        )

        self.leader = Gauge(
            "bot_leader",
            "1 in the process running the once-per-deployment workers (the notifier, the"
            " reconciler, long polling…), 0 in the others",
            registry=self.registry,
        )

        self.collections = Counter(
            "bot_collections",
            "Mobile-money collections entering each status, by method",
            ["method", "status"],
            registry=self.registry,
        )
        # The refunds among them (direction 'out'), apart: a label on the series above would
        # change every one of its existing samples.
        self.payouts = Counter(
            "bot_payouts",
            "Refunds to mobile money entering each status, by method",
            ["method", "status"],
            registry=self.registry,
        )

    # What the services and workers report, passed to them by the composition root.

    def count_collection(self, collection: Collection) -> None:
        """A collection was created or changed status (fed by CollectionService)."""
        self.collections.labels(
            method=collection.method.value, status=collection.status.value
        ).inc()
        if collection.direction is Direction.OUT:
            self.payouts.labels(
                method=collection.method.value, status=collection.status.value
            ).inc()

    def count_transition(self, payment: Payment, source: str) -> None:
        self.transitions.labels(status=payment.status.value, source=source).inc()

    def count_inbox(self, channel: str, outcome: str) -> None:
        """A webhook message is done with here (fed by the inbox workers)."""
        self.inbox_messages.labels(channel=channel, outcome=outcome).inc()

    def count_whatsapp_error(self, error: Exception) -> None:
        kind = getattr(error, "kind", "error")
        code = getattr(error, "code", None)
        self.whatsapp_errors.labels(kind=str(kind), code=str(code or "")).inc()

    def count_provider_error(self, error: DexchangeError) -> None:
        self.provider_errors.labels(kind=error.kind).inc()

    def set_leader(self, leading: bool) -> None:
        self.leader.set(1 if leading else 0)

    def observe_delivery(self, message: OutboxMessage, latency: float) -> None:
        self.delivery_latency.observe(latency)

    def count_delivery_failure(self, message: OutboxMessage, kind: str) -> None:
        self.delivery_failures.labels(kind=kind).inc()

    async def render(self, storage: Storage) -> bytes:
        """Refresh what lives in the database, then the text exposition."""
        self.payments.clear()
        for service, status, count in await storage.read.payments.count_by_service_status():
            self.payments.labels(service=service, status=status).set(count)
        self.outbox_depth.set(await storage.read.outbox.pending_count())
        self.outbox_dead.set(await storage.read.outbox.dead_count())
        self.attention.set(await storage.read.payments.attention_count())
        for channel in INBOX_CHANNELS:
            self.inbox_pending.labels(channel=channel).set(
                await storage.read.inbox.pending_count(channel)
            )
        self.webhook_rejects.set(await storage.read.inbox.rejects_count())
        self.deliveries.clear()
        for channel, status, count in await storage.read.deliveries.counts():
            self.deliveries.labels(channel=channel, status=status).set(count)
        return generate_latest(self.registry)
