"""Updates of one user are handled one at a time, in order; different users in parallel.

A double tap on "Confirm" arrives as two updates, often in the same getUpdates batch. PTB
starts a task per update in arrival order; each task takes its user's lock before anything
else can run, and asyncio locks are fair, so the second tap waits for the first and then
finds its keyboard used up.

The user's lock is taken before one of the `limit` slots: a user with a backlog (a flood of
messages) waits on their own lock, not in slots the other users need.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore, made wide enough never to be the one that waits.
UNBOUNDED = 2**31 - 1


def update_owner(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        # PTB takes one of its slots before calling do_process_update, that is before the
        # user's lock: a user's backlog would sit in those slots while other users wait for
        # one. So PTB's own limit is left wide open, and the real one (`limit`) is taken
        # here, once it is this update's turn.
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(UNBOUNDED)
        self.limit = max_concurrent_updates
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._running = 0
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @property
    def current_concurrent_updates(self) -> int:
        """Updates being handled now (not those waiting for their user's turn)."""
        return self._running

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        owner = update_owner(update)
        if owner is None:
            await self._run(coroutine)
            return
        lock = self._locks.setdefault(owner, asyncio.Lock())
        self._waiting[owner] = self._waiting.get(owner, 0) + 1
        try:
            async with lock:
                await self._run(coroutine)
        finally:
            self._waiting[owner] -= 1
            if self._waiting[owner] == 0:
                del self._waiting[owner]
                del self._locks[owner]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
