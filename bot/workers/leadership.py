"""One leader among the bot's processes (PostgreSQL only; on SQLite the one process leads).

Every process runs this loop. Not leading, it tries the leader's lock every `interval`
seconds; leading, it checks every `interval` that the session holding the lock still
answers, and wakes at once when the connection drops. Whoever takes the lock runs the work
that must run once per deployment (`on_elected`); a leader whose connection is gone stops
that work (`on_deposed`) before anything else: PostgreSQL freed its lock when the session
ended, so another process may be starting the same work already (the fence).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.workers.waking import wait_for_either

log = logging.getLogger(__name__)


class LeaderLock(Protocol):
    """storage.pg_signals.LeaderConnection."""

    lost: asyncio.Event

    @property
    def connected(self) -> bool: ...

    async def connect(self) -> None: ...

    async def try_lock(self) -> bool: ...

    async def alive(self) -> bool: ...

    async def close(self) -> None: ...


async def _nothing() -> None:
    return None


class LeaderElection:
    def __init__(
        self,
        lock: LeaderLock,
        *,
        on_elected: Callable[[], Awaitable[None]] = _nothing,
        on_deposed: Callable[[], Awaitable[None]] = _nothing,
        interval: float = 0.5,
        name: str = "leader-election",
    ) -> None:
        self._lock = lock
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._interval = interval
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._nudged = asyncio.Event()  # the leader stepped aside: try the lock now
        self.leading = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def begin(self) -> None:
        """One try now (a lone process leads when this returns), then the loop."""
        await self._attempt()
        self._task = asyncio.create_task(self._run(pause_first=True), name=self._name)

    def nudge(self) -> None:
        """The leader says it stepped aside: try the lock now rather than at the next round."""
        self._nudged.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop_trying(self) -> None:
        """End the loop; a leader keeps its lock (and its work) until `release()`."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def release(self) -> None:
        """Step down without stopping the work (the caller stopped it) and free the lock."""
        self._set_leading(False)
        await self._lock.close()

    async def stop(self) -> None:
        """End the loop, stop the leader's work if it ran here, then free the lock."""
        await self.stop_trying()
        await self._step_down("stopping")
        await self._lock.close()

    async def _run(self, pause_first: bool = False) -> None:
        if pause_first:
            await self._pause()
        while True:
            await self._attempt()
            await self._pause()

    async def _attempt(self) -> None:
        try:
            await self._step()
        except Exception as error:  # any: a server gone, a refused start, a bug
            log.warning("leader election: %s: %s", type(error).__name__, error)
            await self._step_down(f"{type(error).__name__}")
            await self._lock.close()

    async def _pause(self) -> None:
        if self._lock.connected:
            await wait_for_either(self._lock.lost, self._nudged, self._interval)
            self._nudged.clear()
        else:
            # Not at once: a process that just lost its connection leaves the others a
            # turn (the trouble is likely on its side).
            await asyncio.sleep(self._interval)

    async def _step(self) -> None:
        if self.leading and not await self._lock.alive():
            # The session, and the lock with it, is gone or out of reach.
            await self._step_down("the leader's connection is lost")
            await self._lock.close()
            return
        if not self._lock.connected:
            await self._lock.connect()
        if not self.leading and await self._lock.try_lock():
            log.info("this process is the leader now")
            self._set_leading(True)
            await self._on_elected()

    async def _step_down(self, reason: str) -> None:
        if not self.leading:
            return
        log.warning("this process no longer leads: %s", reason)
        self._set_leading(False)
        await self._on_deposed()

    def _set_leading(self, leading: bool) -> None:
        self.leading = leading
