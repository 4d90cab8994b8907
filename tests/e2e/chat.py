"""A user of the fake Telegram talking to the bot, and the checks every conversation test ends with.

`Chat` sends what a user sends (text, sticker, photo, button presses) and returns what the bot
answered to it; `telegram_contract_kept` asserts the bot never had a Bot API call refused (texts
over 4096 characters and callback data over 64 bytes are refused by the fake like by Telegram)
and answered every button press.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from fakes.telegram import ApiCall, BotMessage, CallbackAnswer, FakeTelegram, FakeUser

STEP_PAYLOAD = re.compile(r"^s:([0-9a-f]+):")

CONFIRM = "✅ Confirmer et payer"
CANCEL = "✖️ Annuler"
CLIENT_QUESTION = "Pour quel client"
NO_CLIENT = "⏭ Sans nom"
MENU_QUESTION = "Que voulez-vous faire"
CANCELLED = "Opération annulée. Rien n'a été payé."


@dataclass
class Press:
    """A button press and what it did: the answer to the callback query, the messages changed."""

    answer: CallbackAnswer
    changed: list[BotMessage] = field(default_factory=list)

    @property
    def last(self) -> BotMessage:
        assert self.changed, "the press changed no message"
        return self.changed[-1]


@dataclass
class Chat:
    tg: FakeTelegram
    user: FakeUser

    def changed_since(self, mark: int) -> list[BotMessage]:
        """The bot's messages in this chat sent or edited after `mark`, oldest change first."""
        found = [m for m in self.tg.messages(self.user) if m.seq > mark]
        return sorted(found, key=lambda message: message.seq)

    async def say(
        self,
        text: str,
        expect: str | Callable[[BotMessage], bool] | None = None,
        *,
        timeout: float = 5,
    ) -> BotMessage:
        """Send a text; the bot's answer to it (the first message matching `expect`)."""
        since = self.tg.mark()
        await self.tg.send_text(self.user, text)
        return await self.tg.wait_for_message(self.user, expect, since=since, timeout=timeout)

    async def sticker(self) -> BotMessage:
        since = self.tg.mark()
        await self.tg.send_sticker(self.user)
        return await self.tg.wait_for_message(self.user, since=since)

    async def photo(self) -> BotMessage:
        since = self.tg.mark()
        await self.tg.send_photo_from_user(self.user, caption="07061270877")
        return await self.tg.wait_for_message(self.user, since=since)

    async def press(
        self, message: BotMessage, data: str, *, force: bool = False, timeout: float = 5
    ) -> Press:
        """Press a button (its data or its label). The bot draws everything before answering
        the callback query, so once answered, `changed` holds all it did."""
        since = self.tg.mark()
        pressed = await self.tg.press(self.user, message, data, force=force)
        answer = await self.tg.wait_for_answer(pressed, timeout=timeout)
        return Press(answer, self.changed_since(since))

    async def press_many(self, message: BotMessage, data: list[str]) -> list[CallbackAnswer]:
        """Several presses in ONE getUpdates batch (a double tap)."""
        presses = await self.tg.press_many(self.user, message, data)
        return [await self.tg.wait_for_answer(pressed) for pressed in presses]

    async def menu(self) -> BotMessage:
        """/start, in whatever language: the answer is the message with the menu's buttons."""
        return await self.say("/start", lambda message: "g:pay:woyofal" in message.callback_data)

    async def start_flow(self, service: str) -> BotMessage:
        """From the menu's button to the reference prompt."""
        menu = await self.menu()
        press = await self.press(menu, f"g:pay:{service}")
        return press.last

    async def woyofal_to_confirmation(self, meter: str, amount: str = "5000") -> BotMessage:
        await self.start_flow("woyofal")
        await self.say(meter, "Quel montant")
        return await self.say(amount, "Confirmez-vous")

    async def bill_to_confirmation(self, service: str, reference: str) -> BotMessage:
        await self.start_flow(service)
        return await self.say(reference, "Confirmez-vous")

    async def client_to_confirmation(self, question: BotMessage, client: str | None) -> BotMessage:
        """An agent's client step: type the client's name or number, or skip it."""
        assert CLIENT_QUESTION in question.text, question.text
        if client is None:
            return (await self.press(question, NO_CLIENT)).last
        return await self.say(client, "Confirmez-vous")

    async def agent_woyofal_to_confirmation(
        self, meter: str, amount: str = "5000", client: str | None = None
    ) -> BotMessage:
        await self.start_flow("woyofal")
        await self.say(meter, "Quel montant")
        question = await self.say(amount, CLIENT_QUESTION)
        return await self.client_to_confirmation(question, client)

    async def agent_bill_to_confirmation(
        self, service: str, reference: str, client: str | None = None
    ) -> BotMessage:
        await self.start_flow(service)
        question = await self.say(reference, CLIENT_QUESTION)
        return await self.client_to_confirmation(question, client)

    async def wait_for(
        self, text: str, *, timeout: float = 5, since: int | None = None
    ) -> BotMessage:
        return await self.tg.wait_for_message(self.user, text, timeout=timeout, since=since)


def step_token(message: BotMessage, default: str | None = None) -> str:
    """The step token carried by the message's step buttons."""
    for data in message.callback_data:
        match = STEP_PAYLOAD.match(data)
        if match:
            return match.group(1)
    if default is not None:
        return default
    raise AssertionError(f"no step button on {message!r}")


def refused_calls(tg: FakeTelegram) -> list[ApiCall]:
    """Bot API calls the fake refused. A 409 on getUpdates is the old poll of a restarted bot."""
    return [
        call
        for call in tg.calls
        if not call.ok and not (call.method == "getUpdates" and call.status == 409)
    ]


def telegram_contract_kept(tg: FakeTelegram) -> None:
    assert refused_calls(tg) == []
    assert tg.internal_errors == []
    unanswered = [pressed.data for pressed in tg.pressed.values() if not pressed.answered]
    assert unanswered == []
    for call in tg.calls_to("sendMessage") + tg.calls_to("editMessageText"):
        assert len(str(call.params.get("text", ""))) <= 4096


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A conversation that crashed inside shows the menu; the log is where it shows."""
    errors = [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR
    ]
    assert errors == []


def codes_of(text: str) -> list[str]:
    """Recharge codes as the bot shows them: groups of four digits on a line."""
    return re.findall(r"^(?:\d\. )?((?:\d{4} )+\d{1,4})$", text, flags=re.MULTILINE)


def grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
