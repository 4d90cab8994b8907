"""Who may spend: wallets, the ledger and the admin's controls, through Telegram and the CLI."""

import asyncio

import pytest

from handlers.formatting import fcfa
from storage.models import LedgerKind, PaymentStatus, Role
from tests.e2e.chat import Chat, telegram_contract_kept
from tests.e2e.harness import Stack, bot_command, running_stack

S = PaymentStatus
ADMIN_ID = 9001

ADMIN_COMMANDS = [
    "/credit 1001 5000",
    "/debit 1001 100",
    "/role 1001 admin",
    "/user 1001",
    "/pending",
    "/undelivered",
    "/provider",
    "/stats",
    "/admin",
]


async def cli(
    stack: Stack, *args: str, extra_env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """`python -m bot admin …` in its own process, on the running bot's database."""
    return await bot_command(stack, "admin", *args, env=extra_env or {})


async def ledger_kinds(stack: Stack, telegram_id: int) -> list[tuple[LedgerKind, int]]:
    read = stack.runtime.storage.read
    user = await read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    return [(e.kind, e.amount) for e in reversed(await read.ledger.entries(user.id, 50))]


async def test_an_unknown_user_cannot_spend_until_credited_by_the_cli(tmp_path) -> None:
    # An operator who funds wallets by hand only (no mobile-money collection offered).
    async with running_stack(tmp_path, COLLECTION_SERVICES="") as stack:
        tg = stack.tg
        newcomer = Chat(tg, tg.user(1001, "Modou", username="modou"))
        await newcomer.menu()
        refused = await newcomer.press(await newcomer.menu(), "g:pay:woyofal")
        text = refused.last.text or ""
        assert "solde est de 0 FCFA" in text and "1001" in text and "@modou" in text
        await asyncio.sleep(0.3)
        assert stack.sim.state.pay_calls == 0

        code, out, err = await cli(stack, "credit", "--telegram-id", "1001", "--amount", "20000")
        assert code == 0, err
        assert "balance 20000 FCFA" in out
        notice = await newcomer.wait_for("crédité de 20 000 FCFA", timeout=10)
        assert "Nouveau solde : 20 000 FCFA" in (notice.text or "")

        summary = await newcomer.woyofal_to_confirmation("07061270877", "5000")
        assert "Solde disponible : 20 000 FCFA" in (summary.text or "")
        await newcomer.press(summary, "✅ Confirmer et payer")
        await newcomer.wait_for("1283 9300 9320 9223", timeout=10)
        await stack.wait_for_payment(newcomer.user, lambda p: p.status is S.SUCCESS)
        assert await ledger_kinds(stack, 1001) == [
            (LedgerKind.CREDIT, 20_000),
            (LedgerKind.RESERVE, -5_050),
            (LedgerKind.SETTLE, 0),
        ]
        balance = await newcomer.say("/balance", "Votre solde")
        text = balance.text or ""
        assert "Votre solde : 14 950 FCFA" in text
        assert "-5 050 FCFA · paiement 07061270877" in text
        assert "+20 000 FCFA · crédit" in text
        telegram_contract_kept(tg)


async def test_not_enough_credit_at_confirmation_creates_nothing(tmp_path) -> None:
    async with running_stack(tmp_path, COLLECTION_SERVICES="") as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1002, "Awa", credit=50_000))
        summary = await awa.bill_to_confirmation("senelec", "210278816")  # 105 545 FCFA
        press = await awa.press(summary, "✅ Confirmer et payer")
        assert "Solde insuffisant" in (press.answer.text or "")
        edited = tg.message(awa.user, summary.message_id)
        assert edited is not None and "105 545 FCFA" in (edited.text or "")
        assert edited.buttons == []  # the keyboard is spent
        assert await stack.payments(awa.user) == []
        await asyncio.sleep(0.3)
        assert stack.sim.state.pay_calls == 0
        assert await ledger_kinds(stack, 1002) == [(LedgerKind.CREDIT, 50_000)]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
async def test_admin_commands_are_refused_to_customers_and_agents(tmp_path, role) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        other = Chat(tg, await stack.customer(1001, "Victim", credit=70_000))
        await other.woyofal_to_confirmation("07061270877")  # has data worth hiding
        someone = Chat(tg, await stack.customer(1003, "Someone", credit=10))
        await stack.runtime.accounts.grant("1003", role)
        for command in ADMIN_COMMANDS:
            answer = await someone.say(command)
            assert answer.text == "Cette commande est réservée aux administrateurs.", command
        assert await ledger_kinds(stack, 1001) == [(LedgerKind.CREDIT, 70_000)]
        victim = await stack.runtime.storage.read.users.by_external_id("telegram", "1001")
        assert victim is not None and victim.role is Role.CUSTOMER
        # Their own /balance shows their own wallet only.
        mine = await someone.say("/balance", "Votre solde")
        assert "Votre solde : 10 FCFA" in (mine.text or "")
        assert "70 000" not in (mine.text or "")


async def test_the_admin_runs_the_service_from_the_chat(tmp_path) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou", username="boss"))
        agent = Chat(tg, tg.user(1005, "Ousmane", username="ousmane_shop"))
        await agent.menu()  # the agent has written to the bot once

        answer = await admin.say("/credit @ousmane_shop 200 000 versement espèces")
        assert "crédité de 200 000 FCFA" in (answer.text or "")
        notice = await agent.wait_for("Votre compte a été crédité de 200 000 FCFA")
        assert "Motif : versement espèces" in (notice.text or "")
        answer = await admin.say("/debit 1005 1 000 erreur de saisie")
        assert "Nouveau solde : 199 000 FCFA" in (answer.text or "")
        answer = await admin.say("/debit 1005 1000000")
        assert "ne couvre pas" in (answer.text or "")
        answer = await admin.say("/role @ousmane_shop agent")
        assert "est maintenant agent" in (answer.text or "")
        answer = await admin.say("/credit @nobody 5000")
        assert "Utilisateur inconnu" in (answer.text or "")
        answer = await admin.say("/credit 1005 cinq")
        assert "Montant invalide" in (answer.text or "")
        answer = await admin.say("/credit")
        assert "Usage : /credit" in (answer.text or "")

        # The agent pays a bill and buys Woyofal (skipping the client's name).
        summary = await agent.agent_bill_to_confirmation("senelec", "210278816")
        await agent.press(summary, "✅ Confirmer et payer")
        await agent.wait_for("Facture Senelec payée", timeout=10)
        summary = await agent.agent_woyofal_to_confirmation("07061270877", "2000")
        await agent.press(summary, "✅ Confirmer et payer")
        await agent.wait_for("1283 9300 9320 9223", timeout=10)

        user = await admin.say("/user @ousmane_shop", "Ousmane")
        text = user.text or ""
        assert "Rôle : agent" in text
        assert "Solde : 91 435 FCFA" in text  # 199 000 − 105 545 − 2 020
        assert "#1" in text and "#2" in text
        assert "105 545 FCFA" in text and "2 020 FCFA" in text

        stats = await admin.say("/stats", "Aujourd'hui")
        text = stats.text or ""
        assert "Facture Senelec : 1 paiement(s), 104 500 FCFA, frais 1 045 FCFA" in text
        assert "Woyofal : 1 paiement(s), 2 000 FCFA, frais 20 FCFA" in text
        assert "Total : 2 paiement(s), 106 500 FCFA, frais 1 065 FCFA" in text

        provider = await admin.say("/provider", "Solde DEXCHANGE")
        assert fcfa(stack.sim.state.balance) in (provider.text or "")
        pending = await admin.say("/pending")
        assert "Aucun paiement en attente" in (pending.text or "")
        telegram_contract_kept(tg)


async def test_pending_lists_open_payments_with_age_and_state(tmp_path) -> None:
    from bot.simulator import SimulatorConfig

    config = SimulatorConfig(callback_delay=3600)  # top-ups stay PROCESSING
    async with running_stack(
        tmp_path, simulator_config=config, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)
    ) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await awa.woyofal_to_confirmation("123456789", "3000")
        await awa.press(summary, "✅ Confirmer et payer")
        await stack.wait_for_payment(awa.user, lambda p: p.status is S.PROCESSING)
        pending = await admin.say("/pending", "paiement(s) pas encore")
        assert "Woyofal 123456789 · 3 030 FCFA · en cours depuis 0 min" in (pending.text or "")


async def test_the_command_line_against_a_running_bot(tmp_path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        agent = Chat(tg, tg.user(7007, "Agent"))  # on Telegram: the bot can write to them
        code, out, err = await cli(stack, "grant", "--telegram-id", "7007", "--role", "agent")
        assert (code, err) == (0, "") and "7007 is now agent" in out
        code, out, err = await cli(stack, "credit", "--telegram-id", "7007", "--amount", "12500")
        assert code == 0 and "balance 12500 FCFA" in out
        code, out, err = await cli(stack, "user", "--telegram-id", "7007")
        assert code == 0 and "role: agent" in out and "balance: 12500 FCFA" in out
        code, out, err = await cli(stack, "pending")
        assert code == 0 and out.startswith("0 pending")
        # Refusals: exit 1 with one clear line; bad usage: exit 2.
        code, out, err = await cli(stack, "credit", "--telegram-id", "404", "--amount", "10")
        assert code == 1 and "Utilisateur inconnu" in err and len(err.splitlines()) == 1
        code, out, err = await cli(stack, "credit", "--telegram-id", "7007", "--amount", "-5")
        assert code == 1 and "Montant invalide" in err
        code, out, err = await cli(stack, "debit", "--telegram-id", "7007", "--amount", "99999")
        assert code == 1 and "ne couvre pas" in err
        code, out, err = await cli(stack, "grant", "--telegram-id", "7007", "--role", "boss")
        assert code == 2
        code, out, err = await cli(stack, "credit", "--amount", "10")
        assert code == 2
        # The running bot tells them of the CLI's credit, and sees it at once.
        await agent.wait_for("crédité de 12 500 FCFA")
        balance = await agent.say("/balance", "Votre solde")
        assert "12 500 FCFA" in (balance.text or "")
