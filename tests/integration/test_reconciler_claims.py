"""The leader's reconciler never pays again what another live process is paying.

Two processes on one PostgreSQL database: the service world's (it pays, slowly) and a second
Storage with its own payment service and reconciler, as a leader elected in the middle of
that pay call would run them. It pulls every open payment forward (it cannot know what a
dead process left behind) and must leave the one still being paid to its payer.
"""

from decimal import Decimal
from pathlib import Path

from bot.dexchange.client import DexchangeClient
from bot.services.payments import PaymentService
from bot.simulator import SimulatorConfig
from bot.web.server import LoopbackServer
from bot.workers.reconciler import Reconciler
from storage import Storage
from storage.models import PaymentStatus
from tests.databases import database_for, require_postgres
from tests.integration.service_world import KEY, SECRET, service_world
from tests.integration.test_payment_service import woyofal

SLOW_METER = "777777777"  # the simulator debits, then answers pay after slow_seconds


async def test_a_new_leader_leaves_a_payment_another_process_is_paying(tmp_path: Path) -> None:
    require_postgres()
    config = SimulatorConfig(callback_delay=0.2, sync_callback_delay=0.05, slow_seconds=2.0)
    async with service_world(tmp_path, sim_config=config, client_timeout=5.0) as world:
        payment, _ = await world.service.confirm(world.user_id, woyofal(SLOW_METER), "slow")
        await world.sim.wait_for_pay_calls(1, timeout=10)
        other = Storage(database_for(tmp_path / "service.sqlite3"))  # the other process
        await other.open()
        try:
            async with LoopbackServer(world.sim.app) as sim_server:
                service = PaymentService(
                    other,
                    DexchangeClient(sim_server.url, KEY, timeout=5.0),
                    fee_percent=Decimal(1),
                    public_base_url="http://127.0.0.1:9",
                    callback_secret=SECRET,
                    pay_timeout=5.0,
                    check_base=0.2,
                )
                leader = Reconciler(service, interval=0.2)
                await leader.resume_after_restart()  # everything open is due now
                looked_at = await leader.run_once()
                assert looked_at >= 1  # it saw the payment…
                done = await world.wait_status(payment.id, PaymentStatus.SUCCESS)
                await leader.run_once()
        finally:
            await other.close()
    assert world.sim.state.pay_calls == 1  # …and left it to the process paying it
    assert done.attempts == 1
