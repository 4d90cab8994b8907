"""A fake WhatsApp Cloud API (Graph API) on loopback, for end-to-end tests and benchmarks.

The bot's WhatsApp client talks HTTP to it; the fake posts signed webhooks to the bot; the
test plays the users, from the same event loop::

    from bot.channels.whatsapp.templates import by_name

    async with FakeWhatsApp(templates=by_name(), webhook_url=f"{bot_url}/whatsapp/webhook") as wa:
        # the bot: WHATSAPP_API_BASE_URL=wa.base_url, WHATSAPP_ACCESS_TOKEN=wa.access_token,
        # WHATSAPP_PHONE_NUMBER_ID=wa.phone_number_id, WHATSAPP_APP_SECRET=wa.app_secret,
        # WHATSAPP_VERIFY_TOKEN=wa.verify_token
        awa = wa.user("221771234567", "Awa", bsuid="SN.12345")   # with_number=False: no wa_id
        await wa.send_text(awa, "menu")
        menu = await wa.wait_for_message(awa, "Woyofal")           # text, body, caption, title…
        await wa.press(awa, menu, "Acheter Woyofal")               # by title or id; context.id
        await wa.read(awa)                                         # `read` statuses
        wa.advance(hours=25)                                       # the window closes
        await wa.wait_until_idle()                                 # every webhook answered 2xx
        wa.assert_contract_kept()                                  # nothing refused, no failure

Constructor: `access_token`, `phone_number_id`, `display_phone_number`, `waba_id`,
`app_secret`, `verify_token` (test values by default); `templates` (name → {language:
(text, parameter count)}, or the bot's `by_name()` as it is; none by default: every
template refused); `pace` (a `Pace`: `messages_per_second` 80, `recipient_burst` 3,
`recipient_interval` 6 s by default, the bot's own defaults; `Pace.off()` lifts both);
`realistic` (True by default: every status posted twice and a message's statuses in
reverse order, delivered before sent; False for one `sent` then one `delivered`; also
`wa.duplicate_statuses` / `wa.reorder_statuses` at any time); `clock` (a callable giving
unix seconds, `time.time` by default; `FrozenClock()` stands still until advanced);
`webhook_url`, `webhook_retry_delay` (0.05 s, doubling to 1 s, retried until 2xx),
`webhook_concurrency` (1: one POST at a time, first tries in order); `record_calls`.

The rules, per `POST /{vN.N}/{phone_number_id}/messages` and `/media`:
- a wrong bearer token → 401 code 190; another phone number id → 400 code 100;
- the shape (unknown type, a missing or extra field) → 400 code 100; a value past a limit
  (lengths in UTF-16 units, counts, duplicates, blanks) → 400 code 131009; templates:
  unknown name or language 132001, parameter count 132000, not text 132012, empty 131008,
  a new line, tab or 4 spaces 132018, filled body over 1 024 132005; upload: 131053;
- throughput beyond `messages_per_second` → 130429; a recipient's pace → 131056;
- accepted (200 + wamid), then statuses to the webhook: `sent`, `delivered` (`read` on
  `wa.read`); `failed` with 131047 for a free-form message outside the 24-hour window (a
  template goes anytime), 131026 for a blocked user or an id nobody has.

Time and paces: `wa.advance(seconds=, minutes=, hours=)`, `wa.now()`; `wa.pace` (change
its fields at any time), `wa.reset_pace()` (every bucket full again).

Users: `wa.user(phone, name, bsuid=, with_number=)`, `wa.find_user(phone or bsuid)`;
`send_text(user, text, reply_to=)`, `press(user, message, choice, force=)`,
`send_sticker`, `send_image`, `send_location`, `send_other(user, type, fields)`,
`change_number(user, new)`, `change_bsuid(user, new)`, `read(user, message=None)`,
`block(user)` / `unblock`; `async with wa.batch():` puts what is made inside in one POST.

Webhook: `set_webhook(url)`, `verify_webhook(...)` and `subscribe(url)` (Meta's GET
handshake), `post_raw(body, signature=...)` (forged, unsigned, tampered),
`redeliver(user_message)` (the same bytes again), `sign(body)`.

What tests look at: `messages(user)` (BotMessage: `.type`, `.text`, `.buttons` [(id,
title)], `.rows`, `.choices`, `.template`, `.params`, `.image`, `.status`, `.statuses`,
`.error_code`, `.payload`), `last_message`, `message(wamid)`, `user_messages(user)`
(`.read_by_bot`), `calls` / `calls_to("messages" | "read" | "media")` (ApiCall with
`.status`, `.code`, `.details`), `refused` (Counter by code), `failed` (Counter of failed
statuses by code), `statuses` (every status queued), `webhook_attempts`, `media`,
`internal_errors`, `pending_webhooks`, `webhooks_in_flight`; `mark()` and `since=`;
`wait_for_message`, `wait_for_call`, `wait_until(check)` (re-checked on each change of
the fake), `wait_until_idle`; `assert_contract_kept(refused=, failed=)`. Injection:
`fail_next(code, n, http_status=, method=)`, `fail_delivery_next(code, n)`; neither counts
against the contract.

Standalone, for trying the bot by hand: `python -m fakes.whatsapp --port 8082 --webhook URL`.
"""

from .clock import FrozenClock
from .errors import GraphError
from .models import (
    ApiCall,
    BotMessage,
    Content,
    Media,
    Row,
    StatusEvent,
    UserMessage,
    WaUser,
    WebhookAttempt,
)
from .pace import Pace
from .server import (
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    DEFAULT_TOKEN,
    DEFAULT_VERIFY_TOKEN,
    FakeWhatsApp,
    Verification,
)
from .webhook import SIGNATURE_HEADER, Notification, sign

__all__ = [
    "DEFAULT_APP_SECRET",
    "DEFAULT_PHONE_NUMBER_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_VERIFY_TOKEN",
    "SIGNATURE_HEADER",
    "ApiCall",
    "BotMessage",
    "Content",
    "FakeWhatsApp",
    "FrozenClock",
    "GraphError",
    "Media",
    "Notification",
    "Pace",
    "Row",
    "StatusEvent",
    "UserMessage",
    "Verification",
    "WaUser",
    "WebhookAttempt",
    "sign",
]
