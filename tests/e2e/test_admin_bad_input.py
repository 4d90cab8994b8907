"""An admin's bad input moves no money: amounts with decimals (the franc CFA has none) and
a @username that names more than one user are refused, in the chat and on the command line.
A username belongs to whoever Telegram last showed with it."""

import asyncio

from storage.models import LedgerKind
from tests.e2e.chat import Chat, telegram_contract_kept
from tests.e2e.harness import Stack, running_stack
from tests.e2e.test_accounts import ADMIN_ID, cli, ledger_kinds


async def username_of(stack: Stack, telegram_id: int) -> str | None:
    user = await stack.runtime.storage.read.users.by_external_id("telegram", str(telegram_id))
    assert user is not None
    return user.username


async def test_amounts_with_decimals_are_refused_and_credit_nothing(tmp_path) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        agent = Chat(tg, tg.user(1005, "Ousmane", username="ousmane_shop"))
        await agent.menu()
        mark = tg.mark()
        for command in [
            "/credit @ousmane_shop 1.5",
            "/credit @ousmane_shop 2500.50",
            "/credit 1005 1,5",
            "/credit 1005 2 500,50 versement",
            "/debit 1005 0.5",
        ]:
            text = (await admin.say(command)).text or ""
            assert "Montant invalide" in text and "pas de centimes" in text, command
        for command in ["/credit 1005 ²", "/credit 1005 ٣٠٠٠"]:
            text = (await admin.say(command)).text or ""
            assert "Montant invalide" in text and "nombre entier" in text, command
        code, out, err = await cli(stack, "credit", "--telegram-id", "1005", "--amount", "1.5")
        assert code == 1 and "pas de centimes" in err and len(err.splitlines()) == 1
        await asyncio.sleep(0.3)
        assert await ledger_kinds(stack, 1005) == []
        assert agent.changed_since(mark) == []  # told of no credit

        # Thousands grouped as people write them are whole francs.
        answer = await admin.say("/credit @ousmane_shop 10.000 versement")
        assert "crédité de 10 000 FCFA" in (answer.text or "")
        code, out, err = await cli(
            stack, "credit", "--telegram-id", "1005", "--amount", "2\u202f500"
        )
        assert code == 0 and "balance 12500 FCFA" in out
        assert await ledger_kinds(stack, 1005) == [
            (LedgerKind.CREDIT, 10_000),
            (LedgerKind.CREDIT, 2_500),
        ]
        telegram_contract_kept(tg)


async def test_a_username_held_by_two_users_is_refused_with_both(tmp_path) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        await Chat(tg, tg.user(1001, "Awa", last_name="Diop", username="awa")).menu()
        await Chat(tg, tg.user(1002, "Awa", last_name="Ndiaye", username="awa_n")).menu()
        # Both hold it, as a database written before usernames moved may still show.
        async with stack.runtime.storage.database.write() as conn:
            await conn.execute("UPDATE users SET username = 'Awa' WHERE external_id = '1002'")

        for command in ["/credit @awa 5000", "/debit @AWA 100", "/user @awa", "/role @awa agent"]:
            text = (await admin.say(command)).text or ""
            assert "Plusieurs utilisateurs ont le nom @" in text, command
            assert "Awa Diop (1001)" in text and "Awa Ndiaye (1002)" in text, command
        code, _, err = await cli(stack, "credit", "--telegram-id", "@awa", "--amount", "5000")
        assert code == 1 and "Awa Diop (1001)" in err and "Awa Ndiaye (1002)" in err
        await asyncio.sleep(0.3)
        assert await ledger_kinds(stack, 1001) == []
        assert await ledger_kinds(stack, 1002) == []

        # Named by id, the one meant is credited.
        answer = await admin.say("/credit 1002 5000")
        assert "Awa Ndiaye" in (answer.text or "") and "crédité de 5 000 FCFA" in (
            answer.text or ""
        )
        assert await ledger_kinds(stack, 1002) == [(LedgerKind.CREDIT, 5000)]
        assert await ledger_kinds(stack, 1001) == []


async def test_a_username_moves_to_whoever_holds_it_now(tmp_path) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        await Chat(tg, tg.user(1001, "Modou", username="Boutique_Dakar")).menu()
        # Modou gave the name up, Fatou took it (Telegram names are unique at any moment).
        await Chat(tg, tg.user(1002, "Fatou", username="boutique_dakar")).menu()
        assert await username_of(stack, 1001) is None
        assert await username_of(stack, 1002) == "boutique_dakar"

        answer = await admin.say("/credit @boutique_dakar 5000")
        assert "Fatou" in (answer.text or "") and "crédité de 5 000 FCFA" in (answer.text or "")
        assert await ledger_kinds(stack, 1002) == [(LedgerKind.CREDIT, 5000)]
        assert await ledger_kinds(stack, 1001) == []

        # Modou, seen again under his new name, is found by it.
        await Chat(tg, tg.user(1001, "Modou", username="modou_sn")).menu()
        assert await username_of(stack, 1001) == "modou_sn"
        assert await username_of(stack, 1002) == "boutique_dakar"
        answer = await admin.say("/user @modou_sn", "Modou")
        assert "(1001)" in (answer.text or "")
