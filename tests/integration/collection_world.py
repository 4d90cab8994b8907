"""The collection service wired like production, without a chat: storage on a real SQLite
file, the DEXCHANGE client against the simulator over loopback, the real callback server
and the reconciler. `restart()` stops the bot's side (service, server, reconciler, storage)
and builds it again on the same file and port, the simulator staying up: a process that
died and came back."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bot.dexchange.client import DexchangeClient
from bot.metrics import Metrics
from bot.services import callback_urls
from bot.services.callbacks import CallbackService
from bot.services.collections import CollectionCallbacks, CollectionService, FundingRules
from bot.services.pay_the_rest import PayTheRest
from bot.services.payments import PaymentService
from bot.services.signals import Signals
from bot.simulator import Simulator, SimulatorConfig
from bot.web.app import build_http_app
from bot.web.server import LoopbackServer
from bot.workers.reconciler import Reconciler
from storage import Storage
from storage.models import Collection, CollectionStatus, LedgerKind, OutboxMessage
from tests.databases import database_for

KEY = "collection-test-key"
SECRET = "collection-test-secret"
SUCCESS, FAILS, EXPIRES, CANCELS, SLOW = (f"77000000{i}" for i in range(5))


def fast_sim(**overrides: Any) -> SimulatorConfig:
    config = SimulatorConfig(
        collection_delay=0.3,
        collection_expiry=0.6,
        slow_seconds=1.5,
        callback_retry_initial=0.05,
        callback_retry_max=0.2,
    )
    for name, value in overrides.items():
        setattr(config, name, value)
    config.api_key = KEY
    config.rate_per_minute = None
    return config


@dataclass
class CollectionWorld:
    tmp_path: Path
    sim: Simulator
    sim_url: str
    rules: FundingRules
    client_timeout: float
    run_reconciler: bool
    callbacks_reach_us: bool = True
    port: int = 0
    storage: Storage = field(init=False)
    client: DexchangeClient = field(init=False)
    service: CollectionService = field(init=False)
    reconciler: Reconciler = field(init=False)
    payments: PaymentService = field(init=False)
    purchases: PayTheRest = field(init=False)
    metrics: Metrics = field(init=False)
    http: LoopbackServer = field(init=False)
    user_id: int = 0

    async def start(self) -> None:
        self.storage = Storage(database_for(self.tmp_path / "collections.sqlite3"))
        await self.storage.open()
        self.metrics = Metrics()
        self.http = LoopbackServer(None, port=self.port)
        self.port = self.http.bind()
        self.client = DexchangeClient(self.sim_url, KEY, timeout=self.client_timeout)
        # A dead address makes every callback fail, so only polling can settle a collection.
        public = self.http.url if self.callbacks_reach_us else "http://127.0.0.1:9"
        wake = asyncio.Event()
        signals = Signals(open_payment=wake.set)
        self.payments = payments = PaymentService(
            self.storage,
            self.client,
            fee_percent=Decimal(1),
            public_base_url=self.http.url,
            callback_secret=SECRET,
            check_base=0.2,
            signals=signals,
        )
        self.service = CollectionService(
            self.storage,
            self.client,
            public_base_url=public,
            callback_secret=SECRET,
            rules=self.rules,
            init_timeout=self.client_timeout,
            check_base=0.2,
            signals=signals,
            on_transition=self.metrics.count_collection,
        )
        self.purchases = PayTheRest(self.storage, payments, signals=signals)
        self.service.on_funded = self.purchases.funded
        self.reconciler = Reconciler(
            payments,
            interval=0.2,
            wake=wake,
            collections=self.service,
            purchases=self.purchases,
        )
        self.http.app = build_http_app(
            storage=self.storage,
            callbacks=CallbackService(payments, SECRET),
            metrics=self.metrics,
            health=_healthy,
            collection_callbacks=CollectionCallbacks(self.service),
        )
        await self.http.start()
        async with self.storage.transaction() as tx:
            user = await tx.users.upsert("telegram", "601", "601", "awa", "Awa")
        self.user_id = user.id
        if self.run_reconciler:
            self.reconciler.start()

    async def stop(self) -> None:
        await self.reconciler.stop()
        await self.service.drain()
        await self.purchases.drain()
        await self.payments.drain()
        await self.http.stop()
        await self.client.aclose()
        await self.storage.close()

    async def restart(self, *, run_reconciler: bool = True) -> None:
        await self.stop()
        self.run_reconciler = run_reconciler
        await self.start()

    async def collection(self, collection_id: int) -> Collection:
        found = await self.storage.read.collections.get(collection_id)
        assert found is not None
        return found

    async def wait_status(
        self, collection_id: int, status: CollectionStatus, timeout: float = 10
    ) -> Collection:
        return await self.wait_for(collection_id, lambda c: c.status is status, timeout)

    async def wait_for(
        self, collection_id: int, predicate: Callable[[Collection], bool], timeout: float = 10
    ) -> Collection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            collection = await self.collection(collection_id)
            if predicate(collection):
                return collection
            if loop.time() > deadline:
                raise AssertionError(f"collection stuck in {collection.status}")
            await asyncio.sleep(0.02)

    async def balance(self) -> int:
        return await self.storage.read.ledger.balance(self.user_id)

    async def fundings(self, collection_id: int) -> list[int]:
        entries = await self.storage.read.ledger.all_for_collection(collection_id)
        return [entry.amount for entry in entries if entry.kind is LedgerKind.FUNDING]

    async def notices(self) -> list[OutboxMessage]:
        messages = await self.storage.read.outbox.for_user(self.user_id)
        return [m for m in messages if m.payload.get("key", "").startswith("funding.")]

    async def post_callback(self, external_id: str, body: dict[str, Any]) -> httpx.Response:
        url = callback_urls.collection_callback_url(self.http.url, SECRET, external_id)
        async with httpx.AsyncClient() as http:
            return await http.post(url, json=body)


@contextlib.asynccontextmanager
async def collection_world(
    tmp_path: Path,
    *,
    sim_config: SimulatorConfig | None = None,
    rules: FundingRules | None = None,
    client_timeout: float = 1.0,
    run_reconciler: bool = True,
    callbacks_reach_us: bool = True,
) -> AsyncIterator[CollectionWorld]:
    sim = Simulator(sim_config or fast_sim())
    async with LoopbackServer(sim.app) as sim_server:
        world = CollectionWorld(
            tmp_path,
            sim,
            sim_server.url,
            rules or FundingRules(expiry=timedelta(seconds=2)),
            client_timeout,
            run_reconciler,
            callbacks_reach_us,
        )
        await world.start()
        try:
            yield world
        finally:
            await world.stop()


async def _healthy() -> dict[str, bool]:
    return {"test": True}
