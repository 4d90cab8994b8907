"""Serve the simulator on its own (`python -m bot simulator --port N`)."""

import asyncio
import logging

from bot.simulator.app import Simulator
from bot.simulator.config import SimulatorConfig
from bot.web.server import LoopbackServer

log = logging.getLogger(__name__)


async def run_standalone(host: str, port: int, config: SimulatorConfig) -> None:
    """Serve until cancelled."""
    simulator = Simulator(config)
    async with LoopbackServer(simulator.app, host, port) as server:
        log.info(
            "DEXCHANGE simulator listening on %s (API key %r, state at %s/_sim/state)",
            server.url,
            config.api_key,
            server.url,
        )
        await asyncio.Event().wait()
