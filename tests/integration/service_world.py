"""The payment service wired like production, without any chat: storage on a real SQLite
file, the DEXCHANGE client against the simulator, and the real callback HTTP server."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from bot.dexchange.client import DexchangeClient
from bot.metrics import Metrics
from bot.services.callbacks import CallbackService
from bot.services.payments import PaymentService
from bot.services.resolutions import Resolutions
from bot.services.signals import Signals
from bot.simulator import Simulator, SimulatorConfig
from bot.web.app import build_http_app
from bot.web.server import LoopbackServer
from bot.workers.reconciler import Reconciler
from storage import Storage
from storage.models import LedgerKind, Payment, PaymentStatus
from tests.databases import database_for

KEY = "service-test-key"
SECRET = "service-test-secret"


@dataclass
class ServiceWorld:
    storage: Storage
    sim: Simulator
    client: DexchangeClient
    service: PaymentService
    reconciler: Reconciler
    metrics: Metrics
    http_url: str
    user_id: int
    resolutions: Resolutions

    async def payment(self, payment_id: int) -> Payment:
        found = await self.storage.read.payments.get(payment_id)
        assert found is not None
        return found

    async def wait_for(
        self, payment_id: int, predicate: Callable[[Payment], bool], timeout: float = 10
    ) -> Payment:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            payment = await self.payment(payment_id)
            if predicate(payment):
                return payment
            if loop.time() > deadline:
                raise AssertionError(f"payment stuck in {payment.status}")
            await asyncio.sleep(0.02)

    async def wait_status(self, payment_id: int, status: PaymentStatus) -> Payment:
        return await self.wait_for(payment_id, lambda p: p.status is status)


@contextlib.asynccontextmanager
async def service_world(
    tmp_path: Path,
    *,
    sim_config: SimulatorConfig | None = None,
    client_timeout: float = 1.0,
    callbacks_reach_us: bool = True,
    deadline: timedelta = timedelta(minutes=30),
    fund: int = 1_000_000,
) -> AsyncIterator[ServiceWorld]:
    config = sim_config or SimulatorConfig(callback_delay=0.2, sync_callback_delay=0.05)
    config.api_key = KEY
    config.rate_per_minute = None
    sim = Simulator(config)
    storage = Storage(database_for(tmp_path / "service.sqlite3"))
    await storage.open()
    metrics = Metrics()
    http = LoopbackServer(None)
    http.bind()
    # A dead address makes every callback fail, so only polling can settle a payment.
    public = http.url if callbacks_reach_us else "http://127.0.0.1:9"
    payments_opened = asyncio.Event()
    async with LoopbackServer(sim.app) as sim_server:
        client = DexchangeClient(sim_server.url, KEY, timeout=client_timeout)
        service = PaymentService(
            storage,
            client,
            fee_percent=Decimal(1),
            public_base_url=public,
            callback_secret=SECRET,
            pay_timeout=client_timeout,
            check_base=0.2,
            signals=Signals(open_payment=payments_opened.set),
        )
        reconciler = Reconciler(service, interval=0.2, deadline=deadline, wake=payments_opened)
        http.app = build_http_app(
            storage=storage,
            callbacks=CallbackService(service, SECRET),
            metrics=metrics,
            health=_healthy,
        )
        await http.start()
        async with storage.transaction() as tx:
            user = await tx.users.upsert("telegram", "501", "501", "awa", "Awa")
            if fund:
                await tx.ledger.add(user.id, LedgerKind.CREDIT, fund, actor="test", note="fund")
        try:
            yield ServiceWorld(
                storage,
                sim,
                client,
                service,
                reconciler,
                metrics,
                http.url,
                user.id,
                Resolutions(service),
            )
        finally:
            await reconciler.stop()
            await service.drain()
            await http.stop()
            await client.aclose()
            await storage.close()


async def _healthy() -> dict[str, bool]:
    return {"test": True}
