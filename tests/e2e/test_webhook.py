"""Webhook mode: Telegram POSTs updates to a route of the bot's own HTTP server, with the
secret token set by setWebhook; anything without that secret is refused."""

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.runtime import webhook_secret
from fakes.process import free_port
from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def start_update(update_id: int, user_id: int) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Intrus"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "Intrus"},
            "date": 1_700_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_webhook_mode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with running_stack(tmp_path, HTTP_PORT=port, TELEGRAM_WEBHOOK_URL=url) as stack:
        tg, sim = stack.tg, stack.sim
        secret = webhook_secret(stack.settings)
        [set_webhook] = tg.calls_to("setWebhook")
        assert set_webhook.ok
        assert set_webhook.params["url"] == url
        assert set_webhook.params["secret_token"] == secret
        assert len(secret) >= 32
        assert tg.webhook_url == url

        # A purchase, every update arriving through the route.
        chat = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await chat.woyofal_to_confirmation("07061270877", "5000")
        await chat.press(summary, CONFIRM)
        await chat.wait_for("1283 9300 9320 9223")
        assert sim.state.pay_calls == 1
        assert tg.calls_to("getUpdates") == []
        assert tg.webhook_attempts
        assert all(attempt.ok for attempt in tg.webhook_attempts)
        assert {attempt.secret_token for attempt in tg.webhook_attempts} == {secret}
        assert {attempt.url for attempt in tg.webhook_attempts} == {url}

        # Without the secret, or with another one: 403, and the update is not acted on.
        async with httpx.AsyncClient() as client:
            forged = [
                await client.post(url, json=start_update(9_000_001, 4242)),
                await client.post(
                    url, json=start_update(9_000_002, 4242), headers={SECRET_HEADER: "wrong"}
                ),
                await client.post(
                    url, json=start_update(9_000_003, 4242), headers={SECRET_HEADER: secret[:-1]}
                ),
            ]
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert [answer.status_code for answer in forged] == [403, 403, 403]
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        await asyncio.sleep(0.2)
        assert not any(call.params.get("chat_id") in (4242, "4242") for call in tg.calls)
        telegram_contract_kept(tg)
    # Refused webhook calls are logged as warnings, never errors.
    no_errors_logged(caplog)
