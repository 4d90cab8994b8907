"""The composition root: settings in, a running bot out.

Everything is built here and handed down (storage, DEXCHANGE client, payment service,
conversation engine, channels, workers, HTTP server), so tests and the demo swap a real
server for a fake by changing a URL, never by patching modules.
"""

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.channels.base import OutboundChannel
from bot.channels.telegram.aiohttp_request import AiohttpRequest, PollingRequest
from bot.channels.telegram.channel import TelegramConversation, TelegramOutbound
from bot.channels.telegram.intake import TelegramInboxHandler, TelegramIntake
from bot.channels.telegram.menus import CommandMenus
from bot.channels.telegram.ratelimit import PacedRateLimiter
from bot.channels.telegram.update_processor import PerUserUpdateProcessor
from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.conversation import WhatsAppConversation
from bot.channels.whatsapp.intake import FailedDeliveries, WhatsAppIntake
from bot.channels.whatsapp.outbound import WhatsAppOutbound, WhatsAppSender
from bot.channels.whatsapp.pacing import WhatsAppPacer
from bot.channels.whatsapp.render import WhatsAppRenderer
from bot.dexchange.aiohttp_transport import AiohttpTransport
from bot.dexchange.client import DexchangeClient
from bot.metrics import Metrics
from bot.services.accounts import AccountService
from bot.services.callbacks import CallbackService
from bot.services.collections import (
    CASHOUT_CODES,
    CollectionCallbacks,
    CollectionService,
    FundingRules,
)
from bot.services.pay_the_rest import PayTheRest
from bot.services.payments import PaymentService
from bot.services.payouts import Payouts
from bot.services.provider import ProviderAccount
from bot.services.receipts import agent_receipt_hook
from bot.services.resolutions import Resolutions
from bot.services.signals import Signals
from bot.settings import Settings
from bot.web.app import CallbacksFirst, build_http_app
from bot.web.server import LoopbackServer
from bot.workers.daily_summary import DailySummary
from bot.workers.inbox import Handler, InboxWorker
from bot.workers.leadership import LeaderElection
from bot.workers.notifier import Notifier
from bot.workers.periodic import Periodic
from bot.workers.reconciler import Reconciler
from bot.workers.retention import CodeRetention
from handlers.engine import ConversationEngine
from handlers.flows import build_registry
from handlers.outbox import OutboxRenderer
from handlers.steps import ConversationConfig
from handlers.types import TemplateKind
from storage import Storage
from storage.budgets import SharedBudgets
from storage.database import Clock, utc_now
from storage.models import FeePaidBy, Role
from storage.pg_signals import LeaderConnection, Notifications
from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]

# A short pause between two getUpdates calls lets updates that arrive meanwhile come in one
# batch: under load, one call per handful of updates instead of one per update; at most
# this much more latency (docs/performance.md).
POLL_INTERVAL = 0.01
# After SIGTERM, the time a process gives the work it has in flight (pay calls, updates
# being handled, messages being sent) before it exits; an idle process exits at once.
STOP_GRACE_SECONDS = 5.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from CALLBACK_SECRET (Telegram allows A-Z0-9_-)."""
    if settings.TELEGRAM_WEBHOOK_SECRET is not None:
        return settings.TELEGRAM_WEBHOOK_SECRET.get_secret_value()
    key = settings.callback_secret().encode()
    return hmac.new(key, b"telegram-webhook", hashlib.sha256).hexdigest()


@dataclass
class Extras:
    """Hooks for what later features add to the composition (tests may pass their own)."""

    outbound: dict[str, OutboundChannel] = field(default_factory=dict)
    dexchange_transport: httpx.AsyncBaseTransport | None = None
    whatsapp_transport: httpx.AsyncBaseTransport | None = None


class BotRuntime:
    def __init__(
        self,
        settings: Settings,
        *,
        telegram: bool = True,
        extras: Extras | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._telegram_enabled = telegram
        self._extras = extras or Extras()
        self.metrics = Metrics()
        self.storage = Storage(settings.database_location, clock)
        # Several processes (PostgreSQL) share the providers' rate budgets: see
        # storage/budgets.py. On SQLite the one process's pacers are the whole budget.
        self.budgets: SharedBudgets | None = None
        self.application: TelegramApp | None = None
        self.whatsapp_client: WhatsAppClient | None = None
        self.whatsapp_intake: WhatsAppIntake | None = None
        self.whatsapp_workers: list[InboxWorker | Periodic] = []
        # Webhook mode: updates stored before the 200, handled by whichever process claims them.
        self.telegram_intake: TelegramIntake | None = None
        self.telegram_inbox: InboxWorker | None = None
        # This process, in the inbox leases it holds (several processes share one database).
        self.claimant = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.http: LoopbackServer | None = None
        # Runs the once-per-deployment workers: always on SQLite (one process), on
        # PostgreSQL the process holding the leader's lock (bot/workers/leadership.py).
        self.leader = False
        self.election: LeaderElection | None = None
        self._notifications: Notifications | None = None
        self._polling: PollingRequest | None = None
        self._started = False

    # --- building -----------------------------------------------------------------------------

    def _secret(self) -> str:
        return self.settings.callback_secret()

    def _build_core(self, public_base_url: str) -> None:
        """The domain and the conversation; each gets what it needs in its constructor."""
        s = self.settings
        m = self.metrics
        # Wake-ups: a commit that queues a message wakes the notifiers (one a channel);
        # one that leaves a payment open wakes the reconciler.
        self.outbox_wakes: dict[str, asyncio.Event] = {}
        self.payments_wake = asyncio.Event()
        signals = Signals(
            outbox=self._outbox_queued,
            open_payment=self._payment_opened,
            transition=m.count_transition,
            callback=lambda verdict: None,  # counted by the HTTP endpoint, with its answer
        )
        api_key = s.DEXCHANGE_API_KEY.get_secret_value() if s.DEXCHANGE_API_KEY else ""
        self.client = DexchangeClient(
            s.DEXCHANGE_BASE_URL,
            api_key,
            rate_per_minute=s.DEXCHANGE_RATE_PER_MINUTE,
            timeout=s.DEXCHANGE_TIMEOUT_SECONDS,
            transport=self._extras.dexchange_transport,
            on_error=m.count_provider_error,
        )
        if self.budgets is not None:
            self.client.limiter.share(self.budgets)
        self.payments = PaymentService(
            self.storage,
            self.client,
            fee_percent=s.FEE_PERCENT,
            public_base_url=public_base_url,
            callback_secret=self._secret(),
            clock=self.clock,
            pay_timeout=s.DEXCHANGE_TIMEOUT_SECONDS,
            check_base=s.RECONCILE_INTERVAL_SECONDS,
            processing_notice_delay=s.PROCESSING_NOTICE_SECONDS,
            max_fee_percent=s.PROVIDER_FEE_MAX_PERCENT,
            signals=signals,
            status_hooks=[agent_receipt_hook(signals.outbox)],
        )
        self.accounts = AccountService(self.storage, clock=self.clock, signals=signals)
        self.engine = ConversationEngine(
            self.storage,
            self.payments,
            ConversationConfig(
                default_language=s.DEFAULT_LANGUAGE,
                woyofal_min=s.WOYOFAL_MIN_AMOUNT,
                woyofal_max=s.WOYOFAL_MAX_AMOUNT,
                idle_timeout=timedelta(minutes=s.CONVERSATION_IDLE_MINUTES),
                support_contact=s.SUPPORT_CONTACT,
                operator_name=s.OPERATOR_NAME,
            ),
            build_registry(),
            clock=self.clock,
            accounts=self.accounts,
            provider=ProviderAccount(self.client),
            resolver=Resolutions(self.payments),
        )
        self.callbacks = CallbackService(self.payments, self._secret())
        wanted = set(s.COLLECTION_SERVICES)
        self.collections = CollectionService(
            self.storage,
            self.client,
            public_base_url=public_base_url,
            callback_secret=self._secret(),
            rules=FundingRules(
                min_amount=s.COLLECTION_MIN_AMOUNT,
                max_amount=s.COLLECTION_MAX_AMOUNT,
                daily_cap=s.COLLECTION_DAILY_CAP,
                fee_percent=s.COLLECTION_FEE_PERCENT,
                fee_paid_by=FeePaidBy(s.COLLECTION_FEE_PAID_BY),
                methods={m: code for m, code in CASHOUT_CODES.items() if code in wanted},
                expiry=timedelta(minutes=s.COLLECTION_EXPIRY_MINUTES),
            ),
            clock=self.clock,
            init_timeout=s.DEXCHANGE_TIMEOUT_SECONDS,
            check_base=s.RECONCILE_INTERVAL_SECONDS,
            signals=signals,
            on_transition=m.count_collection,
        )
        self.pay_the_rest = PayTheRest(
            self.storage, self.payments, clock=self.clock, signals=signals
        )
        self.collections.on_funded = self.pay_the_rest.funded
        # Built after the engine (it needs nothing of it): the conversation's "➕ Recharger".
        self.engine.funding = self.collections
        # The admin's /refund: the collection service is built after the conversation.
        self.accounts.refunds = Payouts(self.collections)

    def _build_workers(self, channels: dict[str, OutboundChannel]) -> None:
        s = self.settings
        m = self.metrics
        self.reconciler = Reconciler(
            self.payments,
            interval=s.RECONCILE_INTERVAL_SECONDS,
            deadline=timedelta(minutes=s.RECONCILE_DEADLINE_MINUTES),
            clock=self.clock,
            wake=self.payments_wake,
            collections=self.collections,
            purchases=self.pay_the_rest,
        )
        self.daily_summary = DailySummary(
            self.storage, s.DAILY_REPORT_HOUR, clock=self.clock, on_outbox=self._outbox_queued
        )
        self.retention = CodeRetention(self.storage, s.RETENTION_DAYS, clock=self.clock)
        renderer = OutboxRenderer(s.DEFAULT_LANGUAGE, s.OPERATOR_NAME)
        self.notifiers: dict[str, Notifier] = {}
        for name, channel in channels.items():
            self.outbox_wakes[name] = asyncio.Event()
            self.notifiers[name] = Notifier(
                self.storage,
                name,
                channel,
                renderer,
                clock=self.clock,
                idle_look=s.NOTIFIER_IDLE_SECONDS,
                wake=self.outbox_wakes[name],
                on_sent=m.observe_delivery,
                on_failure=m.count_delivery_failure,
            )

    def wake_notifiers(self) -> None:
        """A message was queued: every channel's notifier looks (each only at its users)."""
        for wake in self.outbox_wakes.values():
            wake.set()

    # On PostgreSQL the leader may be another process: a commit that gives it work reaches
    # it by NOTIFY too (storage/pg_signals.py). The in-process wake-up stays: it is faster.

    def _outbox_queued(self) -> None:
        self.wake_notifiers()
        self._tell_leader("outbox")

    def _payment_opened(self) -> None:
        self.payments_wake.set()
        self._tell_leader("payments")

    def _tell_leader(self, topic: str) -> None:
        if self._notifications is not None and not self.leader:
            self._notifications.publish(topic)

    def _heard(self, wake: Callable[[], None]) -> Callable[[str], None]:
        """A NOTIFY's handler: wakes the worker unless this process sent it."""
        notifications = self._notifications

        def handle(origin: str) -> None:
            if notifications is None or origin != notifications.origin:
                wake()

        return handle

    def _build_telegram(self) -> TelegramApp:
        s = self.settings
        assert s.TELEGRAM_BOT_TOKEN is not None
        base = s.TELEGRAM_API_BASE_URL
        file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
        builder = (
            ApplicationBuilder()
            .token(s.TELEGRAM_BOT_TOKEN.get_secret_value())
            .base_url(base)
            .base_file_url(file_base)
            .rate_limiter(
                PacedRateLimiter(
                    s.TELEGRAM_MESSAGES_PER_SECOND,
                    s.TELEGRAM_CHAT_MESSAGES_PER_SECOND,
                    shared=self.budgets,
                )
            )
            .concurrent_updates(PerUserUpdateProcessor(256))
            .request(AiohttpRequest(connection_pool_size=64))
            .get_updates_request(self._polling_request())
        )
        if s.TELEGRAM_WEBHOOK_URL:
            builder = builder.updater(None)
        application = builder.build()
        conversation = TelegramConversation(self.engine)
        self._telegram_conversation = conversation
        application.add_handler(CallbackQueryHandler(conversation.on_button))
        application.add_handler(
            MessageHandler(tg_filters.ALL & ~tg_filters.UpdateType.EDITED, conversation.on_message)
        )
        application.add_error_handler(self._on_telegram_error)
        return application

    def _polling_request(self) -> PollingRequest:
        self._polling = PollingRequest(connection_pool_size=2)
        return self._polling

    def _inbox_worker(self, channel: str, handle: Handler) -> InboxWorker:
        """Every process runs one per webhook channel, all on the same inbox (claims)."""
        return InboxWorker(
            self.storage,
            channel,
            handle,
            claimant=self.claimant,
            lease_seconds=self.settings.INBOX_LEASE_SECONDS,
            # Alone on SQLite, a process is woken by its own webhook; on PostgreSQL it also
            # looks often for what the other processes stored.
            idle_seconds=0.3 if self.settings.on_postgres else 1.0,
            on_done=self.metrics.count_inbox,
        )

    def wake_inboxes(self) -> None:
        """Another process stored webhook messages: look now rather than at the next pass
        (the hook for a LISTEN/NOTIFY between processes)."""
        for worker in self.whatsapp_workers:
            if isinstance(worker, InboxWorker):
                worker.wake()
        if self.telegram_inbox is not None:
            self.telegram_inbox.wake()

    def _build_telegram_inbox(self, application: TelegramApp) -> None:
        """Webhook mode: the intake that stores updates, and the worker that handles them."""
        worker = self._inbox_worker("telegram", TelegramInboxHandler(application))
        self.telegram_inbox = worker
        self.telegram_intake = TelegramIntake(self.storage, application.bot, on_inbox=worker.wake)

    def _build_whatsapp(self) -> OutboundChannel:
        """The WhatsApp channel: its Cloud API client, pacing, renderer, the intake of its
        webhook, the inbox worker that feeds the conversation, and the pass that acts on
        the failures Meta reports; returns its outbound side, for its notifier."""
        s = self.settings
        assert s.WHATSAPP_ACCESS_TOKEN is not None and s.WHATSAPP_PHONE_NUMBER_ID is not None
        assert s.WHATSAPP_APP_SECRET is not None and s.WHATSAPP_VERIFY_TOKEN is not None
        self.whatsapp_client = WhatsAppClient(
            s.WHATSAPP_API_BASE_URL,
            s.WHATSAPP_API_VERSION,
            s.WHATSAPP_PHONE_NUMBER_ID,
            s.WHATSAPP_ACCESS_TOKEN.get_secret_value(),
            # aiohttp under httpx, as for DEXCHANGE: a Graph API send cost 1.5-1.9 ms of CPU
            # through httpcore, 0.4-0.7 ms through aiohttp (performance.md, WhatsApp).
            transport=self._extras.whatsapp_transport or AiohttpTransport(connection_limit=64),
            on_error=self.metrics.count_whatsapp_error,
        )
        sender = WhatsAppSender(
            self.whatsapp_client,
            WhatsAppPacer(
                s.WHATSAPP_MESSAGES_PER_SECOND,
                s.WHATSAPP_RECIPIENT_INTERVAL_SECONDS,
                s.WHATSAPP_RECIPIENT_BURST,
                shared=self.budgets,
            ),
            WhatsAppRenderer(),
            default_language=s.DEFAULT_LANGUAGE,
            recipient_interval=s.WHATSAPP_RECIPIENT_INTERVAL_SECONDS,
            clock=self.clock,
        )
        inbox = self._inbox_worker(
            "whatsapp", WhatsAppConversation(self.engine, sender, self.storage).handle
        )
        failures = Periodic(
            "whatsapp-failures",
            FailedDeliveries(
                self.storage,
                recipient_interval=s.WHATSAPP_RECIPIENT_INTERVAL_SECONDS,
                on_outbox=self._outbox_queued,
                clock=self.clock,
            ).run_once,
            interval=1.0,
        )
        self.whatsapp_intake = WhatsAppIntake(
            self.storage,
            app_secret=s.WHATSAPP_APP_SECRET.get_secret_value(),
            verify_token=s.WHATSAPP_VERIFY_TOKEN.get_secret_value(),
            on_inbox=inbox.wake,
            on_statuses=failures.wake,
            clock=self.clock,
        )
        self.whatsapp_workers = [inbox, failures]
        return WhatsAppOutbound(
            sender,
            self.storage,
            template_names={
                TemplateKind.CODE: s.WHATSAPP_TEMPLATE_CODE,
                TemplateKind.RESULT: s.WHATSAPP_TEMPLATE_RESULT,
                TemplateKind.NOTICE: s.WHATSAPP_TEMPLATE_NOTICE,
            },
            template_languages=s.WHATSAPP_TEMPLATE_LANGUAGES,
        )

    async def _on_telegram_error(self, update: object, context: Any) -> None:
        error = context.error
        log.error("telegram handler error: %s", type(error).__name__, exc_info=error)

    async def _register_commands(self, application: TelegramApp) -> None:
        """The customers' command menu for everyone; agents' and admins' chats their own,
        kept in step with their role from now on (bot/channels/telegram/menus.py)."""
        menus = CommandMenus(
            application.bot,
            self.storage,
            self.engine.registry.menu_commands,
            self.settings.DEFAULT_LANGUAGE,
        )
        await menus.set_default()
        self.accounts.on_role_change = menus.show_role
        self._telegram_conversation.menus = menus
        caught_up = await menus.catch_up()
        if caught_up:
            log.info("command menus set for %d agent or admin chats", caught_up)

    # --- running ------------------------------------------------------------------------------

    async def health(self) -> dict[str, bool]:
        checks = {"database": await self.storage.database.ping()}
        if self.leader or self.election is None:
            checks["reconciler"] = self.reconciler.running
            for name, notifier in self.notifiers.items():
                checks[f"notifier:{name}"] = notifier.running
        else:
            checks["leader-election"] = self.election.running
        for worker in self.whatsapp_workers:
            checks[worker.name] = worker.running
        if self.telegram_inbox is not None:
            checks[self.telegram_inbox.name] = self.telegram_inbox.running
        if self.application is not None:
            checks["telegram"] = self.application.running
        return checks

    async def start(self) -> None:
        s = self.settings
        await self.storage.open()
        if isinstance(self.storage.database, PostgresDatabase):
            self._notifications = Notifications(self.storage.database)
            self.budgets = SharedBudgets(self.storage.database)
        # Bind the HTTP port first: it is part of every callback URL when no public URL is set.
        self.http = LoopbackServer(
            None, s.HTTP_HOST, s.HTTP_PORT, max_connections=s.HTTP_MAX_CONNECTIONS
        )
        self.http.bind()
        public = s.PUBLIC_BASE_URL or self.http.url
        self._build_core(public)
        channels: dict[str, OutboundChannel] = dict(self._extras.outbound)
        if self._telegram_enabled and s.telegram_enabled:
            self.application = self._build_telegram()
            channels["telegram"] = TelegramOutbound(self.application.bot)
            if s.TELEGRAM_WEBHOOK_URL:
                self._build_telegram_inbox(self.application)
        if s.whatsapp_enabled:
            channels["whatsapp"] = self._build_whatsapp()
        self._build_workers(channels)
        # Admins named in the settings, at every start.
        for admin_id in s.ADMIN_TELEGRAM_IDS:
            await self.accounts.grant(str(admin_id), Role.ADMIN)
        for whatsapp_id in s.ADMIN_WHATSAPP_IDS:
            await self.accounts.grant(whatsapp_id, Role.ADMIN, channel="whatsapp")
        webhook_path = urlsplit(s.TELEGRAM_WEBHOOK_URL).path if s.TELEGRAM_WEBHOOK_URL else None
        self.http.app = self._http_app(webhook_path)
        await self.http.start()
        if self.application is not None:
            await self.application.initialize()
            self.engine.config = self._with_private_link(self.application.bot.username)
            await self._register_commands(self.application)
            await self.application.start()
            if self.telegram_inbox is not None:
                self.telegram_inbox.start()  # what earlier runs stored goes first
        for worker in self.whatsapp_workers:
            worker.start()
        self._started = True
        if self._notifications is not None:
            self.election = self._build_election(self._notifications)
            await self.election.begin()  # alone, this process leads once start() returns
        else:
            await self._lead()
        log.info("bot started; HTTP on %s, callbacks under %s", self.http.url, public)

    def _build_election(self, notifications: Notifications) -> LeaderElection:
        lock = LeaderConnection(self.settings.DATABASE_URL)
        election = LeaderElection(
            lock,
            on_elected=self._lead,
            on_deposed=self._stop_leading,
            interval=self.settings.LEADER_POLL_SECONDS,
        )
        # Every process listens; a NOTIFY only wakes workers that run (the leader's).
        lock.listen("outbox", self._heard(self.wake_notifiers))
        lock.listen("payments", self._heard(self.payments_wake.set))
        # A leader that stops says so: the others try the lock now, not at their next round.
        lock.listen("leader", self._heard(election.nudge))
        return election

    async def _lead(self) -> None:
        """Start what runs once per deployment: Telegram's webhook or long polling, the
        notifiers, the reconciler, the daily summary, code retention."""
        s = self.settings
        self.leader = True
        self.metrics.set_leader(True)
        if self.application is not None:
            if s.TELEGRAM_WEBHOOK_URL:
                await self.application.bot.set_webhook(
                    s.TELEGRAM_WEBHOOK_URL,
                    secret_token=webhook_secret(s),
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                assert self.application.updater is not None
                await self.application.updater.start_polling(
                    poll_interval=POLL_INTERVAL, timeout=10, allowed_updates=ALLOWED_UPDATES
                )
        for notifier in self.notifiers.values():
            notifier.start()
        self.reconciler.start()
        self.daily_summary.start()
        self.retention.start()

    async def _stop_leading(self, deadline: float | None = None) -> None:
        """The lock is lost (or given up): the work another process may be taking over
        stops here, all of it at once; sends under way get until `deadline` (at least a
        second) to finish and be marked."""
        self.leader = False
        self.metrics.set_leader(False)
        await self._stop_updater()
        grace = STOP_GRACE_SECONDS if deadline is None else max(_left(deadline), 1.0)
        await asyncio.gather(
            self._stop_passes(), *(notifier.stop(grace) for notifier in self.notifiers.values())
        )

    async def _stop_passes(self) -> None:
        """The leader's periodic passes: the reconciler, the daily summary, code retention."""
        await asyncio.gather(
            self.daily_summary.stop(), self.retention.stop(), self.reconciler.stop()
        )

    async def _stop_updater(self) -> None:
        """Long polling ends: PTB cancels the getUpdates in flight (what it fetched and did
        not confirm comes again, Telegram's offsets), then confirms what it handled."""
        if self.application is not None and self.application.updater is not None:
            with contextlib.suppress(Exception):
                if self.application.updater.running:
                    await self.application.updater.stop()

    def _with_private_link(self, username: str | None) -> ConversationConfig:
        link = f"https://t.me/{username}" if username else ""
        return replace(self.engine.config, private_link=link)

    def _http_app(self, webhook_path: str | None) -> CallbacksFirst:
        secret = webhook_secret(self.settings) if webhook_path else None
        return build_http_app(
            storage=self.storage,
            callbacks=self.callbacks,
            metrics=self.metrics,
            health=self.health,
            webhook_path=webhook_path,
            webhook_secret=secret,
            webhook_sink=self._webhook_update if webhook_path else None,
            body_timeout=self.settings.HTTP_BODY_TIMEOUT_SECONDS,
            whatsapp_path=self.settings.WHATSAPP_WEBHOOK_PATH if self.whatsapp_intake else None,
            whatsapp=self.whatsapp_intake,
            collection_callbacks=CollectionCallbacks(self.collections),
            leader=lambda: self.leader,
        )

    async def _webhook_update(self, raw: bytes, data: dict[str, object]) -> None:
        assert self.telegram_intake is not None
        await self.telegram_intake.accept(raw, data)

    async def stop(self) -> None:
        """SIGTERM: take nothing new, hand leadership over at once, give the work in flight
        STOP_GRACE_SECONDS in all (side by side, not one after another), then close. An
        idle process exits at once: nothing here waits for a fixed time."""
        deadline = asyncio.get_running_loop().time() + STOP_GRACE_SECONDS
        if self.election is not None:
            # No takeover nor loss from here on.
            await self.election.stop_trying()
        if self._polling is not None:
            self._polling.stopping()  # PTB's last getUpdates only if it confirms something
        # Nothing new comes in; what the inboxes could not finish goes back at once.
        inboxes = [w for w in self.whatsapp_workers if isinstance(w, InboxWorker)]
        if self.telegram_inbox is not None:
            inboxes.append(self.telegram_inbox)  # before the Application it feeds
        await asyncio.gather(
            self._stop_updater(), *(inbox.stop(grace=_left(deadline)) for inbox in inboxes)
        )
        # The updates being handled finish here before another process may lead and take
        # the next ones: never two updates of one user at once.
        await self._stop_application(deadline)
        if self._started and self.election is not None:
            # The leader's work stops and its lock is freed now, not after the drains: a
            # standby leads while this process finishes its pay calls (each under a claim
            # of its own, so no reconciler takes them meanwhile).
            was_leading = self.leader
            await self._stop_leading(deadline)
            await self.election.release()
            self.election = None
            if was_leading and self._notifications is not None:
                self._notifications.publish("leader")
        if self._started:
            await self._stop_passes()
            await asyncio.gather(
                self.payments.drain(timeout=_left(deadline)),
                self.collections.drain(timeout=_left(deadline)),
                self.pay_the_rest.drain(timeout=_left(deadline)),
                *(w.stop() for w in self.whatsapp_workers if not isinstance(w, InboxWorker)),
            )
            if self.leader:  # alone (SQLite): its notifier sent what the drains queued
                await self._stop_leading(deadline)
        if self.election is not None:
            await self.election.release()
            self.election = None
        self.leader = False
        if self._notifications is not None:
            await self._notifications.close()
        if self.application is not None:
            with contextlib.suppress(Exception):
                await self.application.shutdown()
        if self.http is not None:
            await self.http.stop()
        if self._started:
            await self.client.aclose()
            if self.whatsapp_client is not None:
                await self.whatsapp_client.aclose()
        await self.storage.close()
        self._started = False

    async def _stop_application(self, deadline: float) -> None:
        """PTB's Application: the updates it is handling finish, until `deadline`."""
        if self.application is None:
            return
        with contextlib.suppress(Exception):
            if self.application.running:
                async with asyncio.timeout(_left(deadline)):
                    await self.application.stop()

    async def run_until_stopped(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()


def _left(deadline: float) -> float:
    """Seconds until `deadline` on the running loop's clock (0 once it is past)."""
    return max(0.0, deadline - asyncio.get_running_loop().time())
