"""The terminal channel: the same conversation, typed in a console.

Buttons are shown as numbered choices; typing a choice's number presses it, anything else
is typed text. Messages from the outbox (codes, results) are printed as they arrive.
"""

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.channels.base import NO_LIMIT, ChannelLimits, Outgoing
from handlers.engine import ConversationEngine
from handlers.types import Button, Incoming, InputKind, Outcome, Reply
from storage.models import User

CHANNEL = "terminal"
# A console prints whatever it is given, and buttons are numbers to type.
LIMITS = ChannelLimits(
    text_chars=NO_LIMIT,
    caption_chars=NO_LIMIT,
    keyboard_text_chars=NO_LIMIT,
    buttons=NO_LIMIT,
    buttons_per_row=NO_LIMIT,
    label_chars=NO_LIMIT,
    payload_bytes=NO_LIMIT,
)
QUIT_WORDS = frozenset({"q", "quit", "exit", "quitter", ":q"})


class TerminalConsole:
    """Prints replies and numbers the buttons of the latest keyboard."""

    def __init__(self, output: TextIO = sys.stdout, image_folder: Path | None = None) -> None:
        self._out = output
        self._choices: list[Button] = []
        self._image_folder = image_folder or Path("receipts")
        self._images = 0
        self._at_prompt = False  # "> " is on screen, waiting for the user to type

    def show(self, reply: Reply) -> None:
        lines = ["", *(f"🤖 {line}" if line else "🤖" for line in reply.text.splitlines())]
        if reply.image is not None:
            path = self._save_image(reply)
            lines.append(f"🤖 [image: {path}]")
        every = [button for row in reply.buttons for button in row]
        # A link is shown to open, not numbered: typing a number presses what comes back.
        lines += [f"   {b.label} : {b.url}" for b in every if b.url is not None]
        buttons = [button for button in every if button.url is None]
        if buttons:
            self._choices = buttons
            lines += [f"   [{number}] {b.label}" for number, b in enumerate(buttons, 1)]
        self._write("\n".join(lines))

    def note(self, text: str) -> None:
        self._write("\n".join(f"   {line}" for line in text.splitlines()))

    def _save_image(self, reply: Reply) -> Path:
        self._image_folder.mkdir(parents=True, exist_ok=True)
        self._images += 1
        path = self._image_folder / f"{self._images:03d}-{reply.image_name}"
        path.write_bytes(reply.image or b"")
        return path

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        if self._at_prompt:
            # A message came in (a code by callback) while the user was at the prompt.
            self._out.write("> ")
        self._out.flush()

    def prompt(self, echo: str | None = None) -> None:
        """The input prompt; with `echo`, the line read from a script, so a transcript shows it."""
        self._out.write("> " if echo is None else f"> {echo}\n")
        self._at_prompt = echo is None
        self._out.flush()

    def typed(self) -> None:
        """A line was read: the prompt is no longer waiting."""
        self._at_prompt = False

    def pressed(self, text: str) -> Button | None:
        """The button a typed number stands for, if it stands for one."""
        if text.isdigit() and 1 <= int(text) <= len(self._choices):
            return self._choices[int(text) - 1]
        return None

    def render(self, outcome: Outcome) -> None:
        # The pressed message is already on screen: only what changed is printed.
        if outcome.spend_keyboard or outcome.spent_text is not None:
            # That keyboard is used up (Telegram removes it): its numbers press nothing now.
            self._choices = []
        if outcome.toast and not outcome.replies:
            self.note(f"({outcome.toast})")
        for reply in outcome.replies:
            self.show(reply)


class TerminalOutbound:
    """The notifier's way to the terminal user."""

    def __init__(self, console: TerminalConsole) -> None:
        self._console = console

    async def send(self, user: User, outgoing: Outgoing) -> None:
        self._console.show(outgoing.reply)


def _read_lines(queue: "asyncio.Queue[str | None]", loop: asyncio.AbstractEventLoop) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


class TerminalSession:
    """Reads the console and feeds the conversation engine until quit or end of input."""

    def __init__(
        self,
        engine: ConversationEngine,
        console: TerminalConsole,
        user_id: str = "demo",
        display_name: str = "Awa",
    ) -> None:
        self._engine = engine
        self._console = console
        self._user_id = user_id
        self._display_name = display_name

    def incoming(self, line: str) -> Incoming:
        button = self._console.pressed(line)
        return Incoming(
            channel=CHANNEL,
            user_external_id=self._user_id,
            chat_id=self._user_id,
            kind=InputKind.BUTTON if button else InputKind.TEXT,
            text=button.payload if button else line,
            display_name=self._display_name,
        )

    async def say(self, line: str) -> None:
        outcome = await self._engine.handle(self.incoming(line))
        self._console.render(outcome)

    async def run(self, settle: Callable[[], Awaitable[None]] | None = None) -> None:
        """Until quit or end of input.

        `settle`, awaited after each line, is for scripted (piped) input: waiting there until
        the payment just confirmed has answered makes the transcript the same on every run,
        and a typed number always presses a button of the keyboard printed just before it.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=_read_lines, args=(queue, loop), daemon=True).start()
        await self.say("/start")
        while True:
            if settle is None:
                self._console.prompt()
            line = await queue.get()
            self._console.typed()
            if line is None:
                return
            line = line.strip()
            if settle is not None:
                self._console.prompt(echo=line)
            if line.lower() in QUIT_WORDS:
                return
            if line:
                await self.say(line)
                if settle is not None:
                    await settle()
