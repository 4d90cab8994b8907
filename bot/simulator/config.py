"""Knobs of the DEXCHANGE simulator."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class SimulatorConfig:
    api_key: str = "sim-test-key"  # Bearer key accepted; anything else → 401
    initial_balance: int = 5_000_000  # FCFA, operator account at DEXCHANGE
    fee_percent: Decimal = Decimal("1")  # fee = amount * fee_percent / 100, rounded half up
    callback_delay: float = 2.0  # seconds between a PROCESSING answer and its final callback
    sync_callback_delay: float = 0.2  # seconds before the callback of a synchronous SUCCESS
    slow_seconds: float = 35.0  # how long the "slow" reference makes pay wait before answering
    rate_per_minute: int | None = 100  # sliding 60 s window over all API calls; None = off
    callback_retry_initial: float = 0.5  # first retry delay after a non-2xx / connection error
    callback_retry_max: float = 30.0  # backoff cap (doubling)
    callback_max_attempts: int = 10_000  # give up after this many attempts
    duplicate_callbacks: int = 1  # send each callback this many times (tests of duplicates)
