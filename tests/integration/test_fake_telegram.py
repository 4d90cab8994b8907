"""The fake Telegram server, driven by the real python-telegram-bot over loopback HTTP."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.web.server import LoopbackServer
from fakes.telegram import ApiError, FakeTelegram, RateLimits, image_size, tiny_png
from fakes.telegram.formatting import parse
from fakes.telegram.limits import RateLimiter

TOKEN = "123456:TEST-TOKEN"
App = Application[Any, Any, Any, Any, Any, Any]
# PTB warns when its own RetryAfter reads retry_after as an int.
ignore_retry_after_warning = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture
async def tg():
    async with FakeTelegram(TOKEN, bot_username="senpay_test_bot") as fake:
        yield fake
    assert fake.internal_errors == []


@pytest.fixture
async def bot(tg):
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as client:
        yield client


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def last_response(tg: FakeTelegram, method: str) -> dict[str, Any]:
    return tg.calls_to(method)[-1].response


# --- protocol ---------------------------------------------------------------------------------


async def test_get_me_and_telegram_shaped_errors(tg, bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "senpay_test_bot")
    assert me.can_join_groups is True

    async with httpx.AsyncClient(base_url=tg.url) as http:
        wrong = await http.post("/bot123456:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        unknown = await http.post(f"/bot{TOKEN}/sendUnicorn")
        assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
        assert (await http.get(f"/file/bot{TOKEN}/photos/nothing.png")).status_code == 404
        by_get = await http.get(f"/bot{TOKEN}/getme")  # method names are case-insensitive
        assert by_get.json()["result"]["id"] == 123456

    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG", base_url=tg.base_url):
            pass


async def test_parameters_from_query_form_json_and_multipart(tg):
    tg.user(1001, "Awa")
    markup = {"inline_keyboard": [[{"text": "Oui", "callback_data": "yes"}]]}
    async with httpx.AsyncClient(base_url=f"{tg.url}/bot{TOKEN}") as http:
        as_query = await http.get("/sendMessage", params={"chat_id": 1001, "text": "query"})
        as_form = await http.post(
            "/sendMessage",
            data={"chat_id": "1001", "text": "form", "reply_markup": json.dumps(markup)},
        )
        as_json = await http.post(
            "/sendMessage", json={"chat_id": 1001, "text": "json", "reply_markup": markup}
        )
        as_multipart = await http.post(
            "/sendPhoto",
            data={"chat_id": "1001", "caption": "multipart"},
            files={"photo": ("qr.png", tiny_png(3, 2), "image/png")},
        )
    assert [r.status_code for r in (as_query, as_form, as_json, as_multipart)] == [200] * 4
    assert as_form.json()["result"]["reply_markup"] == markup
    assert as_json.json()["result"]["reply_markup"] == markup
    photo = as_multipart.json()["result"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (3, 2)
    assert [m.content for m in tg.messages(1001)] == ["query", "form", "json", "multipart"]
    recorded = tg.calls_to("sendMessage")[1].params
    assert recorded == {"chat_id": 1001, "text": "form", "reply_markup": markup}


# --- sending, editing, answering ----------------------------------------------------------------


async def test_send_edit_and_answer_flow(tg, bot):
    alice = tg.user(1001, "Awa", username="awa", language_code="fr")
    sent = await bot.send_message(
        alice.id,
        "<b>Woyofal</b> — choisissez",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([("Acheter", "buy"), ("Annuler", "cancel")]),
    )
    assert sent.text == "Woyofal — choisissez"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 7
    message = tg.messages(alice)[0]
    assert message.buttons == [[("Acheter", "buy"), ("Annuler", "cancel")]]
    assert message.raw_text == "<b>Woyofal</b> — choisissez"

    pressed = await tg.press(alice, message, "buy")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert (query.data, query.from_user.language_code, query.message.message_id) == (
        "buy",
        "fr",
        sent.message_id,
    )
    await query.answer("Un instant…")
    assert pressed.answer is not None and pressed.answer.text == "Un instant…"
    assert tg.answered_callback_queries[pressed.id] is pressed.answer
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()  # a query is answered once
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")

    await bot.edit_message_text("Montant ?", alice.id, sent.message_id)
    assert message.text == "Montant ?" and message.buttons == []  # no markup: keyboard removed
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Montant ?", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)
    await bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=keyboard([("OK", "ok")])
    )
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=None)
    assert [v.method for v in message.edits] == [
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageReplyMarkup",
    ]
    assert message.versions[0].text == "Woyofal — choisissez"
    with pytest.raises(ValueError, match="no button"):
        await tg.press(alice, message, "buy")  # the keyboard is gone
    await tg.press(alice, message, "buy", force=True)  # a stale press still reaches the bot

    assert await bot.delete_message(alice.id, sent.message_id)
    assert tg.messages(alice) == [] and tg.messages(alice, include_deleted=True) == [message]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_message_length_counts_text_after_formatting(tg, bot):
    tg.user(1001)
    await bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    await bot.send_message(1001, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(1001, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "&amp;" * 4097, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "<i></i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(1001, tiny_png(), caption="c" * 1025)
    assert last_response(tg, "sendMessage")["description"] == "Bad Request: message text is empty"


async def test_formatting_errors_like_telegram(tg, bot):
    tg.user(1001)
    with pytest.raises(BadRequest, match="Can't parse entities") as html:
        await bot.send_message(1001, "Solde < 500 F", parse_mode=ParseMode.HTML)
    assert 'unsupported start tag "" at byte offset 6' in html.value.message.lower()
    with pytest.raises(BadRequest, match="reserved and must be escaped"):
        await bot.send_message(1001, "Total: 1.000 F", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(1001, r"*Total:* 1\.000 F", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "Total: 1.000 F" and sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(1001, "x", parse_mode="Klingon")


def test_entity_offsets_count_utf16_units():
    text, entities = parse("👍 <b>Orange</b> Money", "HTML")
    assert text == "👍 Orange Money"
    assert entities == [{"offset": 3, "length": 6, "type": "bold"}]
    text, entities = parse("<pre><code class='language-python'>x = 1</code></pre>", "html")
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]


async def test_inline_keyboard_validation(tg, bot):
    tg.user(1001)
    await bot.send_message(1001, "ok", reply_markup=keyboard([("A", "x" * 64)]))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1001, "é", reply_markup=keyboard([("A", "é" * 33)]))  # 66 bytes
    async with httpx.AsyncClient(base_url=f"{tg.url}/bot{TOKEN}") as http:
        text_only = await http.post(
            "/sendMessage",
            json={
                "chat_id": 1001,
                "text": "t",
                "reply_markup": {"inline_keyboard": [[{"text": "A"}]]},
            },
        )
        two_actions = {"text": "A", "callback_data": "a", "url": "https://example.com"}
        both = await http.post(
            "/sendMessage",
            json={
                "chat_id": 1001,
                "text": "t",
                "reply_markup": {"inline_keyboard": [[two_actions]]},
            },
        )
        reply_keyboard = await http.post(
            "/sendMessage",
            json={"chat_id": 1001, "text": "t", "reply_markup": {"keyboard": [["Oui", "Non"]]}},
        )
    assert text_only.status_code == 400
    assert "Text buttons are unallowed" in text_only.json()["description"]
    assert both.status_code == 400
    assert (
        reply_keyboard.status_code == 200 and "reply_markup" not in reply_keyboard.json()["result"]
    )


# --- users and updates ---------------------------------------------------------------------------


async def test_user_updates_carry_telegram_objects(tg, bot):
    alice = tg.user(1001, "Awa", username="awa", language_code="wo")
    family = tg.group(-100123, "Famille")
    await tg.send_text(alice, "👍 /start")
    await tg.send_text(alice, "/pay@senpay_test_bot 5000", chat=family)
    await tg.send_sticker(alice)
    await tg.send_photo_from_user(alice, caption="facture")
    await tg.send_contact(alice, "+221770000000")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2, 3, 4, 5]
    private, group, sticker, photo, contact = (u.message for u in updates)
    assert private.from_user.language_code == "wo" and private.chat.type == "private"
    assert private.entities[0].type == "bot_command" and private.entities[0].offset == 3
    assert private.parse_entities() == {private.entities[0]: "/start"}
    assert group.chat.type == "group" and group.chat.title == "Famille"
    assert group.entities[0].length == len("/pay@senpay_test_bot")
    assert group.message_id == 1 and private.message_id == 1  # ids count per chat
    assert sticker.sticker.emoji == "👍"
    assert photo.caption == "facture"
    downloaded = await (await photo.photo[-1].get_file()).download_as_bytearray()
    assert image_size(bytes(downloaded)) == ("png", 4, 4)
    assert contact.contact.user_id == 1001


async def test_long_poll_wakes_as_soon_as_an_update_arrives(tg, bot):
    # The poll may last 50 s (the fake's longest): done well before, it was the update
    # that ended it, however busy the machine.
    alice = tg.user(1001)
    poll = asyncio.create_task(bot.get_updates(timeout=50))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await tg.send_text(alice, "salut")
    async with asyncio.timeout(25):
        updates = await poll
    assert [u.message.text for u in updates] == ["salut"]


async def test_long_poll_expires_empty(tg, bot):
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(10):  # it does end (a poll that never ends waits for ever)
        assert await bot.get_updates(timeout=1) == ()
    assert loop.time() - started > 0.9  # it waited its timeout
    [poll] = tg.calls_to("getUpdates")
    assert poll.ok and poll.response == {"ok": True, "result": []}  # answered, empty


async def test_offset_confirms_updates(tg, bot):
    alice = tg.user(1001)
    for text in ("un", "deux", "trois", "quatre"):
        await tg.send_text(alice, text)
    assert len(await bot.get_updates()) == 4
    assert len(await bot.get_updates()) == 4  # nothing confirmed yet
    assert [u.message.text for u in await bot.get_updates(offset=3, limit=1)] == ["trois"]
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["quatre"]
    assert tg.pending_updates == 1
    assert await bot.get_updates(offset=5) == ()
    assert tg.pending_updates == 0
    await tg.wait_until_delivered(timeout=0.1)


async def test_batched_presses_arrive_in_one_get_updates(tg, bot):
    alice = tg.user(1001)
    await bot.send_message(1001, "Confirmer 5000 F ?", reply_markup=keyboard([("Oui", "confirm")]))
    confirm = tg.messages(alice)[-1]

    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with tg.batch():
        await tg.press(alice, confirm, "confirm")
        await asyncio.sleep(0.1)  # the waiting poll must not see a partial batch
        await tg.press(alice, confirm, "Oui")
    updates = await poll
    assert [u.callback_query.data for u in updates] == ["confirm", "confirm"]

    pressed = await tg.press_many(alice, confirm, ["confirm", "confirm"])
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.update_id for u in updates] == [p.update_id for p in pressed]
    assert len({p.id for p in pressed}) == 2


async def test_waiting_for_messages_and_calls(tg, bot):
    alice = tg.user(1001)

    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        sent = await bot.send_message(1001, "Woyofal: 1/2")
        await asyncio.sleep(0.05)
        await bot.edit_message_text("Woyofal: 2/2", 1001, sent.message_id)

    task = asyncio.create_task(reply_later())
    message = await tg.wait_for_message(alice, lambda m: "Woyofal" in m.text, timeout=2)
    mark = tg.mark()
    edited = await tg.wait_for_message(alice, "2/2", since=mark, timeout=2)
    assert edited is message and message.text == "Woyofal: 2/2"
    call = await tg.wait_for_call("editMessageText", since=mark, timeout=2)
    assert call.ok and call.params["message_id"] == message.message_id
    await task
    with pytest.raises(TimeoutError, match="Woyofal: 2/2"):
        await tg.wait_for_message(alice, "Senelec", timeout=0.1)


# --- limits and faults ---------------------------------------------------------------------------


@ignore_retry_after_warning
async def test_rate_limits_answer_429_with_retry_after(tg, bot):
    for user_id in (1001, 1002, 1003):
        tg.user(user_id)
    tg.enable_rate_limits(global_per_second=2, per_chat_per_second=1)
    await bot.send_message(1001, "un")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "deux")  # per chat
    body = last_response(tg, "sendMessage")
    assert body["error_code"] == 429 and body["parameters"]["retry_after"] >= 1
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
    await bot.send_message(1002, "un")
    with pytest.raises(RetryAfter):
        await bot.send_message(1003, "un")  # global
    await bot.send_chat_action(1001, "typing")  # not a sending call
    assert tg.count_429 == 2
    tg.disable_rate_limits()
    await bot.send_message(1001, "trois")


def test_rate_limiter_windows_slide():
    limiter = RateLimiter(RateLimits(enabled=True, global_per_second=30, per_chat_per_second=1))
    assert limiter.retry_after(1, 10.0) is None
    limiter.record(1, 10.0)
    assert limiter.retry_after(1, 10.5) == 1
    assert limiter.retry_after(2, 10.5) is None
    assert limiter.retry_after(1, 11.01) is None
    groups = RateLimiter(RateLimits(enabled=True, per_chat_per_second=5, per_group_per_minute=2))
    for now in (0.0, 1.0):
        groups.record(-5, now)
    assert groups.retry_after(-5, 2.0) == 58
    assert groups.retry_after(5, 2.0) is None


async def test_blocked_user_gets_403(tg, bot):
    alice = tg.user(1001)
    tg.block(alice)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "Votre reçu")
    assert (
        last_response(tg, "sendMessage")["description"] == "Forbidden: bot was blocked by the user"
    )
    await tg.send_text(alice, "/start")  # writing again unblocks the bot
    await bot.send_message(1001, "Bienvenue")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "inconnu")


@ignore_retry_after_warning
async def test_injected_failures_and_latency(tg, bot):
    tg.user(1001)
    tg.fail_next("sendMessage", 2, 502)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(1001, "x")
    await bot.send_message(1001, "x")
    tg.fail_next("sendMessage", 1, 429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "x")
    assert last_response(tg, "sendMessage")["parameters"] == {"retry_after": 3}
    assert tg.count_429 == 1

    def only_boom(params):
        return ApiError(400, "Bad Request: boom") if params.get_str("text") == "boom" else None

    tg.fail_next("sendMessage", 1, only_boom)
    await bot.send_message(1001, "fine")  # does not match: passes and keeps the failure armed
    with pytest.raises(BadRequest, match="Boom"):
        await bot.send_message(1001, "boom")

    tg.set_latency("getChat", 0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    chat = await bot.get_chat(1001)
    assert chat.id == 1001 and loop.time() - started >= 0.3
    assert tg.calls_to("getChat")[-1].duration >= 0.3


# --- webhook -------------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_and_retries(tg, bot):
    received: list[tuple[str | None, dict[str, Any]]] = []
    statuses = iter([500])

    async def hook(request: Request) -> Response:
        received.append(
            (request.headers.get("x-telegram-bot-api-secret-token"), await request.json())
        )
        return Response(status_code=next(statuses, 200))

    alice = tg.user(1001)
    async with LoopbackServer(
        Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    ) as hook_server:
        assert await bot.set_webhook(f"{hook_server.url}/hook", secret_token="s3cr3t")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await tg.send_text(alice, "un")
        await tg.send_text(alice, "deux")
        await tg.wait_until_delivered(timeout=3)
        assert [status for status in (a.status for a in tg.webhook_attempts)] == [500, 200, 200]
        assert [body["message"]["text"] for _, body in received] == ["un", "un", "deux"]
        assert {secret for secret, _ in received} == {"s3cr3t"}
        info = await bot.get_webhook_info()
        assert info.url == f"{hook_server.url}/hook" and info.pending_update_count == 0
        assert "500" in info.last_error_message
        assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_application_in_webhook_mode(tg):
    """The bot's own server puts webhook updates on the Application's queue."""
    alice = tg.user(1001)
    app = ApplicationBuilder().token(TOKEN).base_url(tg.base_url).updater(None).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    app.add_handler(MessageHandler(filters.TEXT, echo))

    async def hook(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != "s3cr3t":
            return Response(status_code=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response()

    async with app, LoopbackServer(Starlette(routes=[Route("/tg", hook, methods=["POST"])])) as srv:
        await app.start()
        await app.bot.set_webhook(f"{srv.url}/tg", secret_token="s3cr3t")
        await tg.send_text(alice, "dakar")
        reply = await tg.wait_for_message(alice, "DAKAR", timeout=3)
        assert reply.text == "DAKAR"
        await app.stop()


# --- the real Application, polling ----------------------------------------------------------------


async def start_polling_app(tg: FakeTelegram) -> App:
    app = ApplicationBuilder().token(TOKEN).base_url(tg.base_url).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(
            f"Echo: {update.message.text}", reply_markup=keyboard([("Encore", "again")])
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("OK")
        await query.edit_message_text(f"Pressed {query.data}")

    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stop_app(app: App) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_application_polling_echo_and_buttons(tg):
    alice = tg.user(1001, "Awa")
    app = await start_polling_app(tg)
    try:
        await tg.send_text(alice, "bonjour")
        echo = await tg.wait_for_message(alice, "Echo: bonjour", timeout=3)
        assert echo.buttons == [[("Encore", "again")]]
        pressed = await tg.press(alice, echo, "again")
        answer = await tg.wait_for_answer(pressed, timeout=3)
        assert answer.text == "OK"
        await tg.wait_for_message(alice, "Pressed again", timeout=3)
        assert echo.text == "Pressed again" and len(echo.edits) == 1
    finally:
        await stop_app(app)
    assert tg.pending_updates == 0  # the updater confirmed what it fetched


async def test_set_my_commands_by_scope_and_language(tg, bot):
    tg.user(1001)
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("start", "Démarrer"), BotCommand("payer", "Payer une facture")],
        language_code="fr",
    )
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(1001))
    assert tg.commands_for(language_code="fr") == [
        ("start", "Démarrer"),
        ("payer", "Payer une facture"),
    ]
    assert tg.commands[("chat:1001", "")] == [("admin", "Admin")]
    french = await bot.get_my_commands(language_code="fr")
    assert [c.command for c in french] == ["start", "payer"]
    assert await bot.get_my_commands(language_code="wo") == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Payer", "x")])
    assert await bot.delete_my_commands(language_code="fr")
    assert tg.commands_for(language_code="fr") == []
    assert await bot.set_chat_menu_button(1001, MenuButtonCommands())
    assert (await bot.get_chat_menu_button(1001)).type == "commands"


async def test_photos_and_documents_keep_their_bytes(tg, bot):
    alice = tg.user(1001)
    png = tiny_png(7, 3)
    sent = await bot.send_photo(alice.id, png, caption="<b>Reçu</b>", parse_mode=ParseMode.HTML)
    message = tg.messages(alice)[-1]
    assert message.photo == png and message.caption == "Reçu"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (7, 3)
    again = await bot.send_photo(alice.id, sent.photo[-1].file_id)  # by file_id
    assert tg.messages(alice)[-1].photo == png and again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(alice.id, b"not an image")
    await bot.send_document(alice.id, b"%PDF-1.4 facture", filename="facture.pdf")
    document = tg.messages(alice)[-1]
    assert (document.document, document.file_name) == (b"%PDF-1.4 facture", "facture.pdf")
    await bot.send_chat_action(alice.id, "upload_photo")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(alice.id, "dancing")


async def test_stops_promptly_during_a_long_poll():
    # The poll may last 50 s: stopped and answered well before, the stop ended it.
    fake = FakeTelegram(TOKEN)
    await fake.start()
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=50))
        await asyncio.sleep(0.2)
        async with asyncio.timeout(25):
            await fake.stop()
            assert await poll == ()
