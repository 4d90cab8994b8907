"""Background delivery of callbacks, with the retries a real provider makes.

The app lifespan starts the sender (one shared httpx client); each accepted transaction
gets a background job: wait until its callback is due, settle the transaction's final
state, then POST the callback until a 2xx answer.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.simulator.config import Faults, SimulatorConfig
from bot.simulator.notify import Changed
from bot.simulator.references import WOYOFAL
from bot.simulator.state import CallbackAttempt, SimTransaction, SimulatorState

log = logging.getLogger(__name__)


def callback_body(txn: SimTransaction, faults: Faults | None = None) -> dict[str, Any]:
    if txn.status == "FAILED" and txn.refund_current_balance is not None:
        previous, current = txn.refund_previous_balance, txn.refund_current_balance
    else:
        previous, current = txn.previous_balance, txn.current_balance
    body: dict[str, Any] = {
        "id": txn.transaction_id,
        "externalTransactionId": txn.external_transaction_id,
        "transactionType": txn.transaction_type,
        "AMOUNT": txn.amount,
        "FEE": txn.fee,
        "PHONE_NUMBER": txn.reference_client,
        "STATUS": txn.status,
        "COMPLETED_AT": txn.completed_at,
        "PREVIOUS_BALANCE": previous,
        "CURRENT_BALANCE": current,
        "CUSTOM_DATA": txn.custom_data,
    }
    if txn.service_code == WOYOFAL and txn.status == "SUCCESS" and txn.token:
        body["TOKEN"] = txn.token
    if faults is not None:
        if faults.reported_fee is not None:
            body["FEE"] = faults.reported_fee
        if faults.reported_amount is not None:
            body["AMOUNT"] = faults.reported_amount
        for name in faults.callback_drop:
            body.pop(name, None)
    return body


class CallbackSender:
    """Runs one job per accepted transaction while the app is being served.

    Jobs interrupted by a shutdown are kept and resumed when the app is served again,
    as a provider that was down still sends its callbacks once it is back.
    """

    def __init__(
        self,
        config: SimulatorConfig,
        state: SimulatorState,
        settle: Callable[[SimTransaction], None],
        changed: Changed,
        faults: Faults | None = None,
    ) -> None:
        self._config = config
        self._faults = faults
        self._state = state
        self._settle = settle  # sets the final state of a transaction when its callback is due
        self._changed = changed  # notified when a job finishes
        self._due: dict[str, float] = {}  # unfinished jobs: transaction id → monotonic due time
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None

    @property
    def pending(self) -> int:
        """Jobs not finished: callback not yet due, being retried, or interrupted."""
        return len(self._due)

    @property
    def running(self) -> bool:
        return self._client is not None

    def start(self) -> None:
        if self.running:
            return
        self._client = httpx.AsyncClient(timeout=5.0)
        for transaction_id in self._due:
            self._spawn(transaction_id)

    async def stop(self) -> None:
        jobs = list(self._jobs.values())
        self._jobs.clear()
        for job in jobs:
            job.cancel()
        for job in jobs:
            with contextlib.suppress(asyncio.CancelledError):
                await job
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def schedule(self, transaction_id: str, delay: float) -> None:
        """Due in `delay` seconds. Starts the sender if the app runs without a lifespan."""
        self._due[transaction_id] = time.monotonic() + delay
        if self.running:
            self._spawn(transaction_id)
        else:
            self.start()

    def _spawn(self, transaction_id: str) -> None:
        self._jobs[transaction_id] = asyncio.create_task(
            self._job(transaction_id), name=f"sim-callback-{transaction_id}"
        )

    async def _job(self, transaction_id: str) -> None:
        # Cancellation (shutdown) leaves the job in _due, to be resumed by the next start().
        try:
            await asyncio.sleep(max(0.0, self._due[transaction_id] - time.monotonic()))
            txn = self._state.transactions[transaction_id]
            self._settle(txn)
            if txn.callback_url is not None:
                body = callback_body(txn, self._faults)
                for _ in range(max(1, self._config.duplicate_callbacks)):
                    await self._deliver(txn.callback_url, transaction_id, body)
        except Exception:
            log.exception("callback job %s crashed", transaction_id)
        self._due.pop(transaction_id, None)
        self._jobs.pop(transaction_id, None)
        self._changed.notify()

    async def _deliver(self, url: str, transaction_id: str, body: dict[str, Any]) -> None:
        delay = self._config.callback_retry_initial
        for attempt in range(1, self._config.callback_max_attempts + 1):
            status: int | None = None
            error: str | None = None
            assert self._client is not None
            try:
                response = await self._client.post(url, json=body)
                status = response.status_code
            except Exception as exc:  # connection refused, timeout: retry like a provider
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._state.callbacks_sent.append(
                CallbackAttempt(transaction_id, url, body, attempt, status, error, time.time())
            )
            if status is not None and 200 <= status < 300:
                return
            log.info(
                "callback %s to %s failed (attempt %d: %s), retry in %.1fs",
                transaction_id,
                url,
                attempt,
                status if error is None else error,
                delay,
            )
            if attempt == self._config.callback_max_attempts:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._config.callback_retry_max)
        log.warning("callback %s to %s given up", transaction_id, url)
