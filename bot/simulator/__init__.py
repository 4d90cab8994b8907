"""A faithful in-memory DEXCHANGE billing API, for tests and demos (docs/simulator.md)."""

from bot.simulator.app import Simulator
from bot.simulator.config import SimulatorConfig
from bot.simulator.standalone import run_standalone
from bot.simulator.state import Bill, CallbackAttempt, SimTransaction, SimulatorState

__all__ = [
    "Bill",
    "CallbackAttempt",
    "SimTransaction",
    "Simulator",
    "SimulatorConfig",
    "SimulatorState",
    "run_standalone",
]
