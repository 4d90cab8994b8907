"""A Telegram customer funding their wallet through the conversation (French), step by step:
the helpers of tests/e2e/test_funding.py and test_collections.py."""

from fakes.telegram import BotMessage
from tests.e2e.chat import Chat

WAVE_OK = "770000000"  # the simulator's collection that succeeds
WAVE_FAILS = "770000001"
ASK_AMOUNT = "Quel montant voulez-vous ajouter"
ASK_METHOD = "Avec quel portefeuille"
ASK_NUMBER = "9 chiffres"
SUMMARY = "Confirmez-vous ce rechargement"
CONFIRM = "✅ Confirmer"
STARTED = "Demande de paiement envoyée"


async def open_funding(chat: Chat) -> BotMessage:
    """From the menu's "➕ Recharger mon compte" to the amount step."""
    menu = await chat.menu()
    asked = (await chat.press(menu, "g:fund")).last
    assert ASK_AMOUNT in asked.text, asked.text
    return asked


async def to_summary(
    chat: Chat,
    amount_step: BotMessage,
    amount: str = "5 000 FCFA",
    method: str = "Wave",
    number: str | None = WAVE_OK,
) -> BotMessage:
    """The amount pressed (a quick choice's label) or typed, the wallet pressed, the number
    typed (or, with None, the first number offered pressed): the summary."""
    if any(label == amount for row in amount_step.buttons for label, _ in row):
        wallets = (await chat.press(amount_step, amount)).last
    else:
        wallets = await chat.say(amount, ASK_METHOD)
    assert ASK_METHOD in wallets.text, wallets.text
    numbers = (await chat.press(wallets, method)).last
    assert ASK_NUMBER in numbers.text, numbers.text
    if number is None:
        offered = next(
            label for row in numbers.buttons for label, _ in row if label.startswith("📱")
        )
        summary = (await chat.press(numbers, offered)).last
    else:
        summary = await chat.say(number, SUMMARY)
    assert SUMMARY in summary.text, summary.text
    return summary


async def confirm(chat: Chat, summary: BotMessage) -> BotMessage:
    """Confirm: the summary becomes "request sent"; what to do on the phone comes next."""
    press = await chat.press(summary, CONFIRM)
    assert STARTED in press.changed[0].text, press.changed
    return press.last


async def fund_in_chat(
    chat: Chat, amount_step: BotMessage, amount: str = "5 000 FCFA", number: str = WAVE_OK
) -> BotMessage:
    """Amount, Wave, number, confirm: the message saying what to do on the phone."""
    summary = await to_summary(chat, amount_step, amount, "Wave", number)
    return await confirm(chat, summary)
