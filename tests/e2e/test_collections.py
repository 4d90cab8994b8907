"""Funding a wallet through the whole bot (BotRuntime): the collection's signed callback on
the bot's own HTTP server, the credit, the message in the chat, then a purchase with it."""

import asyncio

import httpx

from bot.simulator import SimulatorConfig
from storage.models import CollectionStatus, MoneyMethod
from tests.e2e.chat import Chat
from tests.e2e.funding_chat import fund_in_chat, open_funding
from tests.e2e.harness import SIM_KEY, Stack, buy_woyofal, running_stack

FUNDED = "✅ Votre compte est rechargé de 5 000 FCFA. Nouveau solde : 5 000 FCFA."


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        api_key=SIM_KEY, callback_delay=0.3, sync_callback_delay=0.05, collection_delay=0.3
    )


async def user_id(stack: Stack, telegram_id: int) -> int:
    async with stack.runtime.storage.transaction() as tx:
        user = await tx.users.ensure("telegram", str(telegram_id))
    return user.id


async def test_a_new_customer_funds_the_wallet_then_buys(tmp_path) -> None:
    """A customer never credited by an admin funds 5 000 FCFA from Wave through the menu's
    "➕ Recharger mon compte", then the same conversation buys a Woyofal code."""
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = await stack.customer(3101, "Awa", credit=0)
        chat = Chat(stack.tg, awa)
        started = await fund_in_chat(chat, await open_funding(chat))
        assert "Ouvrez l'application Wave" in started.text
        await chat.wait_for(FUNDED, timeout=10)
        awa_id = await user_id(stack, 3101)
        [done] = await stack.runtime.storage.read.collections.for_user(awa_id)
        assert done.status is CollectionStatus.SUCCESS and done.number == "770000000"
        assert await stack.runtime.storage.read.ledger.balance(awa_id) == 5000
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{stack.runtime.http.url}/metrics")).text  # type: ignore[union-attr]
        assert 'bot_collections_total{method="wave",status="success"} 1.0' in metrics
        await buy_woyofal(stack.tg, awa, "123456789", "2000")
        await stack.tg.wait_for_message(awa, "Recharge Woyofal réussie", timeout=10)
        assert await stack.runtime.storage.read.ledger.balance(awa_id) == 5000 - 2020


async def test_committed_before_a_restart_is_sent_once_and_credited_once(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        moussa = await stack.customer(3102, "Moussa", credit=0)
        moussa_id = await user_id(stack, 3102)
        # Committed, then the process stopped before the init call (its reconciler first, so
        # only the next process can send it).
        await stack.runtime.reconciler.stop()
        prepared, _ = await stack.runtime.collections.prepare(
            moussa_id, MoneyMethod.ORANGE_MONEY, "771234567", 5000, "q1"
        )
        await asyncio.sleep(0.3)
        assert stack.sim.state.init_calls == 0
        await stack.restart()
        await stack.tg.wait_for_message(moussa, FUNDED, timeout=10)
        await asyncio.sleep(0.5)
        assert stack.sim.state.init_calls == 1
        entries = await stack.runtime.storage.read.ledger.all_for_collection(prepared.id)
        assert [entry.amount for entry in entries] == [5000]
