"""The state shared by the Graph API side and the user side of the fake, and the webhook
notifications both produce (users' messages, statuses of the bot's)."""

import secrets
import time
from collections import Counter, deque
from collections.abc import Callable

from .clock import Clock
from .models import (
    JSON,
    ApiCall,
    BotMessage,
    Media,
    StatusEvent,
    UserMessage,
    WaUser,
    WebhookAttempt,
)
from .pace import Pace, PaceKeeper
from .payloads import Business, status
from .signals import Signal
from .templates import TemplatesArg, registry
from .webhook import Notification, WebhookDeliverer

WINDOW = 24 * 3600.0
BotObserver = Callable[[BotMessage, str], None]


class WhatsAppState:
    """Everything the fake knows; mutated only from the event loop."""

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        display_phone_number: str,
        waba_id: str,
        app_secret: str,
        verify_token: str,
        templates: TemplatesArg | None,
        pace: Pace | None,
        realistic: bool,
        clock: Callable[[], float] | None,
        webhook_url: str | None,
        webhook_retry_delay: float,
        webhook_concurrency: int,
        record_calls: bool,
    ) -> None:
        self.access_token = access_token
        self.business = Business(phone_number_id, display_phone_number, waba_id)
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.templates = registry(templates)
        self._pace = PaceKeeper(pace if pace is not None else Pace())
        # Realistic statuses: each one twice, and a message's in reverse order (delivered
        # before sent), as Meta may send them. Switchable at any time.
        self.duplicate_statuses = realistic
        self.reorder_statuses = realistic
        self.clock = Clock(clock or time.time)
        self.record_calls = record_calls
        self.users: list[WaUser] = []
        self._by_phone: dict[str, WaUser] = {}
        self._by_bsuid: dict[str, WaUser] = {}
        self.sent: list[BotMessage] = []  # every message accepted, in order
        self._sent_to: dict[WaUser | None, list[BotMessage]] = {}
        self._sent_by_id: dict[str, BotMessage] = {}
        self.inbound: list[UserMessage] = []  # every message of a user, in order
        self._inbound_by_id: dict[str, UserMessage] = {}
        self.media: dict[str, Media] = {}
        self.calls: list[ApiCall] = []
        self.refused: Counter[int] = Counter()  # error answers by Meta code (injected too)
        self.failed: Counter[int] = Counter()  # `failed` statuses by code, once a message
        self.statuses: list[StatusEvent] = []  # every status queued, duplicates included
        self.webhook_attempts: list[WebhookAttempt] = []
        self.internal_errors: list[Exception] = []  # bugs of the fake itself, answered 500
        self._injected_failures: Counter[int] = Counter()
        self._call_faults: deque[tuple[int | None, int]] = deque()  # (code, HTTP status)
        self._delivery_faults: deque[int] = deque()
        self._observers: list[BotObserver] = []
        self._seq = 0
        self._counter = 0
        self._nonce = secrets.token_hex(4).upper()  # ids differ between two fakes' lives
        self._held: list[tuple[JSON, UserMessage | None]] | None = None
        self.changed = Signal()  # fired on every message, call, status and attempt
        self._deliverer = WebhookDeliverer(
            app_secret,
            self.webhook_attempts,
            self.changed.fire,
            retry_delay=webhook_retry_delay,
            concurrency=webhook_concurrency,
        )
        self._deliverer.url = webhook_url

    @property
    def pace(self) -> Pace:
        """The paces in force: change its fields, or assign a new Pace (buckets kept)."""
        return self._pace.pace

    @pace.setter
    def pace(self, pace: Pace) -> None:
        self._pace.pace = pace

    def reset_pace(self) -> None:
        """Forget the messages sent so far: every bucket full again."""
        self._pace.reset()

    # --- ids, time, events ------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _unique(self) -> int:
        self._counter += 1
        return self._counter

    def _wamid(self) -> str:
        return f"wamid.HBgM{self._nonce}{self._unique():010d}FQIAERgS"

    def _media_id(self) -> str:
        return str(1_000_000_000_000_000 + int(self._nonce, 16) * 100_000 + self._unique())

    def now(self) -> float:
        """The fake's clock (unix seconds)."""
        return self.clock.now()

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0) -> float:
        """Move the fake's clock forward (windows close, buckets refill); the new time."""
        moved = self.clock.advance(seconds, minutes=minutes, hours=hours)
        self.changed.fire()
        return moved

    def _touch(self, message: BotMessage, event: str) -> None:
        message.seq = self._next_seq()
        self.changed.fire()
        for observer in self._observers:
            observer(message, event)

    # --- users ----------------------------------------------------------------------------

    def find_user(self, ident: str) -> WaUser | None:
        """The user with this BSUID or number (a leading + and separators ignored)."""
        found = self._by_bsuid.get(ident)
        if found is None:
            found = self._by_phone.get(_digits(ident))
        return found

    def _index(self, user: WaUser) -> None:
        self._by_phone = {key: u for key, u in self._by_phone.items() if u is not user}
        self._by_bsuid = {key: u for key, u in self._by_bsuid.items() if u is not user}
        self._by_phone[user.phone] = user
        if user.bsuid is not None:
            self._by_bsuid[user.bsuid] = user

    def in_window(self, user: WaUser) -> bool:
        """Free-form messages may reach them: they wrote within the last 24 hours."""
        last = user.last_inbound
        return last is not None and self.now() - last < WINDOW

    # --- notifications ----------------------------------------------------------------------

    def _emit(self, value: JSON, record: UserMessage | None = None) -> Notification | None:
        """Queue one webhook notification holding `value` (held back inside batch())."""
        if self._held is not None:
            self._held.append((value, record))
            return None
        notification = self._deliverer.new(self.business.notification([value]))
        if record is not None:
            record.notification = notification.id
        self._deliverer.put(notification)
        self.changed.fire()
        return notification

    def _release(self, held: list[tuple[JSON, UserMessage | None]]) -> None:
        """One notification for everything made inside a batch: its messages in one value
        (contacts once each), its statuses in another."""
        contacts: list[JSON] = []
        messages: list[JSON] = []
        statuses: list[JSON] = []
        for value, _ in held:
            for contact in value.get("contacts", []):
                if contact not in contacts:
                    contacts.append(contact)
            messages.extend(value.get("messages", []))
            statuses.extend(value.get("statuses", []))
        values = []
        if messages:
            values.append(self.business.messages_value(contacts, messages))
        if statuses:
            values.append(self.business.statuses_value(statuses))
        if not values:
            return
        notification = self._deliverer.new(self.business.notification(values))
        for _, record in held:
            if record is not None:
                record.notification = notification.id
        self._deliverer.put(notification)
        self.changed.fire()

    def _post_statuses(
        self, message: BotMessage, states: list[str], code: int | None = None
    ) -> None:
        """Move the message on to `states` and post them, realistically if so set."""
        now = self.now()
        message.statuses.extend(states)
        if code is not None:
            message.error_code = code
            self.failed[code] += 1
        self._touch(message, states[-1])
        order = list(reversed(states)) if self.reorder_statuses else list(states)
        if self.duplicate_statuses:
            order = order + order
        for state in order:
            item = status(message, state, now, code if state == "failed" else None)
            notification = self._emit(self.business.statuses_value([item]))
            number = notification.id if notification is not None else 0
            self.statuses.append(StatusEvent(message.wamid, state, code, number))

    def _deliver(self, message: BotMessage) -> None:
        """What becomes of a message just accepted: sent and delivered, or failed."""
        user = message.user
        code: int | None = None
        if self._delivery_faults:
            code = self._delivery_faults.popleft()
            self._injected_failures[code] += 1
        elif user is None or user.blocked:
            code = 131026
        elif message.content.free_form and not self.in_window(user):
            code = 131047
        if code is not None:
            self._post_statuses(message, ["failed"], code)
        else:
            self._post_statuses(message, ["sent", "delivered"])


def _digits(ident: str) -> str:
    text = ident.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if digits and all(ch.isdigit() or ch in "+ -()" for ch in text) else text
