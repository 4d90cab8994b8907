"""A job run every so often, and at once when woken (WhatsApp's reported failures)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.workers.waking import wait_until_set

log = logging.getLogger(__name__)


class Periodic:
    def __init__(
        self,
        name: str,
        job: Callable[[], Awaitable[object]],
        interval: float,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._name = name
        self._job = job
        self._interval = interval
        self._wake = wake or asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def name(self) -> str:
        return self._name

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._job()
            except Exception:
                log.exception("%s failed; trying again", self._name)
            await wait_until_set(self._wake, self._interval)
