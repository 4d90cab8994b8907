"""Funding the wallet through the conversation, over the fake Telegram and WhatsApp with the
DEXCHANGE simulator: the approval link, a double tap, a failure, the bounds and the daily
cap, the remembered number, Cancel at every step, and the same funding on WhatsApp."""

import asyncio

from bot.simulator import SimulatorConfig
from storage.models import Collection, CollectionStatus, MoneyMethod
from tests.e2e.chat import CANCEL, CANCELLED, Chat
from tests.e2e.funding_chat import (
    ASK_AMOUNT,
    CONFIRM,
    STARTED,
    WAVE_FAILS,
    WAVE_OK,
    confirm,
    fund_in_chat,
    open_funding,
    to_summary,
)
from tests.e2e.harness import SIM_KEY, Stack, running_stack
from tests.e2e.whatsapp_stack import whatsapp_stack

FUNDED = "✅ Votre compte est rechargé de 5 000 FCFA"


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        api_key=SIM_KEY, callback_delay=0.3, sync_callback_delay=0.05, collection_delay=0.3
    )


async def collections_of(stack: Stack, telegram_id: int) -> list[Collection]:
    storage = stack.runtime.storage
    user = await storage.read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    return await storage.read.collections.for_user(user.id)


async def balance_of(stack: Stack, telegram_id: int) -> int:
    storage = stack.runtime.storage
    user = await storage.read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    return await storage.read.ledger.balance(user.id)


async def test_wave_sends_its_approval_link_as_a_button(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        chat = Chat(stack.tg, await stack.customer(3201, "Awa", credit=0))
        pending = await fund_in_chat(chat, await open_funding(chat))
        assert "Ouvrez l'application Wave" in pending.text
        assert "15 minutes" in pending.text
        link = await chat.wait_for("ouvrez ce lien", timeout=10)
        [(label, url)] = [
            (button["text"], button.get("url"))
            for row in (link.reply_markup or {})["inline_keyboard"]
            for button in row
        ]
        assert label == "Valider avec Wave"
        assert url is not None and url.startswith(stack.sim_url) and "/_sim/wave/" in url
        await chat.wait_for(FUNDED, timeout=10)
        [collection] = await collections_of(stack, 3201)
        assert collection.payment_link == url
        # Once per collection, whatever comes after.
        await asyncio.sleep(0.5)
        assert len([m for m in stack.tg.messages(chat.user) if "ouvrez ce lien" in m.text]) == 1


async def test_a_double_tap_on_confirm_starts_one_collection(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        chat = Chat(stack.tg, await stack.customer(3202, "Moussa", credit=0))
        summary = await to_summary(chat, await open_funding(chat))
        data = summary.data_for(CONFIRM)
        answers = await chat.press_many(summary, [data, data])
        assert any(STARTED in (answer.text or "") for answer in answers), answers
        await chat.wait_for(FUNDED, timeout=10)
        await asyncio.sleep(0.5)
        assert len(await collections_of(stack, 3202)) == 1
        assert stack.sim.state.init_calls == 1
        assert await balance_of(stack, 3202) == 5000


async def test_a_refused_collection_says_so_and_credits_nothing(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        chat = Chat(stack.tg, await stack.customer(3203, "Fatou", credit=0))
        await fund_in_chat(chat, await open_funding(chat), number=WAVE_FAILS)
        failed = await chat.wait_for("n'a pas abouti", timeout=10)
        assert "rien n'a été prélevé" in failed.text
        [collection] = await collections_of(stack, 3203)
        assert collection.status is CollectionStatus.FAILED
        assert await balance_of(stack, 3203) == 0


async def test_bounds_and_the_daily_cap_are_said_clearly(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), COLLECTION_DAILY_CAP=10_000
    ) as stack:
        chat = Chat(stack.tg, await stack.customer(3204, "Ibrahima", credit=0))
        asked = await open_funding(chat)
        assert "entre 200 FCFA et 10 000 FCFA" in asked.text
        assert "20 000 FCFA" not in str(asked.buttons)  # past what today allows
        low = await chat.say("150", ASK_AMOUNT)
        assert "Le rechargement minimum est de 200 FCFA." in low.text
        high = await chat.say("12 000", ASK_AMOUNT)
        assert "plafond de rechargement du jour (10 000 FCFA)" in high.text
        await fund_in_chat(chat, await open_funding(chat), amount="8000")
        await chat.wait_for("rechargé de 8 000 FCFA", timeout=10)
        again = await open_funding(chat)
        assert "Vous pouvez encore recharger 2 000 FCFA aujourd'hui." in again.text
        refused = await chat.say("5000", ASK_AMOUNT)
        assert "vous pouvez encore recharger 2 000 FCFA aujourd'hui" in refused.text
        assert len(await collections_of(stack, 3204)) == 1


async def test_the_number_is_remembered_for_next_time(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        chat = Chat(stack.tg, await stack.customer(3205, "Ndeye", credit=0))
        await fund_in_chat(chat, await open_funding(chat), number="+221 77 000 00 00")
        await chat.wait_for(FUNDED, timeout=10)
        summary = await to_summary(chat, await open_funding(chat), "2 000 FCFA", number=None)
        assert "Numéro Wave : 77 000 00 00" in summary.text
        await confirm(chat, summary)
        await chat.wait_for("rechargé de 2 000 FCFA", timeout=10)
        assert await balance_of(stack, 3205) == 7000


async def test_cancel_at_every_step_starts_nothing(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        chat = Chat(stack.tg, await stack.customer(3206, "Omar", credit=0))
        amount = await open_funding(chat)
        assert CANCELLED in (await chat.press(amount, CANCEL)).last.text
        amount = await open_funding(chat)
        wallets = (await chat.press(amount, "5 000 FCFA")).last
        assert CANCELLED in (await chat.press(wallets, CANCEL)).last.text
        amount = await open_funding(chat)
        wallets = (await chat.press(amount, "5 000 FCFA")).last
        numbers = (await chat.press(wallets, "Orange Money")).last
        assert CANCELLED in (await chat.press(numbers, CANCEL)).last.text
        summary = await to_summary(chat, await open_funding(chat), method="Free Money")
        assert "Free Money" in summary.text
        assert CANCELLED in (await chat.press(summary, CANCEL)).last.text
        await open_funding(chat)
        assert CANCELLED in (await chat.say("annuler", CANCELLED)).text
        await asyncio.sleep(0.3)
        assert await collections_of(stack, 3206) == []
        assert stack.sim.state.init_calls == 0


async def test_the_same_funding_on_whatsapp_offers_the_own_number(tmp_path) -> None:
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        awa = await s.customer("221770000000", "Awa", bsuid="SN.300", credit=0)
        since = wa.mark()
        await wa.send_text(awa, "Recharger")
        amount = await wa.wait_for_message(awa, ASK_AMOUNT, since=since)
        await wa.press(awa, amount, "5 000 FCFA")
        wallets = await wa.wait_for_message(awa, "Avec quel portefeuille", since=since)
        await wa.press(awa, wallets, "Wave")
        numbers = await wa.wait_for_message(awa, "9 chiffres", since=since)
        await wa.press(awa, numbers, "📱 77 000 00 00")  # their own WhatsApp number
        summary = await wa.wait_for_message(awa, "Confirmez-vous ce rechargement", since=since)
        assert "Numéro Wave : 77 000 00 00" in summary.text
        await wa.press(awa, summary, CONFIRM)
        await wa.wait_for_message(awa, STARTED, since=since)
        await wa.wait_for_message(awa, "Ouvrez l'application Wave", since=since)
        link = await wa.wait_for_message(awa, "ouvrez ce lien", since=since, timeout=10)
        assert link.content.interactive == "cta_url" and link.content.link is not None
        label, url = link.content.link  # a button that opens the link
        assert label == "Valider avec Wave" and "/_sim/wave/" in url
        await wa.wait_for_message(awa, FUNDED, since=since, timeout=10)
        row = await s.user_row("221770000000", "SN.300")
        [collection] = await s.stack.runtime.storage.read.collections.for_user(row.id)
        assert collection.method is MoneyMethod.WAVE and collection.number == WAVE_OK
        assert await s.stack.runtime.storage.read.ledger.balance(row.id) == 5000
