"""WhatsApp on two real bot processes sharing one PostgreSQL database (issue 17: "the same
for WhatsApp messages"). Meta's webhook reaches one public address; here a loopback proxy
in front of the two processes delivers every POST TWICE, once to each, at the same moment
(Meta retrying a POST that another process already took). Each message is handled once,
each user's messages in order whichever process stored or claims them, and each purchase
pays once — DEXCHANGE's callbacks come through the same doubling proxy.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.whatsapp.templates import by_name
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer
from fakes.process import BotProcess, free_port
from fakes.telegram import FakeTelegram
from fakes.whatsapp import FakeWhatsApp
from fakes.whatsapp.models import WaUser
from storage import Storage
from storage.models import LedgerKind
from tests.databases import database_for, outside_rows, require_postgres
from tests.e2e.harness import SIM_KEY, TOKEN
from tests.e2e.loopback_proxy import pass_on, passed_back
from tests.e2e.test_telegram_inbox_processes import env_for
from tests.e2e.whatsapp_stack import QUICK

SUCCESS = "Recharge Woyofal réussie"  # with its code, at once
METER = "123456789"
CUSTOMERS = 12
WEBHOOK_PATH = "/whatsapp/webhook"
CREDIT = 100_000


class Doubler:
    """The proxy: every request goes to every process at once; the first 2xx is answered
    (else the last answer, or 502 when no process answered)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.client = httpx.AsyncClient(timeout=15, trust_env=False)
        self.webhooks_taken: Counter[int] = Counter()  # port → webhook POSTs it answered 2xx
        self.app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])

    async def _one(self, port: int, request: Request, body: bytes) -> httpx.Response | None:
        answer = await pass_on(self.client, port, request, body)
        if answer is not None and answer.is_success and request.url.path == WEBHOOK_PATH:
            self.webhooks_taken[port] += 1
        return answer

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        answers = await asyncio.gather(*(self._one(port, request, body) for port in self.ports))
        got = [answer for answer in answers if answer is not None]
        if not got:
            return Response("no process answered", status_code=502)
        return passed_back(next((answer for answer in got if answer.is_success), got[-1]))


@dataclass
class World:
    wa: FakeWhatsApp
    sim: Simulator
    bots: list[BotProcess]
    workdir: Path
    doubler: Doubler


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    require_postgres()
    sim = Simulator(SimulatorConfig(api_key=SIM_KEY))
    ports = [free_port(), free_port()]
    doubler = Doubler(ports)
    async with (
        FakeTelegram(token=TOKEN) as tg,
        LoopbackServer(sim.app) as sim_server,
        LoopbackServer(doubler.app) as proxy,
        FakeWhatsApp(templates=by_name(), pace=QUICK, webhook_url=None) as wa,
    ):
        bots = []
        for name, port in zip(("bot-a", "bot-b"), ports, strict=True):
            env = env_for(tmp_path, tg.base_url, sim_server.url, port)
            env.update(
                {
                    "PUBLIC_BASE_URL": proxy.url,
                    "WHATSAPP_ACCESS_TOKEN": wa.access_token,
                    "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
                    "WHATSAPP_APP_SECRET": wa.app_secret,
                    "WHATSAPP_VERIFY_TOKEN": wa.verify_token,
                    "WHATSAPP_API_BASE_URL": wa.base_url,
                    "WHATSAPP_MESSAGES_PER_SECOND": str(QUICK.messages_per_second),
                    "WHATSAPP_RECIPIENT_INTERVAL_SECONDS": str(QUICK.recipient_interval),
                    "WHATSAPP_RECIPIENT_BURST": str(QUICK.recipient_burst),
                }
            )
            bots.append(BotProcess(tmp_path, env, name))
        try:
            for bot in bots:
                await bot.start()
            wa.set_webhook(proxy.url + WEBHOOK_PATH)
            yield World(wa, sim, bots, tmp_path, doubler)
            await wa.wait_until_idle(timeout=10)
        finally:
            for bot in bots:
                await bot.stop()
            await doubler.client.aclose()
        wa.assert_contract_kept()


async def customers(world: World) -> list[WaUser]:
    storage = Storage(database_for(world.workdir / "bot.sqlite3"))
    await storage.open()
    users = []
    try:
        for n in range(CUSTOMERS):
            phone = f"22177{n:07d}"
            users.append(world.wa.user(phone, f"Client {n}"))
            async with storage.transaction() as tx:
                row = await tx.users.upsert_identity("whatsapp", None, phone, f"Client {n}", None)
                await tx.ledger.add(row.id, LedgerKind.CREDIT, CREDIT, actor="test")
    finally:
        await storage.close()
    return users


async def buys_in_a_burst(world: World, user: WaUser) -> None:
    """The menu's word, the meter and the amount sent at once, without waiting for the
    answers: only handled one at a time and in order do they lead to the summary."""
    wa = world.wa
    since = wa.mark()
    await wa.send_text(user, "woyofal")
    await wa.send_text(user, METER)
    await wa.send_text(user, "3000")
    summary = await wa.wait_for_message(user, "Confirmez-vous", since=since, timeout=30)
    await wa.press(user, summary, "✅ Confirmer et payer")
    await wa.wait_for_message(user, SUCCESS, since=since, timeout=30)


def texts(world: World, user: WaUser) -> list[str]:
    return [message.text or "" for message in world.wa.messages(user)]


async def test_whatsapp_messages_delivered_to_both_processes_are_handled_once_in_order(
    world: World,
) -> None:
    users = await customers(world)
    await asyncio.gather(*(buys_in_a_burst(world, user) for user in users))
    await asyncio.sleep(1.0)  # anything answered twice would be in by now

    for user in users:
        said = texts(world, user)
        asked = [
            next(i for i, text in enumerate(said) if marker in text)
            for marker in ("compteur Woyofal", "Quel montant", "Confirmez-vous", SUCCESS)
        ]
        assert asked == sorted(asked), (user.phone, said)  # answered in the order sent
        counts = Counter(
            marker
            for text in said
            for marker in ("compteur Woyofal", "Quel montant", "Confirmez-vous", SUCCESS)
            if marker in text
        )
        assert set(counts.values()) == {1}, (user.phone, said)  # each answer once

    # Both processes took every webhook POST: each message reached both.
    taken = list(world.doubler.webhooks_taken.values())
    assert len(taken) == 2 and taken[0] == taken[1] >= 4 * CUSTOMERS
    assert world.sim.state.debits == CUSTOMERS
    inbox = await outside_rows(
        world.workdir / "bot.sqlite3",
        "SELECT message_id, status FROM inbox WHERE channel = 'whatsapp'",
    )
    # 12 users × (3 texts + 1 press), each stored once and handled, though posted twice.
    assert len(inbox) == 4 * CUSTOMERS
    assert {row[1] for row in inbox} == {"handled"}
    assert len({row[0] for row in inbox}) == len(inbox)
    ledger = await outside_rows(
        world.workdir / "bot.sqlite3",
        "SELECT kind, count(*) FROM ledger WHERE payment_id IS NOT NULL GROUP BY kind",
    )
    assert dict((row[0], row[1]) for row in ledger) == {"reserve": CUSTOMERS, "settle": CUSTOMERS}
    handled_by = await outside_rows(
        world.workdir / "bot.sqlite3",
        "SELECT count(DISTINCT claimed_by) FROM inbox WHERE channel = 'whatsapp'",
    )
    assert handled_by[0][0] == 2  # both processes took their share
