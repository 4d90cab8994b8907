"""The getUpdates transport on stop (bot/channels/telegram/aiohttp_request.py): PTB's last
getUpdates is not sent when it would confirm nothing, and is bounded when Telegram is slow;
before the stop every call goes through. Against the fake Bot API over loopback."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import TimedOut

from bot.channels.telegram.aiohttp_request import PollingRequest
from fakes.telegram import FakeTelegram
from tests.e2e.harness import TOKEN


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


async def test_a_last_get_updates_that_confirms_nothing_is_not_sent(tg: FakeTelegram) -> None:
    request = PollingRequest(stop_timeout=1.0)
    async with Bot(TOKEN, base_url=tg.base_url, get_updates_request=request) as bot:
        await tg.send_text(tg.user(5001, "Awa"), "bonjour")
        [update] = await bot.get_updates(timeout=0)
        await bot.get_updates(offset=update.update_id + 1, timeout=0)  # answered: confirmed
        assert len(tg.updates) == 0
        calls = len(tg.calls_to("getUpdates"))
        request.stopping()
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
        assert await bot.get_updates(timeout=0) == ()  # no offset: confirms nothing either
        assert len(tg.calls_to("getUpdates")) == calls


async def test_a_last_get_updates_that_confirms_is_sent(tg: FakeTelegram) -> None:
    request = PollingRequest(stop_timeout=1.0)
    async with Bot(TOKEN, base_url=tg.base_url, get_updates_request=request) as bot:
        await tg.send_text(tg.user(5002, "Awa"), "un")
        [update] = await bot.get_updates(timeout=0)
        request.stopping()
        # Telegram answers: the update is confirmed, as PTB's last call means it to be.
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
        assert len(tg.updates) == 0


async def test_a_last_get_updates_is_bounded_and_loses_nothing(tg: FakeTelegram) -> None:
    request = PollingRequest(stop_timeout=1.0)
    async with Bot(TOKEN, base_url=tg.base_url, get_updates_request=request) as bot:
        await tg.send_text(tg.user(5003, "Awa"), "deux")
        [update] = await bot.get_updates(timeout=0)
        request.stopping()
        tg.set_latency("getUpdates", 2.5)  # Telegram slow: the stop does not wait for it
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TimedOut):
            await bot.get_updates(offset=update.update_id + 1, timeout=0)
        assert loop.time() - started < 2.0
        tg.set_latency("getUpdates", 0)
    # Unconfirmed, it is fetched again after a restart: not lost.
    async with Bot(TOKEN, base_url=tg.base_url, get_updates_request=PollingRequest()) as again:
        assert [u.update_id for u in await again.get_updates(timeout=0)] == [update.update_id]
