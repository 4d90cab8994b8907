"""WhatsApp's webhook on the bot's own HTTP server, over loopback: Meta's verification, the
signature checked on the raw bytes before anything is read, every message stored before
the 200 and stored once (also across a restart), an unreadable body kept for an admin."""

import hashlib
import hmac
import json
from typing import Any

import httpx

from fakes.process import BlackHole
from tests.databases import outside_rows
from tests.e2e.harness import Stack, running_stack

APP_SECRET = "whatsapp-app-secret"
VERIFY = "whatsapp-verify-token"
PATH = "/whatsapp/webhook"


def whatsapp(black_hole: BlackHole) -> dict[str, Any]:
    """Settings that enable WhatsApp, its Graph API a black hole (no reply ever leaves)."""
    return {
        "WHATSAPP_ACCESS_TOKEN": "whatsapp-token",
        "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
        "WHATSAPP_API_BASE_URL": black_hole.url,
    }


def body(message_id: str, text: str = "menu", phone: str = "221771234567") -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "1234567890"},
                                "contacts": [{"profile": {"name": "Awa"}, "wa_id": phone}],
                                "messages": [
                                    {
                                        "from": phone,
                                        "id": message_id,
                                        "timestamp": "1790000000",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def signed(raw: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}", "content-type": "application/json"}


async def post(stack: Stack, raw: bytes, headers: dict[str, str]) -> int:
    assert stack.runtime.http is not None
    encoded = {name.encode(): value.encode("latin-1") for name, value in headers.items()}
    async with httpx.AsyncClient() as client:
        answer = await client.post(stack.runtime.http.url + PATH, content=raw, headers=encoded)
    return answer.status_code


async def test_meta_verifies_the_webhook_with_our_token_only(tmp_path) -> None:
    async with BlackHole() as hole, running_stack(tmp_path, **whatsapp(hole)) as stack:
        assert stack.runtime.http is not None
        url = stack.runtime.http.url + PATH
        async with httpx.AsyncClient() as client:
            ok = await client.get(
                url,
                params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "42"},
            )
            assert (ok.status_code, ok.text) == (200, "42")
            for params in (
                {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
                {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "42"},
                {"hub.mode": "subscribe", "hub.verify_token": "é" * 3, "hub.challenge": "42"},
                {},
            ):
                assert (await client.get(url, params=params)).status_code == 403


async def test_only_signed_bodies_are_read_and_each_message_is_kept_once(tmp_path) -> None:
    async with BlackHole() as hole, running_stack(tmp_path, **whatsapp(hole)) as stack:
        raw = body("wamid.ONE")
        inbox = stack.runtime.storage.read.inbox
        assert await post(stack, raw, {"content-type": "application/json"}) == 401
        assert await post(stack, raw, signed(raw, "another secret")) == 403
        non_ascii = {"x-hub-signature-256": "sha256=é".encode().decode("latin-1")}
        assert await post(stack, raw, non_ascii) == 403
        tampered = raw.replace(b"menu", b"MENU")
        assert await post(stack, tampered, signed(raw)) == 403
        assert not await inbox.exists("whatsapp", "wamid.ONE")
        assert await post(stack, raw, signed(raw)) == 200
        assert await post(stack, raw, signed(raw)) == 200  # Meta delivers twice
        assert await inbox.exists("whatsapp", "wamid.ONE")
        user = await stack.runtime.storage.read.users.by_channel_identity(
            "whatsapp", None, "221771234567"
        )
        assert user is not None and user.display_name == "Awa" and user.last_inbound_at
        # Across a restart, the same wamid is still known: stored once, handled once.
        await stack.restart()
        assert await post(stack, raw, signed(raw)) == 200
    [(count,)] = await outside_rows(
        tmp_path / "bot.sqlite3", "SELECT count(*) FROM inbox WHERE message_id = 'wamid.ONE'"
    )
    assert count == 1


async def test_a_body_that_is_not_metas_is_kept_for_an_admin(tmp_path) -> None:
    async with BlackHole() as hole, running_stack(tmp_path, **whatsapp(hole)) as stack:
        for raw in (b"{not json", b'{"object": "whatsapp_business_account", "entry": 5}'):
            assert await post(stack, raw, signed(raw)) == 200  # stored, not dropped
        assert await stack.runtime.storage.read.inbox.rejects_count() == 2
        metrics = await stack.runtime.metrics.render(stack.runtime.storage)
        assert b"bot_webhook_rejects 2.0" in metrics
