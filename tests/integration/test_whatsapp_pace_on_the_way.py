"""The bot's recipient pace as WhatsApp counts it: on arrival. The real sender, pacer and
client against the fake Graph API over loopback, on one frozen clock, with a network that
holds a message up on its way: the messages that follow must still arrive within the pace."""

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.outbound import WhatsAppSender
from bot.channels.whatsapp.pacing import WhatsAppPacer
from bot.channels.whatsapp.render import WhatsAppRenderer
from fakes.whatsapp import FakeWhatsApp, FrozenClock, Pace
from handlers.types import Reply

AGENT = "221778888888"
HELD_UP = 3.0  # seconds the first message spends on its way (a slow link, a busy loop)


class HeldUp(httpx.AsyncBaseTransport):
    """The network: the first message call takes `HELD_UP` seconds of the clock to arrive."""

    def __init__(self, clock: FrozenClock) -> None:
        self._clock = clock
        self._inner = httpx.AsyncHTTPTransport()
        self._held = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/messages") and not self._held:
            self._held = True
            self._clock.advance(HELD_UP)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
async def world() -> AsyncIterator[tuple[FakeWhatsApp, WhatsAppSender]]:
    clock = FrozenClock(1000.0)  # small values: the pacer's waits move it

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    # The fake keeps the bot's own settings (a burst of 3, then one message every 6 s).
    async with FakeWhatsApp(pace=Pace(), clock=clock, realistic=False) as wa:
        await wa.send_text(wa.user(AGENT, "Ousmane"), "menu")  # the 24-hour window opens
        client = WhatsAppClient(
            wa.base_url, "v23.0", wa.phone_number_id, wa.access_token, transport=HeldUp(clock)
        )
        pacer = WhatsAppPacer(80, 6.0, 3, clock=clock, sleep=sleep)
        try:
            yield wa, WhatsAppSender(client, pacer, WhatsAppRenderer())
        finally:
            await client.aclose()


async def test_a_message_held_up_on_its_way_does_not_push_the_next_over_the_pace(
    world: tuple[FakeWhatsApp, WhatsAppSender],
) -> None:
    """A burst after a wait whose first message arrives late: WhatsApp's bucket was still
    full while it travelled, so it starts refilling only when it lands; a pacer that counted
    it when it left would let the fourth message go a few seconds too early (131056)."""
    wa, sender = world
    for n in range(5):
        (message,) = WhatsAppRenderer().render(AGENT, Reply(f"message {n}"), "fr")
        await sender.send_one(AGENT, message)
    wa.assert_contract_kept()
    arrivals = [m.time - wa.sent[0].time for m in wa.sent]
    assert arrivals[:3] == [0.0, 0.0, 0.0]
    assert arrivals[3] >= 6.0 and arrivals[4] - arrivals[3] >= 6.0
