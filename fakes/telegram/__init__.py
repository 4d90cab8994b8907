"""A fake Telegram Bot API server on loopback, for end-to-end tests and benchmarks.

The real python-telegram-bot `Application` talks HTTP to it (polling or webhook) while the test
plays the users, from the same event loop::

    async with FakeTelegram(token="123456:TEST-TOKEN", bot_username="senpay_test_bot") as tg:
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
        ...  # add handlers, app.initialize(), app.start(), app.updater.start_polling(...)
        alice = tg.user(1001, "Awa", username="awa", language_code="fr")
        await tg.send_text(alice, "/start")                      # entities: bot_command
        menu = await tg.wait_for_message(alice, "Woyofal")        # newest match, after edits
        pressed = await tg.press(alice, menu, "woyofal")          # callback_query update
        answer = await tg.wait_for_answer(pressed)
        await tg.press_many(alice, menu, ["confirm", "confirm"])  # one getUpdates batch
        tg.messages(alice)[-1].buttons   # [[("Oui", "yes"), ...]]; .edits, .photo, .text...

Inspect `tg.calls` (every API call with its answer), `tg.answered_callback_queries`,
`tg.commands`, `tg.count_429`, `tg.webhook_attempts`; wait with `wait_for_message`,
`wait_for_call`, `wait_until_delivered`; `since=tg.mark()` ignores what happened before.

Off by default and switchable at runtime: Telegram's flood limits (`tg.enable_rate_limits()`,
`tg.rate_limits`), blocked users (`tg.block(alice)` -> 403), injected errors
(`tg.fail_next("sendMessage", 2, 502)`) and latency (`tg.set_latency("sendMessage", 0.2)`).

Standalone, for trying the bot by hand: `python -m fakes.telegram --port 8081`.
"""

from .errors import ApiError
from .images import image_size, tiny_png
from .limits import SENDING_METHODS, RateLimits
from .models import (
    ApiCall,
    BotMessage,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    MessageVersion,
    PressedButton,
    StoredFile,
    UserMessage,
    WebhookAttempt,
)
from .params import Params, UploadedFile
from .server import FakeTelegram
from .users import UpdateBatch

__all__ = [
    "SENDING_METHODS",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "MessageVersion",
    "Params",
    "PressedButton",
    "RateLimits",
    "StoredFile",
    "UpdateBatch",
    "UploadedFile",
    "UserMessage",
    "WebhookAttempt",
    "image_size",
    "tiny_png",
]
