"""An agent's day through the fake Telegram: the client's name, "next client", a receipt after
each success, /find, /last, /today and /report reconciled with the payments and the ledger,
the daily summary, and never another agent's payments."""

import io
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from fakes.telegram import BotMessage, FakeUser
from handlers.formatting import fcfa
from storage import Storage
from storage.models import LedgerKind, PaymentStatus, Role, Service
from tests.e2e.chat import (
    CONFIRM,
    NO_CLIENT,
    Chat,
    codes_of,
    no_errors_logged,
    telegram_contract_kept,
)
from tests.e2e.harness import Stack, running_stack

S = PaymentStatus
CODE = "1283 9300 9320 9223"


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


def qr_text(photo: bytes | None) -> str:
    assert photo is not None
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo)))
    return str(found.text)


async def agent(stack: Stack, telegram_id: int, name: str, credit: int = 0) -> Chat:
    user = await stack.customer(telegram_id, name, credit=credit)
    await stack.runtime.accounts.grant(str(telegram_id), Role.AGENT)
    return Chat(stack.tg, user)


async def user_id(stack: Stack, who: FakeUser) -> int:
    user = await stack.runtime.storage.read.users.by_external_id("telegram", str(who.id))
    assert user is not None
    return user.id


async def credit_at(stack: Stack, who: FakeUser, amount: int, moment: datetime) -> None:
    """A credit written at `moment` (yesterday, say) by a second process on the same file."""
    other = Storage(stack.settings.database_location, clock=lambda: moment)
    await other.open()
    try:
        async with other.transaction() as tx:
            user = await tx.users.ensure("telegram", str(who.id))
            await tx.ledger.add(user.id, LedgerKind.CREDIT, amount, actor="test", note="cash")
    finally:
        await other.close()


async def confirm_and_wait(chat: Chat, summary: BotMessage, expect: str) -> BotMessage:
    since = chat.tg.mark()
    await chat.press(summary, CONFIRM)
    return await chat.wait_for(expect, since=since, timeout=10)


async def next_photo(chat: Chat, since: int) -> BotMessage:
    return await chat.tg.wait_for_message(
        chat.user, lambda m: m.photo is not None, since=since, timeout=10
    )


async def test_an_agents_day(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        now = datetime.now(UTC)
        yesterday = now - timedelta(days=1)
        ousmane = await agent(stack, 1005, "Ousmane")
        await credit_at(stack, ousmane.user, 150_000, yesterday)
        await credit_at(stack, ousmane.user, 50_000, now)

        # The menu has the agent's tools.
        menu = await ousmane.menu()
        assert {"g:today", "g:find", "g:last", "g:hist", "g:meters"} <= set(menu.callback_data)

        # A walk-in client: her name and phone before the confirmation, on the receipt.
        summary = await ousmane.agent_woyofal_to_confirmation(
            "07061270877", "5000", client="Fatou 77 123 45 67"
        )
        assert "Client : Fatou 77 123 45 67" in summary.text
        since = tg.mark()
        result = await confirm_and_wait(ousmane, summary, "Recharge Woyofal réussie")
        assert codes_of(result.text) == [CODE]
        assert "Client : Fatou 77 123 45 67" in result.text
        assert labels(result)[0] == "👤 Nouveau client"
        receipt = await next_photo(ousmane, since)
        assert receipt.caption == "🧾 Reçu · Woyofal 07061270877 · 5 050 FCFA"
        [fatou] = await stack.payments(ousmane.user)
        assert fatou.client_label == "Fatou 77 123 45 67"
        assert fatou.provider_tx_id and qr_text(receipt.photo) == fatou.provider_tx_id
        assert labels(receipt) == ["👤 Nouveau client", "🏠 Menu"]

        # "Next client" starts the next top-up at once; this one without a name.
        prompt = (await ousmane.press(receipt, "👤 Nouveau client")).last
        assert "compteur Woyofal" in prompt.text
        await ousmane.say("333333333", "Quel montant")
        question = await ousmane.say("2000", "Pour quel client")
        summary = (await ousmane.press(question, NO_CLIENT)).last
        assert summary.message_id == question.message_id
        assert "Client" not in summary.text
        since = tg.mark()
        three = await confirm_and_wait(ousmane, summary, "3 codes")
        await next_photo(ousmane, since)

        # A bill for a client known by phone number; then a top-up that fails (refunded).
        summary = await ousmane.agent_bill_to_confirmation("senelec", "210278816", "771234567")
        await confirm_and_wait(ousmane, summary, "Facture Senelec payée")
        summary = await ousmane.agent_woyofal_to_confirmation("999999999", "1000", "Modou")
        failed = await confirm_and_wait(ousmane, summary, "n'a pas abouti")
        assert labels(failed)[0] == "👤 Nouveau client"
        payments = await stack.payments(ousmane.user)
        assert [p.status for p in payments] == [S.FAILED, S.SUCCESS, S.SUCCESS, S.SUCCESS]
        # One receipt per success, none for the failure.
        photos = [m for m in tg.messages(ousmane.user) if m.photo is not None]
        assert sorted(qr_text(m.photo) for m in photos) == sorted(
            str(p.provider_tx_id) for p in payments if p.status is S.SUCCESS
        )

        # /find by meter: the code again, in seconds; by phone: both of that number's payments.
        found = await ousmane.say("/find 07061270877", "Vos derniers paiements")
        assert CODE in found.text and "👤 Fatou 77 123 45 67" in found.text
        assert found.data_for("🧾 1") == f"g:rcpt:{fatou.id}"
        found = await ousmane.say("/find 77 123 45 67", "Vos derniers paiements")
        assert "Facture Senelec 210278816" in found.text and "Woyofal 07061270877" in found.text
        found = await ousmane.say("/find modou", "Vos derniers paiements")
        assert "999999999" in found.text and "❌ échoué" in found.text
        nothing = await ousmane.say("/find 123456789", "Aucun de vos paiements")
        assert "123456789" in nothing.text
        asked = (await ousmane.press(await ousmane.menu(), "g:find")).last
        assert "Tapez le numéro du compteur" in asked.text
        found = await ousmane.say("333333333", "Vos derniers paiements")
        assert codes_of(three.text)[0] in found.text

        # /last: the last code, as its result showed it.
        last = await ousmane.say("/last", "Votre dernier code")
        assert codes_of(last.text) == codes_of(three.text)

        # /today reconciles with the payments made and with the ledger.
        today = await ousmane.say("/today", "Journée du")
        text = today.text
        successes = [p for p in payments if p.status is S.SUCCESS]
        woyofal = [p for p in successes if p.service is Service.WOYOFAL]
        fees = sum(p.fee for p in successes)  # the simulator charges the quoted 1 %
        debited = sum(p.total for p in successes)
        assert (
            f"Woyofal : 2 paiement(s) · {fcfa(sum(p.amount for p in woyofal))} · "
            f"frais {fcfa(sum(p.fee for p in woyofal))}" in text
        )
        assert "Facture Senelec : 1 paiement(s) · 104 500 FCFA · frais 1 045 FCFA" in text
        assert (
            f"Total : 3 paiement(s) · {fcfa(sum(p.amount for p in successes))} · "
            f"frais {fcfa(fees)} · débité {fcfa(debited)}" in text
        )
        assert "Échoués (rien débité) : 1 · En cours : 0" in text
        balance = await stack.runtime.storage.read.ledger.balance(
            await user_id(stack, ousmane.user)
        )
        assert balance == 200_000 - debited
        assert "Solde d'ouverture : 150 000 FCFA" in text
        assert "Crédits et corrections : +50 000 FCFA" in text
        assert f"Paiements : -{fcfa(debited)}" in text
        assert f": {fcfa(balance)}" in text.splitlines()[-1]  # "Solde à HH:MM : …"

        # /report for yesterday: only the credit; bad and future dates are explained.
        report = await ousmane.say(f"/report {yesterday:%Y-%m-%d}", "Journée du")
        assert "Aucun paiement réussi ce jour-là." in report.text
        assert "Solde d'ouverture : 0 FCFA" in report.text
        assert "Crédits et corrections : +150 000 FCFA" in report.text
        assert "Solde de clôture : 150 000 FCFA" in report.text
        same = await ousmane.say(f"/report {now:%d/%m/%Y}", "Journée du")
        assert f"débité {fcfa(debited)}" in same.text
        usage = await ousmane.say("/report hier")
        assert usage.text.startswith("Usage : /report AAAA-MM-JJ")
        future = await ousmane.say(f"/report {now + timedelta(days=2):%Y-%m-%d}")
        assert "n'est pas encore arrivé" in future.text

        # Their help lists the tools; in English too.
        help_text = await ousmane.say("/help", "Comment ça marche")
        assert "/find" in help_text.text and "/report AAAA-MM-JJ" in help_text.text
        await ousmane.say("/language en", "English")
        today = await ousmane.say("/today", "Day of")
        assert f"charged {fcfa(debited)}" in today.text
        assert "Opening balance: 150 000 FCFA" in today.text
        found = await ousmane.say("/find fatou", "Your latest payments")
        assert CODE in found.text

        # Customers do not get the agents' tools.
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        for command in ("/find 07061270877", "/last", "/today", "/report 2026-01-01"):
            refused = await awa.say(command)
            assert refused.text == "Cette commande est réservée aux agents.", command
        assert "g:today" not in (await awa.menu()).callback_data
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_an_agent_never_sees_another_agents_payments(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        ousmane = await agent(stack, 1005, "Ousmane", credit=100_000)
        khady = await agent(stack, 1006, "Khady", credit=100_000)
        summary = await ousmane.agent_woyofal_to_confirmation("07061270877", "5000", "Fatou")
        await confirm_and_wait(ousmane, summary, "Recharge Woyofal réussie")
        [theirs] = await stack.payments(ousmane.user)

        # Khady serves the same meter later: she sees her own payment only.
        summary = await khady.agent_woyofal_to_confirmation("07061270877", "1000")
        await confirm_and_wait(khady, summary, "Recharge Woyofal réussie")
        [hers] = await stack.payments(khady.user)
        found = await khady.say("/find 07061270877", "Vos derniers paiements")
        assert "1 000 FCFA" in found.text and "5 000 FCFA" not in found.text
        assert "Fatou" not in found.text
        nobody = await khady.say("/find fatou", "Aucun de vos paiements")
        assert "07061270877" not in nobody.text
        page = await khady.say("/history", "Vos paiements")
        assert "(1 à 1 sur 1)" in page.text and page.data_for("1") == f"g:hd:{hers.id}"
        today = await khady.say("/today", "Journée du")
        assert "Woyofal : 1 paiement(s) · 1 000 FCFA · frais 10 FCFA" in today.text

        # Forged buttons with Ousmane's payment id: refused like any stale button.
        menu = await khady.menu()
        before = len(await stack.payments(khady.user))
        for action in ("hd", "rcpt", "again", "save"):
            press = await khady.press(menu, f"g:{action}:{theirs.id}", force=True)
            assert press.answer.text == "Ce bouton n'est plus valide. Voici le menu.", action
            for message in press.changed:
                assert "Fatou" not in message.content and message.photo is None
                assert "5 000" not in message.content
            menu = press.last
        assert len(await stack.payments(khady.user)) == before
        khadys = await user_id(stack, khady.user)
        assert await stack.runtime.storage.read.saved_references.for_user(khadys) == []
        # Her /last is her own code, never his later one.
        summary = await ousmane.agent_woyofal_to_confirmation("333333333", "2000")
        await confirm_and_wait(ousmane, summary, "3 codes")
        last = await khady.say("/last", "Votre dernier code")
        assert codes_of(last.text) == [CODE] and "1 000 FCFA" in last.text
        telegram_contract_kept(tg)


async def test_the_daily_summary_is_sent_once_at_the_configured_hour(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        ousmane = await agent(stack, 1005, "Ousmane", credit=100_000)
        idle = await agent(stack, 1006, "Khady")  # funded yesterday, nothing done today
        await credit_at(stack, idle.user, 100_000, datetime.now(UTC) - timedelta(days=1))
        awa = Chat(tg, await stack.customer(1001, "Awa", credit=100_000))
        await awa.menu()
        summary = await ousmane.agent_woyofal_to_confirmation("07061270877", "5000")
        await confirm_and_wait(ousmane, summary, "Recharge Woyofal réussie")
        summary = await awa.woyofal_to_confirmation("07061270877", "2000")
        await confirm_and_wait(awa, summary, "Recharge Woyofal réussie")

        day = datetime.now(UTC).date()
        at = datetime.combine(day, time(18, 0), tzinfo=UTC)
        daily = stack.runtime.daily_summary
        daily.hour = 18  # the test's clock decides, not the wall clock
        assert await daily.run_due(at - timedelta(minutes=1)) == 0
        assert await daily.run_due(at) == 1  # the agent who worked; not the idle one
        assert await daily.run_due(at + timedelta(minutes=1)) == 0
        notice = await ousmane.wait_for("Résumé de votre journée", timeout=10)
        text = notice.text
        assert f"Résumé de votre journée du {day:%d/%m/%Y}, à 18:00" in text
        assert "Woyofal : 1 paiement(s) · 5 000 FCFA · frais 50 FCFA" in text
        assert "Solde à 18:00 : 94 950 FCFA" in text

        # A restart (with the hour from the settings) never sends it again.
        await stack.restart(DAILY_REPORT_HOUR=18)
        assert stack.runtime.daily_summary.hour == 18
        assert await stack.runtime.daily_summary.run_due(at + timedelta(hours=2)) == 0
        outbox = await stack.runtime.storage.read.outbox.for_user(
            await user_id(stack, ousmane.user)
        )
        assert [m.payload.get("daily") for m in outbox].count(True) == 1
        await tg.wait_until_delivered()
        summaries = [m for m in tg.messages(ousmane.user) if "Résumé de votre" in m.text]
        assert len(summaries) == 1
        assert not any("Résumé" in m.text for m in tg.messages(idle.user))
        assert not any("Résumé" in m.text for m in tg.messages(awa.user))
        # The next day he has not worked (yet): nothing to sum up.
        assert await stack.runtime.daily_summary.run_due(at + timedelta(days=1)) == 0
        telegram_contract_kept(tg)
