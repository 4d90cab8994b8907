"""Wake the test helpers that wait for a counter of the simulator to change."""

import asyncio


class Changed:
    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self) -> None:
        """Until the next notify()."""
        loop = asyncio.get_running_loop()
        if self._event is None or self._loop is not loop:  # a simulator may outlive a loop
            self._event, self._loop = asyncio.Event(), loop
        await self._event.wait()
