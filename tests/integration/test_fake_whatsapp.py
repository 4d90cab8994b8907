"""The fake WhatsApp Cloud API, over loopback HTTP: every rule it enforces, the webhooks it
signs and retries, and the bot's own client and webhook reader against it."""

import asyncio
import hashlib
import hmac
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.whatsapp.client import AccessDenied, Later, Refused, WhatsAppClient
from bot.channels.whatsapp.templates import by_name
from bot.channels.whatsapp.webhook import read_webhook, signature_ok
from bot.web.server import LoopbackServer
from fakes.process import BlackHole, free_port
from fakes.whatsapp import FakeWhatsApp, FrozenClock, Pace, WaUser
from fakes.whatsapp.limits import MEDIA_BYTES

VERSION = "v23.0"
SECRET = "app-secret-for-tests"
VERIFY = "verify-me"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
JSON = dict[str, Any]


@dataclass
class Received:
    raw: bytes
    signature: str | None
    body: JSON


@dataclass
class Hook:
    """The bot's side of the webhook, as small as can be: records what comes, answers the
    statuses in `answers` first (then 200), and Meta's GET handshake."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    async def post(self, request: Request) -> Response:
        raw = await request.body()
        self.received.append(
            Received(raw, request.headers.get("x-hub-signature-256"), json.loads(raw))
        )
        return Response(status_code=self.answers.pop(0) if self.answers else 200)

    async def get(self, request: Request) -> Response:
        query = request.query_params
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            query.get("hub.verify_token", ""), VERIFY
        ):
            return PlainTextResponse(query.get("hub.challenge", ""))
        return Response(status_code=403)

    def values(self) -> list[JSON]:
        return [
            change["value"]
            for item in self.received
            for entry in item.body["entry"]
            for change in entry["changes"]
        ]

    def messages(self) -> list[JSON]:
        return [message for value in self.values() for message in value.get("messages", [])]

    def statuses(self, wamid: str | None = None) -> list[tuple[str, int | None]]:
        return [
            (item["status"], item["errors"][0]["code"] if "errors" in item else None)
            for value in self.values()
            for item in value.get("statuses", [])
            if wamid is None or item["id"] == wamid
        ]


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    receiver = Hook()
    route = [Route("/hook", receiver.post, methods=["POST"]), Route("/hook", receiver.get)]
    async with LoopbackServer(Starlette(routes=route)) as server:
        receiver.url = f"{server.url}/hook"
        yield receiver


def make_fake(hook: Hook, **options: Any) -> FakeWhatsApp:
    settings: dict[str, Any] = {
        "app_secret": SECRET,
        "verify_token": VERIFY,
        "templates": by_name(),
        "pace": Pace.off(),
        "realistic": False,
        "clock": FrozenClock(),
        "webhook_url": hook.url,
        "webhook_retry_delay": 0.01,
    }
    return FakeWhatsApp(**{**settings, **options})


@pytest.fixture
async def wa(hook: Hook) -> AsyncIterator[FakeWhatsApp]:
    async with make_fake(hook) as fake:
        yield fake
    assert fake.internal_errors == []


@pytest.fixture
async def api(wa: FakeWhatsApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"{wa.base_url}/{VERSION}/{wa.phone_number_id}",
        headers={"Authorization": f"Bearer {wa.access_token}"},
    ) as client:
        yield client


async def send(api: httpx.AsyncClient, to: str | WaUser, message: JSON) -> httpx.Response:
    recipient = to if isinstance(to, str) else to.phone
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient}
    return await api.post("/messages", json={**body, **message})


def error_code(answer: httpx.Response) -> int:
    error = answer.json()["error"]
    assert error["type"] == "OAuthException" and error["message"].startswith(f"(#{error['code']})")
    assert error["error_data"]["messaging_product"] == "whatsapp"
    return int(error["code"])


async def upload(api: httpx.AsyncClient, data: bytes = PNG, mime: str = "image/png") -> str:
    answer = await api.post(
        "/media",
        data={"messaging_product": "whatsapp", "type": mime},
        files={"file": ("receipt.png", data, mime)},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def text(body: str) -> JSON:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def buttons(count: int = 3, *, title: int = 5, ident: int = 4, body: str = "Choisissez") -> JSON:
    replies = [
        {
            "type": "reply",
            "reply": {"id": f"{i}".ljust(ident, "i"), "title": f"{i}".ljust(title, "t")},
        }
        for i in range(count)
    ]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": replies}},
    }


def titled(title: str) -> JSON:
    """One reply button with this title."""
    message = buttons(1)
    message["interactive"]["action"]["buttons"][0]["reply"]["title"] = title
    return message


def rows(
    count: int = 2,
    *,
    sections: int = 1,
    title: int = 5,
    ident: int = 4,
    description: int = 0,
    section_title: int = 7,
    label: int = 5,
    body: str = "Choisissez",
) -> JSON:
    made = [
        {"id": f"{i}".ljust(ident, "r"), "title": f"{i}".ljust(title, "t")}
        | ({"description": f"{i}".ljust(description, "d")} if description else {})
        for i in range(count)
    ]
    per = -(-count // sections)
    groups = [
        {
            "title": f"{n}".ljust(section_title, "s"),
            "rows": made[n * per : (n + 1) * per] or made[:1],
        }
        for n in range(sections)
    ]
    action = {"button": "Choisir"[:label].ljust(label, "x"), "sections": groups}
    return {
        "type": "interactive",
        "interactive": {"type": "list", "body": {"text": body}, "action": action},
    }


def cta(
    label: int = 17, body: str = "Ouvrez ce lien", url: str = "https://pay.wave.com/c/1"
) -> JSON:
    """A "cta_url" message: one button opening `url`, its label `label` units long."""
    parameters = {"display_text": "Valider avec Wave"[:label].ljust(label, "x"), "url": url}
    return {
        "type": "interactive",
        "interactive": {
            "type": "cta_url",
            "body": {"text": body},
            "action": {"name": "cta_url", "parameters": parameters},
        },
    }


def template(name: str, params: list[Any], language: str = "fr") -> JSON:
    values = [p if isinstance(p, dict) else {"type": "text", "text": p} for p in params]
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": values}],
        },
    }


def with_header(message: JSON, size: int, part: str = "header") -> JSON:
    extra = {"type": "text", "text": "h" * size} if part == "header" else {"text": "f" * size}
    return {**message, "interactive": {**message["interactive"], part: extra}}


def units(size: int) -> str:
    """A text of `size` UTF-16 units, mostly emoji outside the BMP (two units each)."""
    return "😀" * (size // 2) + "x" * (size % 2)


CODE_PARAMS = ["07061270877", "1283 9300 9320 9223", "5 000 FCFA", "TID483476478"]


# --- the protocol -------------------------------------------------------------------------------


async def test_token_phone_number_and_path_are_checked(wa, api):
    awa = wa.user("221771234567", "Awa")
    wrong = await api.post(
        "/messages",
        json=text("x") | {"messaging_product": "whatsapp", "to": awa.phone},
        headers={"Authorization": "Bearer WRONG"},
    )
    assert wrong.status_code == 401 and error_code(wrong) == 190
    assert wrong.json()["error"]["message"] == "(#190) Invalid OAuth access token"
    async with httpx.AsyncClient(base_url=wa.base_url) as anonymous:
        missing = await anonymous.post(f"/{VERSION}/{wa.phone_number_id}/messages", json={})
        assert missing.status_code == 401 and error_code(missing) == 190
    other = await api.post(f"{wa.base_url}/{VERSION}/999/messages", json=text("x"))
    assert other.status_code == 400 and error_code(other) == 100
    assert "Object with ID '999' does not exist" in other.json()["error"]["error_data"]["details"]
    unknown = await api.post(f"{wa.base_url}/{VERSION}/{wa.phone_number_id}/contacts")
    assert unknown.status_code == 400 and error_code(unknown) == 100
    assert (
        await api.post(f"{wa.base_url}/latest/{wa.phone_number_id}/messages")
    ).status_code == 400
    assert (await send(api, awa, text("x"))).status_code == 200  # any vN.N works
    assert [call.status for call in wa.calls] == [401, 401, 400, 400, 400, 200]
    assert [call.method for call in wa.calls][3:] == ["unknown", "messages", "messages"]
    assert wa.refused == {190: 2, 100: 3}


async def test_the_envelope_is_meta_shaped(wa, api):
    awa = wa.user("221771234567", "Awa")
    answer = await send(api, "+221 77 123 45 67", text("Bonjour"))
    assert answer.status_code == 200
    body = answer.json()
    wamid = body["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    assert body["contacts"] == [{"input": "+221 77 123 45 67", "wa_id": awa.phone}]
    assert wa.message(wamid).user is awa and wa.message(wamid).text == "Bonjour"

    def envelope(**fields: Any) -> JSON:
        return {"messaging_product": "whatsapp", "to": awa.phone, **fields}

    cases = [
        (envelope(type="reaction", reaction={"message_id": wamid, "emoji": "👍"}), 100),
        (envelope(type="text"), 100),  # no text
        ({"messaging_product": "whatsapp", **text("x")}, 100),  # no `to`
        (envelope(**text("x")) | {"messaging_product": "sms"}, 100),
        (envelope(colour="red", **text("x")), 100),
        (envelope(recipient_type="group", **text("x")), 100),
        (envelope(type="text", text={"body": "x", "bold": True}), 100),
        (envelope(type="text", text={"body": "x", "preview_url": "no"}), 100),
        (envelope(context={"message_id": "wamid.unknown"}, **text("x")), 100),
        (envelope(to="", **text("x")), 100),
        (envelope(**text("   ")), 131009),
    ]
    for body, code in cases:
        refused = await api.post("/messages", json=body)
        assert (refused.status_code, error_code(refused)) == (400, code), body
    not_json = await api.post(
        "/messages", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert error_code(not_json) == 100
    assert len(wa.sent) == 1


# --- every limit, accepted at it and refused one over ---------------------------------------------

LIMITS: list[tuple[str, int, Callable[[int], JSON]]] = [
    ("text body", 4096, lambda n: text("x" * n)),
    ("text body in UTF-16 units", 4096, lambda n: text(units(n))),
    ("reply buttons", 3, lambda n: buttons(n)),
    ("button title", 20, lambda n: buttons(title=n)),
    ("button title in UTF-16 units", 20, lambda n: titled(units(n))),
    ("button id", 256, lambda n: buttons(ident=n)),
    ("buttons' body", 1024, lambda n: buttons(body="b" * n)),
    ("header", 60, lambda n: with_header(buttons(), n)),
    ("footer", 60, lambda n: with_header(buttons(), n, "footer")),
    ("list rows", 10, lambda n: rows(n, sections=2)),
    ("list sections", 10, lambda n: rows(n, sections=n)),
    ("row title", 24, lambda n: rows(title=n)),
    ("row description", 72, lambda n: rows(description=n)),
    ("row id", 200, lambda n: rows(ident=n)),
    ("section title", 24, lambda n: rows(sections=2, section_title=n)),
    ("list button label", 20, lambda n: rows(label=n)),
    ("list body", 1024, lambda n: rows(body="b" * n)),
    ("list header", 60, lambda n: with_header(rows(), n)),
    ("cta display text", 20, lambda n: cta(label=n)),
    ("cta body", 1024, lambda n: cta(body="b" * n)),
]


async def test_each_limit_accepted_at_it_refused_one_over(wa, api):
    awa = wa.user("221771234567", "Awa")
    for what, limit, make in LIMITS:
        at = await send(api, awa, make(limit))
        assert at.status_code == 200, (what, at.text)
        over = await send(api, awa, make(limit + 1))
        assert over.status_code == 400 and error_code(over) == 131009, (what, over.text)
        assert str(limit) in over.json()["error"]["error_data"]["details"], what
    assert wa.refused == {131009: len(LIMITS)} and len(wa.sent) == len(LIMITS)


async def test_counts_blanks_and_duplicates_refused(wa, api):
    awa = wa.user("221771234567", "Awa")
    same_title = buttons(2)
    same_title["interactive"]["action"]["buttons"][1]["reply"]["title"] = "0tttt"
    same_id = buttons(2)
    same_id["interactive"]["action"]["buttons"][1]["reply"]["id"] = "0iii"
    same_row = rows(2)
    same_row["interactive"]["action"]["sections"][0]["rows"][1]["id"] = "0rrr"
    newline = buttons(1)
    newline["interactive"]["action"]["buttons"][0]["reply"]["title"] = "Oui\nNon"
    no_section_title = rows(2, sections=2)
    del no_section_title["interactive"]["action"]["sections"][1]["title"]
    empty_section = rows(1)
    empty_section["interactive"]["action"]["sections"][0]["rows"] = []
    blank_id = buttons(1)
    blank_id["interactive"]["action"]["buttons"][0]["reply"]["id"] = ""
    for message in (
        buttons(0),
        rows(0),
        same_title,
        same_id,
        same_row,
        newline,
        no_section_title,
        empty_section,
        blank_id,
        buttons(body=" "),
    ):
        answer = await send(api, awa, message)
        assert (answer.status_code, error_code(answer)) == (400, 131009), message
    image_header = with_header(buttons(), 5)
    image_header["interactive"]["header"] = {"type": "image", "image": {"id": "1"}}
    cta = {"type": "interactive", "interactive": {**buttons()["interactive"], "type": "cta_url"}}
    copy = buttons()
    copy["interactive"]["action"]["buttons"][0]["type"] = "copy_code"
    for message in (image_header, cta, copy):
        answer = await send(api, awa, message)
        assert (answer.status_code, error_code(answer)) == (400, 100), message
    assert wa.sent == []


async def test_a_cta_url_opens_a_web_address_and_is_not_pressed(wa, api):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")  # the window open: a free-form message is delivered
    sent = await send(api, awa, cta())
    assert sent.status_code == 200, sent.text
    [message] = wa.messages(awa)
    assert message.content.interactive == "cta_url" and message.text == "Ouvrez ce lien"
    assert message.content.link == ("Valider avec Wave", "https://pay.wave.com/c/1")
    assert message.choices == []  # it opens the link: nothing comes back to the bot
    with pytest.raises(KeyError):
        await wa.press(awa, message, "Valider avec Wave")
    for url in ("javascript:alert(1)", "pay.wave.com/c/1", "https://pay wave.com", 42):
        answer = await send(api, awa, cta(url=url))  # type: ignore[arg-type]
        assert (answer.status_code, error_code(answer)) == (400, 131009), url
    named = cta()
    named["interactive"]["action"]["name"] = "cta"
    assert error_code(await send(api, awa, named)) == 100
    assert len(wa.sent) == 1


async def test_what_the_user_sees_of_each_message(wa, api):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    await send(api, awa, with_header(buttons(2, title=6), 5, "footer"))
    await send(api, awa, rows(3, description=8))
    pressed = wa.messages(awa)
    assert pressed[0].buttons == [("0iii", "0ttttt"), ("1iii", "1ttttt")]
    assert pressed[0].content.footer == "fffff" and pressed[0].text == "Choisissez"
    assert [(row.id, row.title, row.description) for row in pressed[1].rows] == [
        ("0rrr", "0tttt", "0ddddddd"),
        ("1rrr", "1tttt", "1ddddddd"),
        ("2rrr", "2tttt", "2ddddddd"),
    ]
    assert pressed[1].content.list_button == "Chois" and pressed[1].choices[2] == ("2rrr", "2tttt")
    found = await wa.wait_for_message(awa, "1tttt")  # by a row's title
    assert found is pressed[1]


# --- media ---------------------------------------------------------------------------------------


async def test_upload_then_image_by_its_id(wa, api):
    awa = wa.user("221771234567", "Awa")
    png = await upload(api)
    jpeg = await upload(api, JPEG, "image/jpeg")
    assert png != jpeg and wa.media[png].data == PNG and wa.media[jpeg].mime_type == "image/jpeg"
    assert wa.media[png].sha256 == hashlib.sha256(PNG).hexdigest()
    at = await send(api, awa, {"type": "image", "image": {"id": png, "caption": "c" * 1024}})
    assert at.status_code == 200
    message = wa.message(at.json()["messages"][0]["id"])
    assert (message.type, message.image, message.text) == ("image", PNG, "c" * 1024)
    over = await send(api, awa, {"type": "image", "image": {"id": png, "caption": "c" * 1025}})
    assert error_code(over) == 131009
    for image in ({"id": "123"}, {"link": "https://example.org/a.png"}, {"id": png, "alt": "x"}):
        refused = await send(api, awa, {"type": "image", "image": image})
        assert (refused.status_code, error_code(refused)) == (400, 100), image
    assert wa.calls_to("media")[0].body == {
        "messaging_product": "whatsapp",
        "type": "image/png",
        "file": "<72 bytes image/png>",
    }


async def test_upload_rules(wa, api):
    async def refused(fields: dict[str, str], data: bytes, mime: str = "image/png") -> int:
        answer = await api.post("/media", data=fields, files={"file": ("f", data, mime)})
        assert answer.status_code == 400
        return error_code(answer)

    ok = {"messaging_product": "whatsapp", "type": "image/png"}
    assert await refused({**ok, "type": "image/gif"}, b"GIF89a") == 131053
    assert await refused(ok, JPEG) == 131053  # a JPEG said to be a PNG
    assert await refused(ok, b"") == 131053
    assert await refused(ok, PNG + b"\x00" * (MEDIA_BYTES - len(PNG) + 1)) == 131053
    assert await refused({"type": "image/png"}, PNG) == 100
    assert await refused({**ok, "messaging_product": "sms"}, PNG) == 100
    assert error_code(await api.post("/media", json=ok)) == 100  # not multipart
    assert await upload(api, PNG + b"\x00" * (MEDIA_BYTES - len(PNG)))  # 5 MB exactly
    assert len(wa.media) == 1


# --- templates -----------------------------------------------------------------------------------


async def test_templates_from_the_bots_registry(wa, api):
    awa = wa.user("221771234567", "Awa")
    fr = await send(api, awa, template("senpay_code", CODE_PARAMS))
    assert fr.status_code == 200 and fr.json()["messages"][0]["message_status"] == "accepted"
    en = await send(api, awa, template("senpay_notice", ["💰 Credited 25 000 FCFA"], "en"))
    assert en.status_code == 200
    code, notice = wa.messages(awa)
    assert code.template == "senpay_code" and code.params == CODE_PARAMS
    assert code.text == (
        "Votre recharge Woyofal pour le compteur 07061270877 est prête. Code : 1283 9300 9320 "
        "9223. Montant : 5 000 FCFA. Référence : TID483476478. Merci d'utiliser SenPay."
    )
    assert (
        notice.text.startswith("Message from SenPay: 💰 Credited") and notice.status == "delivered"
    )
    assert await wa.wait_for_message(awa, "1283 9300 9320 9223") is code


async def test_template_rules(wa, api):
    awa = wa.user("221771234567", "Awa")
    notice = "senpay_notice"
    cases: list[tuple[JSON, int]] = [
        (template("senpay_unknown", ["x"]), 132001),
        (template(notice, ["x"], "wo"), 132001),  # no Wolof version approved
        (template("senpay_code", CODE_PARAMS[:3]), 132000),
        (template("senpay_code", [*CODE_PARAMS, "x"]), 132000),
        (template(notice, ["deux\nlignes"]), 132018),
        (template(notice, ["une\ttab"]), 132018),
        (template(notice, ["quatre    espaces"]), 132018),
        (template(notice, [""]), 131008),
        (template(notice, ["   "]), 131008),
        (template(notice, [{"type": "currency", "currency": {"amount_1000": 5}}]), 132012),
        (template(notice, ["x" * 1024]), 132005),
    ]
    header = template(notice, ["x"])
    header["template"]["components"].append({"type": "header", "parameters": []})
    cases.append((header, 132000))
    no_components = template(notice, ["x"])
    del no_components["template"]["components"]
    cases.append((no_components, 132000))
    extra = template(notice, ["x"])
    extra["template"]["namespace"] = "abc"
    cases.append((extra, 100))
    for message, expected in cases:
        answer = await send(api, awa, message)
        assert (answer.status_code, error_code(answer)) == (400, expected), message
    assert (await send(api, awa, template(notice, ["trois   espaces"]))).status_code == 200
    length = 1024 - len(by_name()[notice].texts["fr"]) + len("{{1}}")
    assert (await send(api, awa, template(notice, ["x" * length]))).status_code == 200


async def test_templates_as_plain_mappings(hook):
    registry = {"hello": {"fr": ("Bonjour {{1}}, il est {{2}}.", 2)}}
    async with (
        make_fake(hook, templates=registry) as fake,
        httpx.AsyncClient(
            base_url=f"{fake.base_url}/{VERSION}/{fake.phone_number_id}",
            headers={"Authorization": f"Bearer {fake.access_token}"},
        ) as client,
    ):
        awa = fake.user("221771234567", "Awa")
        assert (await send(client, awa, template("hello", ["Awa", "midi"]))).status_code == 200
        assert fake.messages(awa)[0].text == "Bonjour Awa, il est midi."
        assert error_code(await send(client, awa, template("senpay_notice", ["x"]))) == 132001
    with pytest.raises(ValueError, match="expected"):
        FakeWhatsApp(templates={"bad": {"fr": ("{{1}} {{3}}", 2)}})


# --- the 24-hour window ---------------------------------------------------------------------------


async def test_free_form_outside_the_window_fails_later_templates_go(wa, api, hook):
    awa = wa.user("221771234567", "Awa")
    never_wrote = await send(api, awa, text("Bonjour"))
    assert never_wrote.status_code == 200  # accepted, then...
    await wa.wait_until_idle()
    first = wa.message(never_wrote.json()["messages"][0]["id"])
    assert (first.status, first.error_code) == ("failed", 131047)
    assert hook.statuses(first.wamid) == [("failed", 131047)]
    assert wa.messages(awa) == [] and wa.messages(awa, include_failed=True) == [first]

    await wa.send_text(awa, "menu")
    inside = await send(api, awa, text("Menu"))
    wa.advance(hours=23, minutes=59, seconds=59)
    still = await send(api, awa, buttons())
    wa.advance(seconds=1)
    outside = await send(api, awa, text("Trop tard"))
    late_template = await send(api, awa, template("senpay_notice", ["Votre code est prêt"]))
    await wa.wait_until_idle()
    fates = [
        wa.message(answer.json()["messages"][0]["id"]).status
        for answer in (inside, still, outside, late_template)
    ]
    assert fates == ["delivered", "delivered", "failed", "delivered"]
    assert wa.failed == {131047: 2}
    await wa.send_text(awa, "encore")  # writing again opens the window again
    assert (await send(api, awa, text("Re-bonjour"))).status_code == 200
    await wa.wait_until_idle()
    assert wa.messages(awa)[-1].status == "delivered"
    with pytest.raises(AssertionError, match="failed"):
        wa.assert_contract_kept()
    wa.assert_contract_kept(failed={131047: 2})


# --- throughput and each recipient's pace ---------------------------------------------------------


async def test_throughput_refused_with_130429_beyond_the_rate(hook):
    clock = FrozenClock()
    pace = Pace(messages_per_second=5, recipient_interval=None)
    async with (
        make_fake(hook, clock=clock, pace=pace) as fake,
        httpx.AsyncClient(
            base_url=f"{fake.base_url}/{VERSION}/{fake.phone_number_id}",
            headers={"Authorization": f"Bearer {fake.access_token}"},
        ) as client,
    ):
        people = [fake.user(f"22177000000{n}") for n in range(8)]
        answers = [await send(client, person, text("x")) for person in people[:6]]
        assert [a.status_code for a in answers] == [200] * 5 + [400]
        assert error_code(answers[-1]) == 130429
        clock.advance(0.2)  # one message's worth at 5/s
        assert (await send(client, people[6], text("x"))).status_code == 200
        assert error_code(await send(client, people[7], text("x"))) == 130429
        read = await client.post(
            "/messages", json={"messaging_product": "whatsapp", "status": "read", "message_id": "x"}
        )
        assert error_code(read) == 100  # mark-read is not paced
        clock.advance(10)  # the bucket holds one second's worth, no more
        answers = [await send(client, people[n % 8], text("x")) for n in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [400]
        assert fake.refused == {130429: 3, 100: 1}
        assert len(fake.sent) == 11


async def test_recipient_pace_refused_with_131056(hook):
    clock = FrozenClock()
    async with (
        make_fake(hook, clock=clock, pace=Pace()) as fake,
        httpx.AsyncClient(
            base_url=f"{fake.base_url}/{VERSION}/{fake.phone_number_id}",
            headers={"Authorization": f"Bearer {fake.access_token}"},
        ) as client,
    ):
        assert (fake.pace.recipient_burst, fake.pace.recipient_interval) == (3, 6.0)
        assert fake.pace.messages_per_second == 80
        awa, binta = fake.user("221771234567", bsuid="SN.1"), fake.user("221771234568")
        burst = [await send(client, awa, text(f"{n}")) for n in range(4)]
        assert [a.status_code for a in burst] == [200, 200, 200, 400]
        assert error_code(burst[-1]) == 131056
        assert error_code(await send(client, "SN.1", text("x"))) == 131056  # same person
        assert (await send(client, binta, text("x"))).status_code == 200  # another one
        clock.advance(5.9)
        assert error_code(await send(client, awa, text("x"))) == 131056
        clock.advance(0.1)  # one interval after the burst: one more
        assert (await send(client, awa, template("senpay_notice", ["x"]))).status_code == 200
        assert error_code(await send(client, awa, text("x"))) == 131056
        clock.advance(60)  # refilled to the burst, not beyond
        assert [(await send(client, awa, text("x"))).status_code for _ in range(4)] == [
            200,
            200,
            200,
            400,
        ]
        fake.pace.recipient_burst = 1  # stricter, at runtime
        fake.pace.recipient_interval = 30
        clock.advance(30)
        assert [(await send(client, binta, text("x"))).status_code for _ in range(2)] == [200, 400]
        assert fake.refused == {131056: 6}
        with pytest.raises(AssertionError, match="131056"):
            fake.assert_contract_kept()


# --- mark read ----------------------------------------------------------------------------------


async def test_mark_read_only_a_users_message(wa: FakeWhatsApp, api: httpx.AsyncClient):
    awa = wa.user("221771234567", "Awa")
    inbound = await wa.send_text(awa, "menu")
    changed = await wa.change_number(awa, "221771234500")

    async def mark(wamid: str, **extra: Any) -> httpx.Response:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        return await api.post("/messages", json=body | extra)

    answer = await mark(inbound.wamid, typing_indicator={"type": "text"})
    assert (answer.status_code, answer.json()) == (200, {"success": True})
    assert inbound.read_by_bot
    assert error_code(await mark("wamid.nothing")) == 100
    assert error_code(await mark(changed.wamid)) == 100  # a system message
    assert error_code(await mark(inbound.wamid, status="delivered")) == 100
    assert [call.method for call in wa.calls] == ["read"] * 4


# --- webhooks: what users send --------------------------------------------------------------------


def assert_signed(hook: Hook) -> None:
    for item in hook.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), item.raw, hashlib.sha256).hexdigest()
        assert item.signature == expected
        assert signature_ok(SECRET, item.raw, item.signature)  # the bot's own check
        read_webhook(item.body)  # and the bot's reader takes it


async def test_inbound_messages_as_meta_posts_them(wa, api, hook):
    awa = wa.user("221771234567", "Awa", bsuid="SN.12345")
    ghost = wa.user("221770000001", "Ghost", bsuid="SN.99", with_number=False)
    old = wa.user("221770000002", "Old")
    sent = await wa.send_text(awa, "menu")
    await wa.send_text(ghost, "aide")
    await wa.send_text(old, "solde")
    await wa.wait_until_idle()
    assert_signed(hook)
    first = hook.received[0].body
    assert first["object"] == "whatsapp_business_account"
    assert first["entry"][0]["id"] == wa.business.waba_id
    value = first["entry"][0]["changes"][0]["value"]
    assert first["entry"][0]["changes"][0]["field"] == "messages"
    assert value["metadata"] == {
        "display_phone_number": wa.business.display_phone_number,
        "phone_number_id": wa.phone_number_id,
    }
    assert value["contacts"] == [
        {"profile": {"name": "Awa"}, "wa_id": "221771234567", "user_id": "SN.12345"}
    ]
    message = value["messages"][0]
    assert message == {
        "from": "221771234567",
        "from_user_id": "SN.12345",
        "id": sent.wamid,
        "timestamp": str(int(wa.now())),
        "type": "text",
        "text": {"body": "menu"},
    }
    hidden = hook.values()[1]
    assert hidden["contacts"] == [{"profile": {"name": "Ghost"}, "user_id": "SN.99"}]
    assert "from" not in hidden["messages"][0] and hidden["messages"][0]["from_user_id"] == "SN.99"
    legacy = hook.values()[2]
    assert legacy["contacts"] == [{"profile": {"name": "Old"}, "wa_id": "221770000002"}]
    assert "from_user_id" not in legacy["messages"][0]
    senders = [
        m.sender for m in (b for item in hook.received for b in read_webhook(item.body).messages)
    ]
    assert [(s.user_id, s.phone, s.name) for s in senders] == [
        ("SN.12345", "221771234567", "Awa"),
        ("SN.99", None, "Ghost"),
        (None, "221770000002", "Old"),
    ]
    # the bot may answer a user without a number by their BSUID
    answer = await send(api, "SN.99", text("Bonjour"))
    assert answer.json()["contacts"] == [{"input": "SN.99", "user_id": "SN.99"}]
    await wa.wait_until_idle()
    assert wa.messages(ghost)[0].status == "delivered"


async def test_presses_carry_the_reply_and_the_context(wa, api, hook):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    menu = wa.message((await send(api, awa, buttons(2, title=6))).json()["messages"][0]["id"])
    picker = wa.message((await send(api, awa, rows(3, description=8))).json()["messages"][0]["id"])
    await wa.press(awa, menu, "1ttttt")  # by title
    await wa.press(awa, picker, "2rrr")  # by id
    await wa.press(awa, menu, "stale-id", force=True)
    await wa.press(awa, picker, "gone", force=True)
    with pytest.raises(KeyError):
        await wa.press(awa, menu, "nothing")
    await wa.wait_until_idle()
    button, row, forged, forged_row = hook.messages()[1:]
    context = {"from": wa.business.display_phone_number, "id": menu.wamid}
    assert button["type"] == "interactive" and button["context"] == context
    assert button["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "1iii", "title": "1ttttt"},
    }
    assert row["context"]["id"] == picker.wamid
    assert row["interactive"] == {
        "type": "list_reply",
        "list_reply": {"id": "2rrr", "title": "2tttt", "description": "2ddddddd"},
    }
    assert forged["interactive"]["button_reply"] == {"id": "stale-id", "title": "stale-id"}
    assert forged_row["interactive"]["list_reply"] == {"id": "gone", "title": "gone"}
    parsed = [m for item in hook.received for m in read_webhook(item.body).messages]
    assert [(m.kind, m.text, m.context_id) for m in parsed[1:]] == [
        ("button", "1iii", menu.wamid),
        ("button", "2rrr", picker.wamid),
        ("button", "stale-id", menu.wamid),
        ("button", "gone", picker.wamid),
    ]


async def test_press_refuses_what_the_user_never_got(wa, api):
    awa, binta = wa.user("221771234567", "Awa"), wa.user("221771234568", "Binta")
    await wa.send_text(awa, "menu")
    menu = wa.message((await send(api, awa, buttons())).json()["messages"][0]["id"])
    lost = wa.message((await send(api, binta, buttons())).json()["messages"][0]["id"])
    await wa.wait_until_idle()
    with pytest.raises(ValueError, match="did not reach"):
        await wa.press(binta, menu, "0tttt")  # someone else's
    with pytest.raises(ValueError, match="did not reach"):
        await wa.press(binta, lost, "0tttt")  # failed: outside her window
    await wa.press(binta, lost, "0tttt", force=True)


async def test_other_kinds_replies_and_reads(wa, api, hook):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    answer = await send(api, awa, text("Votre reçu"))
    receipt = wa.message(answer.json()["messages"][0]["id"])
    await wa.send_sticker(awa)
    await wa.send_image(awa, caption="ma facture")
    await wa.send_location(awa)
    await wa.send_other(
        awa, "audio", {"audio": {"mime_type": "audio/ogg", "id": "1", "voice": True}}
    )
    await wa.send_text(awa, "oui", reply_to=receipt)
    await wa.wait_until_idle()
    kinds = [m["type"] for m in hook.messages()]
    assert kinds == ["text", "sticker", "image", "location", "audio", "text"]
    image = hook.messages()[2]["image"]
    assert image["caption"] == "ma facture" and image["mime_type"] == "image/jpeg"
    assert hook.messages()[-1]["context"]["id"] == receipt.wamid
    parsed = [m for item in hook.received for m in read_webhook(item.body).messages]
    assert [m.kind for m in parsed] == ["text", "other", "other", "other", "other", "text"]
    assert [m.text for m in wa.user_messages(awa)][-1] == "oui"
    assert await wa.read(awa) == [receipt]
    assert await wa.read(awa) == []  # read once
    await wa.wait_until_idle()
    assert hook.statuses(receipt.wamid) == [("sent", None), ("delivered", None), ("read", None)]
    assert receipt.statuses == ["sent", "delivered", "read"]


async def test_number_and_bsuid_changes(wa, api, hook):
    awa = wa.user("221771234567", "Awa", bsuid="SN.1")
    await wa.send_text(awa, "menu")
    await wa.change_number(awa, "221781112233")
    await wa.change_bsuid(awa, "SN.2")
    await wa.wait_until_idle()
    number, user_id = hook.values()[1:]
    assert "contacts" not in number and "contacts" not in user_id
    assert number["messages"][0]["from"] == "221771234567"
    assert number["messages"][0]["system"] == {
        "type": "user_changed_number",
        "body": "User Awa changed from 221771234567 to 221781112233",
        "new_wa_id": "221781112233",
    }
    assert user_id["messages"][0]["from"] == "221781112233"
    assert user_id["messages"][0]["from_user_id"] == "SN.1"
    assert user_id["messages"][0]["system"]["new_user_id"] == "SN.2"
    changes = [c for item in hook.received for c in read_webhook(item.body).changes]
    assert [(c.old.phone, c.new_phone, c.new_user_id) for c in changes] == [
        ("221771234567", "221781112233", None),
        ("221781112233", None, "SN.2"),
    ]
    old_number = await send(api, "221771234567", text("x"))
    old_id = await send(api, "SN.1", text("x"))
    new = await send(api, "221781112233", text("x"))
    newest = await send(api, "SN.2", text("x"))
    await wa.wait_until_idle()
    fates = [
        wa.message(a.json()["messages"][0]["id"]).status for a in (old_number, old_id, new, newest)
    ]
    assert fates == ["failed", "failed", "delivered", "delivered"]
    assert wa.failed == {131026: 2}  # nobody has the old ones


async def test_blocked_and_unknown_recipients_fail_131026(wa, api, hook):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    wa.block(awa)
    blocked = await send(api, awa, text("x"))
    unknown = await send(api, "221700000000", text("x"))
    assert unknown.json()["contacts"] == [{"input": "221700000000", "wa_id": "221700000000"}]
    wa.unblock(awa)
    back = await send(api, awa, text("x"))
    await wa.wait_until_idle()
    assert [wa.message(a.json()["messages"][0]["id"]).status for a in (blocked, unknown, back)] == [
        "failed",
        "failed",
        "delivered",
    ]
    failed = [
        v["statuses"][0]
        for v in hook.values()
        if v.get("statuses") and v["statuses"][0]["status"] == "failed"
    ]
    assert failed[1]["recipient_id"] == "221700000000"
    assert failed[0]["errors"][0]["code"] == 131026
    assert failed[0]["errors"][0]["title"] == "Message undeliverable"


# --- webhooks: statuses ---------------------------------------------------------------------------


async def test_simple_statuses_sent_then_delivered_each_in_its_post(wa, api, hook):
    awa = wa.user("221771234567", "Awa", bsuid="SN.7")
    await wa.send_text(awa, "menu")
    answer = await send(api, awa, text("Menu"))
    wamid = answer.json()["messages"][0]["id"]
    await wa.wait_until_idle()
    assert len(hook.received) == 3  # the text, then one POST per status
    sent, delivered = (value["statuses"][0] for value in hook.values()[1:])
    assert (sent["status"], delivered["status"]) == ("sent", "delivered")
    assert sent["id"] == wamid and sent["recipient_id"] == awa.phone
    assert sent["recipient_user_id"] == "SN.7" and sent["timestamp"] == str(int(wa.now()))
    assert sent["pricing"]["category"] == "service"
    parsed = [s for item in hook.received for s in read_webhook(item.body).statuses]
    assert [(s.message_id, s.status) for s in parsed] == [(wamid, "sent"), (wamid, "delivered")]
    assert [(e.wamid, e.status) for e in wa.statuses] == [(wamid, "sent"), (wamid, "delivered")]
    assert_signed(hook)


async def test_realistic_statuses_twice_and_out_of_order(hook):
    async with (
        make_fake(hook, realistic=True) as fake,
        httpx.AsyncClient(
            base_url=f"{fake.base_url}/{VERSION}/{fake.phone_number_id}",
            headers={"Authorization": f"Bearer {fake.access_token}"},
        ) as client,
    ):
        awa, binta = fake.user("221771234567", "Awa"), fake.user("221771234568", "Binta")
        await fake.send_text(awa, "menu")
        ok = (await send(client, awa, text("Menu"))).json()["messages"][0]["id"]
        late = (await send(client, binta, text("x"))).json()["messages"][0]["id"]
        await fake.wait_until_idle()
        await fake.read(awa)
        await fake.wait_until_idle()
        assert hook.statuses(ok) == [
            ("delivered", None),
            ("sent", None),
            ("delivered", None),
            ("sent", None),
            ("read", None),
            ("read", None),
        ]
        assert hook.statuses(late) == [("failed", 131047), ("failed", 131047)]
        assert fake.message(ok).statuses == ["sent", "delivered", "read"]
        assert fake.failed == {131047: 1}  # one message, however many webhooks
        fake.duplicate_statuses = fake.reorder_statuses = False
        again = (await send(client, awa, text("x"))).json()["messages"][0]["id"]
        await fake.wait_until_idle()
        assert hook.statuses(again) == [("sent", None), ("delivered", None)]


# --- webhooks: delivery ---------------------------------------------------------------------------


async def test_unanswered_webhooks_are_retried_until_2xx(wa, hook):
    awa = wa.user("221771234567", "Awa")
    hook.answers = [500, 503]
    first = await wa.send_text(awa, "un")
    second = await wa.send_text(awa, "deux")
    await wa.wait_until_idle()
    # "un" failed twice; "deux" went while it waited for its retry
    by_notification = [(a.notification, a.status) for a in wa.webhook_attempts]
    assert by_notification == [
        (first.notification, 500),
        (second.notification, 503),
        (first.notification, 200),
        (second.notification, 200),
    ]
    retried = [a for a in wa.webhook_attempts if a.notification == first.notification]
    assert retried[0].body == retried[1].body and retried[0].signature == retried[1].signature
    assert [m["text"]["body"] for m in hook.messages()] == ["un", "deux", "un", "deux"]
    assert wa.pending_webhooks == 0


async def test_webhooks_wait_for_a_url_and_survive_a_dead_bot(hook):
    async with make_fake(hook, webhook_url=None) as fake:
        awa = fake.user("221771234567", "Awa")
        await fake.send_text(awa, "hors ligne")
        assert fake.pending_webhooks == 1 and fake.webhook_attempts == []
        fake.set_webhook(f"http://127.0.0.1:{free_port()}/hook")  # nothing listens there
        await fake.wait_until(lambda: len(fake.webhook_attempts) >= 2)
        assert {a.status for a in fake.webhook_attempts} == {None}
        assert "ConnectError" in (fake.webhook_attempts[0].error or "")
        fake.set_webhook(hook.url)
        await fake.wait_until_idle()
        assert hook.messages()[0]["text"]["body"] == "hors ligne"


async def test_a_restarted_fake_keeps_what_it_had_to_post(hook):
    async with BlackHole() as void:
        fake = make_fake(hook, webhook_url=void.url)
        async with fake:
            awa = fake.user("221771234567", "Awa")
            message = await fake.send_text(awa, "avant")
            await fake.wait_until(lambda: fake.webhooks_in_flight == 1)  # never answered
            url = fake.base_url
    fake.set_webhook(hook.url)
    async with fake:
        assert fake.base_url == url  # the same port again
        await fake.wait_until_idle()
    assert hook.messages()[0]["id"] == message.wamid


async def test_subscription_handshake(wa, hook):
    answer = await wa.verify_webhook(hook.url, challenge="1158201444")
    assert (answer.status, answer.text, answer.ok) == (200, "1158201444", True)
    wrong = await wa.verify_webhook(hook.url, verify_token="guess")
    assert (wrong.status, wrong.ok) == (403, False)
    wa.set_webhook(None)
    refused = await wa.subscribe(hook.url, verify_token="guess")
    assert not refused.ok and wa.webhook_url is None
    assert (await wa.subscribe(hook.url)).ok and wa.webhook_url == hook.url


async def test_raw_posts_and_redelivery(wa, hook):
    awa = wa.user("221771234567", "Awa")
    original = await wa.send_text(awa, "menu")
    await wa.wait_until_idle()
    raw = hook.received[0].raw
    assert await wa.post_raw(raw, signature=None) == 200
    assert await wa.post_raw(raw.replace(b"menu", b"solde")) == 200
    assert await wa.post_raw(raw.replace(b"menu", b"solde"), signature=wa.sign(raw)) == 200
    signatures = [item.signature for item in hook.received[1:]]
    assert signatures[0] is None
    assert signature_ok(SECRET, hook.received[2].raw, signatures[1])
    assert not signature_ok(SECRET, hook.received[3].raw, signatures[2])  # tampered
    again = wa.redeliver(original)
    await wa.wait_until_idle()
    assert hook.received[-1].raw == raw and again.id != original.notification
    assert [m["id"] for m in hook.messages()].count(original.wamid) == 5


async def test_a_batch_is_one_post(wa, api, hook):
    awa, binta = wa.user("221771234567", "Awa"), wa.user("221771234568", "Binta")
    async with wa.batch():
        await wa.send_text(awa, "un")
        await wa.send_text(awa, "deux")
        await wa.send_text(binta, "trois")
    await wa.wait_until_idle()
    assert len(hook.received) == 1
    value = hook.values()[0]
    assert [m["text"]["body"] for m in value["messages"]] == ["un", "deux", "trois"]
    assert [c["profile"]["name"] for c in value["contacts"]] == ["Awa", "Binta"]
    assert {m.notification for m in wa.inbound} == {wa.webhook_attempts[0].notification}


# --- injection and the contract ------------------------------------------------------------------


async def test_injected_failures_do_not_break_the_contract(wa, api, hook):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    wa.fail_next(131000)
    wa.fail_next(None, http_status=502)
    wa.fail_next(131053, method="media")
    wa.fail_delivery_next(131026)
    temporary = await send(api, awa, text("x"))
    assert (temporary.status_code, error_code(temporary)) == (400, 131000)
    gateway = await send(api, awa, text("x"))
    assert gateway.status_code == 502 and gateway.text == "Service Unavailable"
    media = await api.post(
        "/media",
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("a", PNG, "image/png")},
    )
    assert error_code(media) == 131053
    undeliverable = await send(api, awa, text("x"))
    fine = await send(api, awa, text("x"))
    await wa.wait_until_idle()
    assert wa.message(undeliverable.json()["messages"][0]["id"]).error_code == 131026
    assert wa.message(fine.json()["messages"][0]["id"]).status == "delivered"
    assert [call.injected for call in wa.calls] == [True, True, True, False, False]
    assert wa.refused == {131000: 1, 131053: 1} and wa.failed == {131026: 1}
    wa.assert_contract_kept()


async def test_the_bots_client_against_the_fake(wa, hook):
    awa = wa.user("221771234567", "Awa")
    inbound = await wa.send_text(awa, "menu")
    client = WhatsAppClient(wa.base_url, VERSION, wa.phone_number_id, wa.access_token)
    try:
        media = await client.upload_image(PNG)
        wamid = await client.send(awa.phone, {"type": "image", "image": {"id": media}})
        await client.mark_read(inbound.wamid)
        with pytest.raises(Refused) as refused:
            await client.send(awa.phone, text("x" * 4097))
        assert refused.value.code == 131009
        wa.pace.recipient_burst, wa.pace.recipient_interval = 1, 60.0
        await client.send(awa.phone, text("x"))
        with pytest.raises(Later) as later:
            await client.send(awa.phone, text("x"))
        assert later.value.code == 131056
        wa.fail_next(130429)
        with pytest.raises(Later):
            await client.send(awa.phone, text("x"))
    finally:
        await client.aclose()
    wrong = WhatsAppClient(wa.base_url, VERSION, wa.phone_number_id, "EXPIRED")
    try:
        with pytest.raises(AccessDenied) as denied:
            await wrong.send(awa.phone, text("x"))
        assert denied.value.code == 190
    finally:
        await wrong.aclose()
    await wa.wait_until_idle()
    assert wa.message(wamid).image == PNG and inbound.read_by_bot
    wa.assert_contract_kept(refused={131009: 1, 131056: 1, 190: 1})


async def test_waiting_and_marks(wa, api):
    awa = wa.user("221771234567", "Awa")
    await wa.send_text(awa, "menu")
    mark = wa.mark()

    async def later() -> None:
        await asyncio.sleep(0)
        await send(api, awa, text("Premier"))
        await send(api, awa, text("Second"))

    task = asyncio.create_task(later())
    found = await wa.wait_for_message(awa, "Second", since=mark)
    await task
    assert found.text == "Second"
    call = await wa.wait_for_call("messages", lambda c: c.body["text"]["body"] == "Premier")
    assert call.ok and call.seq > mark
    with pytest.raises(TimeoutError, match="Premier"):
        await wa.wait_for_message(awa, "Troisième", timeout=0.05)


def test_defaults_are_realistic_and_paced_like_the_bot():
    fake = FakeWhatsApp()
    assert fake.duplicate_statuses and fake.reorder_statuses
    assert fake.pace == Pace(messages_per_second=80, recipient_burst=3, recipient_interval=6)
    assert fake.templates == {} and fake.webhook_url is None


async def test_the_fake_imports_nothing_of_the_bot():
    code = (
        "import sys, fakes.whatsapp, fakes.whatsapp.__main__; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'handlers', 'storage')))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0 and out.decode().strip() == "[]"
