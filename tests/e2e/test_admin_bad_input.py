"""An admin's bad input moves no money: amounts with decimals (the franc CFA has none) are
refused, in the chat and on the command line."""

import asyncio

from storage.models import LedgerKind
from tests.e2e.chat import Chat, telegram_contract_kept
from tests.e2e.harness import running_stack
from tests.e2e.test_accounts import ADMIN_ID, cli, ledger_kinds


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
