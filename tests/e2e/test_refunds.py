"""Refunds out through the whole bot: the admin's /refund over the fake Telegram (its
confirmation pressed twice), the command line, and what /collections and /pending show."""

import asyncio

from bot.services.payouts import Payouts
from bot.simulator import SimulatorConfig
from storage.models import CollectionStatus, LedgerKind, MoneyAccount, MoneyMethod
from tests.e2e.chat import Chat
from tests.e2e.harness import SECRET, SIM_KEY, Stack, bot_command, running_stack

ADMIN_ID = 9101
CONFIRM = "✅ Rembourser"
SENT = (
    "💸 4 000 FCFA ont été envoyés sur votre mobile money (770000000). Nouveau solde : 6 000 FCFA."
)


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        api_key=SIM_KEY, callback_delay=0.3, sync_callback_delay=0.05, collection_delay=0.3
    )


async def user_id(stack: Stack, telegram_id: int) -> int:
    async with stack.runtime.storage.transaction() as tx:
        user = await tx.users.ensure("telegram", str(telegram_id))
    return user.id


async def save_account(stack: Stack, user: int, method: MoneyMethod, number: str) -> None:
    async with stack.runtime.storage.transaction() as tx:
        await tx.users.set_money_account(user, MoneyAccount(method, number))


async def moves(stack: Stack, user: int) -> list[tuple[str, int]]:
    entries = await stack.runtime.storage.read.ledger.entries(user, 50)
    return [
        (entry.kind.value, entry.amount)
        for entry in reversed(entries)
        if entry.kind is not LedgerKind.CREDIT
    ]


async def cli(stack: Stack, *args: str) -> tuple[int, str, str]:
    """`python -m bot …` in its own process, on the running bot's database and simulator;
    callbacks come to the running bot's HTTP server."""
    assert stack.runtime.http is not None
    env = {
        "DEXCHANGE_BASE_URL": stack.sim_url,
        "DEXCHANGE_API_KEY": SIM_KEY,
        "CALLBACK_SECRET": SECRET,
        "PUBLIC_BASE_URL": stack.runtime.http.url,
    }
    return await bot_command(stack, *args, env=env)


async def test_an_admin_refunds_in_the_chat_and_a_double_press_sends_one(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        awa = await stack.customer(3201, "Awa", credit=10_000)
        awa_id = await user_id(stack, 3201)
        await save_account(stack, awa_id, MoneyMethod.WAVE, "770000000")
        admin = Chat(stack.tg, stack.tg.user(ADMIN_ID, "Aissatou"))
        summary = await admin.say("/refund 3201 4 000", "Confirmez-vous l'envoi")
        text = summary.text or ""
        assert "4 000 FCFA" in text and "Wave 770000000" in text
        assert "10 000 FCFA → 6 000 FCFA" in text
        assert await moves(stack, awa_id) == []  # nothing moves before the confirmation
        answers = await admin.press_many(summary, [CONFIRM, CONFIRM])
        assert any("Remboursement n°" in (answer.text or "") for answer in answers)
        assert any("déjà été utilisé" in (answer.text or "") for answer in answers)
        await stack.tg.wait_for_message(awa, SENT, timeout=10)
        await admin.wait_for("Remboursement n°")  # the summary says it went
        await asyncio.sleep(0.5)
        assert stack.sim.state.init_calls == 1
        refunds = await stack.runtime.storage.read.collections.for_user(awa_id)
        assert [(c.status, c.amount, c.service_code) for c in refunds] == [
            (CollectionStatus.SUCCESS, 4000, "WAVE_SN_CASHIN")
        ]
        assert refunds[0].actor == f"admin:{ADMIN_ID}"
        assert await moves(stack, awa_id) == [("payout", -4000)]
        # Succeeded: neither open, nor failed, nor flagged.
        await admin.say("/collections", "Aucun rechargement ni remboursement à surveiller")


async def test_a_failed_refund_of_the_whole_balance_comes_back_and_is_listed(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        moussa = await stack.customer(3202, "Moussa", credit=5_000)
        moussa_id = await user_id(stack, 3202)
        admin = Chat(stack.tg, stack.tg.user(ADMIN_ID, "Aissatou"))
        summary = await admin.say("/refund 3202 all om 77 000 00 01", "Confirmez-vous l'envoi")
        assert "Orange Money 770000001" in (summary.text or "")
        await admin.press(summary, CONFIRM)
        await stack.tg.wait_for_message(
            moussa, "l'argent est de retour sur votre compte. Solde : 5 000 FCFA.", timeout=10
        )
        assert await moves(stack, moussa_id) == [("payout", -5000), ("payout_return", 5000)]
        listed = await admin.say("/collections", "Échoués, annulés ou expirés")
        text = listed.text or ""
        assert "remboursement Orange Money 770000001 · 5 000 FCFA · échoué" in text
        assert "· 3202 (3202) ·" in text  # who: he never wrote, so his id


async def test_refusals_in_the_chat_move_nothing(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        fatou = await stack.customer(3203, "Fatou", credit=1_000)
        fatou_id = await user_id(stack, 3203)
        admin = Chat(stack.tg, stack.tg.user(ADMIN_ID, "Aissatou"))
        assert "Usage : /refund" in ((await admin.say("/refund 3203")).text or "")
        no_account = await admin.say("/refund 3203 500")
        assert "pas de compte mobile money enregistré" in (no_account.text or "")
        bad_method = await admin.say("/refund 3203 500 paypal 770000000")
        assert "Moyen inconnu : paypal" in (bad_method.text or "")
        bad_number = await admin.say("/refund 3203 500 wave 7700")
        assert "Numéro invalide : 7700" in (bad_number.text or "")
        too_much = await admin.say("/refund 3203 2000 wave 770000000")
        assert "ne suffit pas" in (too_much.text or "")
        too_little = await admin.say("/refund 3203 150 wave 770000000")
        assert "au moins 200 FCFA" in (too_little.text or "")
        customer = Chat(stack.tg, fatou)
        refused = await customer.say("/refund 3203 500 wave 770000000")
        assert "réservée aux administrateurs" in (refused.text or "")
        await asyncio.sleep(0.3)
        assert await stack.runtime.storage.read.collections.for_user(fatou_id) == []
        assert stack.sim.state.init_calls == 0
        assert await stack.runtime.storage.read.ledger.balance(fatou_id) == 1_000


async def test_the_command_line_refunds_and_lists_collections(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        awa = await stack.customer(3204, "Awa", credit=10_000)
        awa_id = await user_id(stack, 3204)
        code, out, err = await cli(
            stack, "refund", "3204", "4000", "--method", "wave", "--number", "770000000"
        )
        assert code == 0, err
        assert "ok: refund #" in out and "4000 FCFA to wave 770000000" in out
        assert "balance 6000 FCFA" in out
        await stack.tg.wait_for_message(awa, SENT, timeout=10)
        assert await moves(stack, awa_id) == [("payout", -4000)]
        # A script run again with its key finds the same refund: nothing sent twice.
        await save_account(stack, awa_id, MoneyMethod.WAVE, "770000000")
        first = await cli(stack, "refund", "3204", "all", "--key", "nightly-1")
        again = await cli(stack, "refund", "3204", "all", "--key", "nightly-1")
        assert first[0] == 0 and "6000 FCFA to wave 770000000" in first[1], first[2]
        assert again[0] == 0 and "already made" in again[1], again[2]
        assert stack.sim.state.init_calls == 2
        await stack.tg.wait_for_message(awa, "Nouveau solde : 0 FCFA.", timeout=10)
        # Refused: more than the balance; nothing made.
        code, out, err = await cli(
            stack, "refund", "3204", "7000", "--method", "om", "--number", "770000000"
        )
        assert code == 1 and "ne suffit pas" in err
        code, out, err = await cli(stack, "refund", "3205", "all")  # never wrote
        assert code == 1 and "Utilisateur inconnu" in err
        await stack.customer(3206, "Ndeye", credit=500)
        code, out, err = await cli(stack, "refund", "3206", "all")  # no saved account
        assert code == 1 and "pas de compte mobile money" in err
        code, out, err = await cli(stack, "collections")
        assert code == 0, err
        assert "open: 0" in out and "flagged for an admin: 0" in out
        assert stack.sim.state.init_calls == 2
        assert await stack.runtime.storage.read.ledger.balance(awa_id) == 0


async def test_flagged_collections_show_in_pending_and_collections(tmp_path) -> None:
    async with running_stack(
        tmp_path, simulator_config=sim_config(), ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        await stack.customer(3205, "Awa", credit=10_000)
        awa_id = await user_id(stack, 3205)
        stack.sim.faults.reported_amount = 99_000  # DEXCHANGE reports another amount
        made, _ = await stack.runtime.accounts.refunds.refund(  # type: ignore[union-attr]
            awa_id, 3000, MoneyMethod.WAVE, "770000000", actor="test", idempotency_key="k"
        )
        storage = stack.runtime.storage
        for _ in range(200):
            found = await storage.read.collections.get(made.id)
            if found is not None and found.needs_attention:
                break
            await asyncio.sleep(0.05)
        admin = Chat(stack.tg, stack.tg.user(ADMIN_ID, "Aissatou"))
        pending = await admin.say("/pending", "détails : /collections")
        assert f"#{made.id} remboursement Wave 770000000" in (pending.text or "")
        assert "99000" in (pending.text or "")
        listed = await admin.say("/collections", "⚠️ À vérifier (")
        assert "99000" in (listed.text or "")
        after = await storage.read.collections.get(made.id)
        assert after is not None and after.status is not CollectionStatus.SUCCESS
        assert await storage.read.ledger.balance(awa_id) == 7000  # debited, nothing else
        code, out, err = await cli(stack, "collections")
        assert code == 0, err
        assert "flagged for an admin: 1" in out and "ATTENTION" in out


async def test_a_refund_committed_before_a_restart_is_sent_once(tmp_path) -> None:
    async with running_stack(tmp_path, simulator_config=sim_config()) as stack:
        awa = await stack.customer(3207, "Awa", credit=10_000)
        awa_id = await user_id(stack, 3207)
        # Committed with its debit, then the process stopped before the init call (its
        # reconciler first, so only the next process can send it).
        await stack.runtime.reconciler.stop()
        made, _ = await Payouts(stack.runtime.collections).prepare(
            awa_id, 4000, MoneyMethod.WAVE, "770000000", actor="test", idempotency_key="k"
        )
        await asyncio.sleep(0.3)
        assert stack.sim.state.init_calls == 0
        assert await moves(stack, awa_id) == [("payout", -4000)]
        await stack.restart()
        await stack.tg.wait_for_message(awa, SENT, timeout=10)
        await asyncio.sleep(0.5)
        assert stack.sim.state.init_calls == 1
        assert await moves(stack, awa_id) == [("payout", -4000)]
        done = await stack.runtime.storage.read.collections.get(made.id)
        assert done is not None and done.status is CollectionStatus.SUCCESS
