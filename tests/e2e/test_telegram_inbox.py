"""Webhook mode, durably: an update is stored in the inbox before Telegram gets its 200, then
handled per user, in order, once — whatever Telegram resends and whenever the bot stops.

Each user's replies say which message they answer: after "woyofal", the bot asks for a meter
and answers every bad one with « n » n'est pas une référence valide.
"""

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx

from bot.runtime import webhook_secret
from fakes.process import free_port
from fakes.telegram import FakeTelegram, FakeUser
from tests.e2e.harness import Stack, running_stack
from tests.e2e.test_webhook import SECRET_HEADER

ASK_METER = "compteur Woyofal"
BAD_REFERENCE = re.compile(r"« (\d+) » n'est pas une référence valide")


def text_update(update_id: int, user: FakeUser, text: str) -> dict[str, Any]:
    """A private text message as Telegram sends it to a webhook."""
    sender = user.to_api()
    chat = {"id": user.id, "type": "private", "first_name": user.first_name}
    message = {"message_id": update_id, "from": sender, "chat": chat, "date": 1_700_000_000}
    return {"update_id": update_id, "message": {**message, "text": text}}


def conversation(messages: int = 10) -> list[str]:
    """A user's messages: "woyofal", then bad meter numbers 1, 2, … (each answer names
    its number)."""
    return ["woyofal", *(str(n) for n in range(1, messages))]


def answered(tg: FakeTelegram, user: FakeUser) -> list[str]:
    """What the bot's messages to the user answer, in the order it sent them."""
    seen = []
    for message in tg.messages(user):
        found = BAD_REFERENCE.search(message.text)
        if found:
            seen.append(found.group(1))
        elif ASK_METER in message.text:
            seen.append("woyofal")
    return seen


async def wait_until(check: Any, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "not in time"
        await asyncio.sleep(0.05)


class Poster:
    """Posts updates to webhooks as Telegram does (with the secret token)."""

    def __init__(self, client: httpx.AsyncClient, secret: str) -> None:
        self._client = client
        self._secret = secret

    async def post(self, url: str, update: dict[str, Any]) -> int:
        answer = await self._client.post(url, json=update, headers={SECRET_HEADER: self._secret})
        return answer.status_code

    async def user_in_order(self, urls: list[str], updates: list[dict[str, Any]]) -> list[int]:
        """One user's updates, each sent once the previous one was answered (Telegram's
        way), to the webhooks in turn."""
        return [await self.post(urls[i % len(urls)], u) for i, u in enumerate(updates)]


def webhook_stack(tmp_path: Path, **overrides: Any) -> Any:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    return running_stack(tmp_path, HTTP_PORT=port, TELEGRAM_WEBHOOK_URL=url, **overrides)


def webhook_of(stack: Stack) -> str:
    url = stack.settings.TELEGRAM_WEBHOOK_URL
    assert url is not None
    return url


async def pending(stack: Stack) -> int:
    """Updates not handled yet, once those answered are marked (a moment after the reply)."""
    for _ in range(40):
        count = await stack.runtime.storage.read.inbox.pending_count("telegram")
        if count == 0:
            break
        await asyncio.sleep(0.05)
    return count


async def test_an_update_sent_again_is_handled_once(tmp_path: Path) -> None:
    async with webhook_stack(tmp_path) as stack:
        url, awa = webhook_of(stack), stack.tg.user(5101, "Awa")
        update = text_update(7_000_001, awa, "woyofal")
        async with httpx.AsyncClient() as client:
            poster = Poster(client, webhook_secret(stack.settings))
            # Telegram resends what it got no answer for: at once, and later on.
            statuses = await asyncio.gather(*(poster.post(url, update) for _ in range(3)))
            await wait_until(lambda: answered(stack.tg, awa) == ["woyofal"])
            statuses.append(await poster.post(url, update))
        assert statuses == [200, 200, 200, 200]
        await asyncio.sleep(1.0)  # time enough for a second answer, were there one
        assert answered(stack.tg, awa) == ["woyofal"]
        assert await stack.runtime.storage.read.inbox.exists("telegram", "7000001")
        assert await pending(stack) == 0


async def test_an_update_stored_before_a_stop_is_handled_after_the_restart(
    tmp_path: Path,
) -> None:
    async with webhook_stack(tmp_path) as stack:
        url, awa = webhook_of(stack), stack.tg.user(5102, "Awa")
        worker = stack.runtime.telegram_inbox
        assert worker is not None
        await worker.stop()  # the bot goes down right after its 200, before handling
        async with httpx.AsyncClient() as client:
            poster = Poster(client, webhook_secret(stack.settings))
            assert await poster.post(url, text_update(7_000_101, awa, "woyofal")) == 200
        await asyncio.sleep(0.5)
        assert answered(stack.tg, awa) == []
        assert await pending(stack) == 1  # committed before the 200, and not handled
        await stack.restart()
        await wait_until(lambda: answered(stack.tg, awa) == ["woyofal"])
        assert await pending(stack) == 0


async def test_a_burst_is_answered_in_order_for_each_user(tmp_path: Path) -> None:
    async with webhook_stack(tmp_path) as stack:
        url = webhook_of(stack)
        users = [stack.tg.user(5200 + i, f"User{i}") for i in range(20)]
        plans = {
            user.id: [
                text_update(8_000_000 + i * 100 + n, user, text)
                for n, text in enumerate(conversation())
            ]
            for i, user in enumerate(users)
        }
        async with httpx.AsyncClient() as client:
            poster = Poster(client, webhook_secret(stack.settings))
            statuses = await asyncio.gather(
                *(poster.user_in_order([url], plans[user.id]) for user in users)
            )
            assert {status for sent in statuses for status in sent} == {200}
            expected = conversation()
            await wait_until(lambda: all(len(answered(stack.tg, u)) >= 10 for u in users))
            metrics = (await client.get(url.replace("/telegram/webhook", "/metrics"))).text
        wrong = {u.id: answered(stack.tg, u) for u in users if answered(stack.tg, u) != expected}
        assert wrong == {}
        assert await pending(stack) == 0
        assert 'bot_inbox_messages_total{channel="telegram",outcome="handled"} 200.0' in metrics
        assert 'bot_inbox_pending{channel="telegram"} 0.0' in metrics


async def test_an_object_that_is_no_update_is_kept_for_an_admin(tmp_path: Path) -> None:
    async with webhook_stack(tmp_path) as stack:
        url = webhook_of(stack)
        async with httpx.AsyncClient() as client:
            poster = Poster(client, webhook_secret(stack.settings))
            # Answered 200 (Telegram would resend it for ever), stored whole, not handled.
            assert await poster.post(url, {"update_id": 2, "message": 5}) == 200
        [reject] = await stack.runtime.storage.read.inbox.rejects()
        assert (reject.channel, reject.body) == ("telegram", '{"update_id":2,"message":5}')
        assert "unreadable update" in reject.reason
        assert await stack.runtime.storage.read.inbox.pending_count("telegram") == 0
