"""Buying Woyofal and paying bills through the real PTB Application, the fake Telegram and the
simulator: what the user sees, and what reached DEXCHANGE."""

from pathlib import Path

import httpx
import pytest

from storage.models import PaymentStatus
from tests.e2e.chat import (
    CONFIRM,
    Chat,
    codes_of,
    grouped,
    no_errors_logged,
    step_token,
    telegram_contract_kept,
)
from tests.e2e.harness import running_stack

WOYOFAL = "WOYOFAL_SN_BILL"
SENELEC = "SENELEC_SN_BILL"
SENEAU = "SENEAU_SN_BILL"


async def test_woyofal_purchases(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim

        # Immediate 16-digit code, amount typed with a space.
        awa = Chat(tg, await stack.customer(1001, "Awa", username="awa"))
        summary = await awa.woyofal_to_confirmation("07061270877", "5 000")
        assert "Compteur : 07061270877" in summary.text
        assert "Montant : 5 000 FCFA" in summary.text
        assert "Frais : 50 FCFA" in summary.text
        assert "Total à payer : 5 050 FCFA" in summary.text
        press = await awa.press(summary, CONFIRM)
        assert "Paiement envoyé" in (press.answer.text or "")
        # The confirmation is edited in place: its buttons are gone, it says the payment left.
        confirmation = tg.message(awa.user, summary.message_id)
        assert confirmation.buttons == []
        assert confirmation.edits and "Paiement envoyé" in confirmation.text
        result = await awa.wait_for("Recharge Woyofal réussie")
        assert codes_of(result.text) == ["1283 9300 9320 9223"]
        assert "Montant : 5 000 FCFA" in result.text
        assert "Frais : 50 FCFA" in result.text
        assert "Total : 5 050 FCFA" in result.text
        [request] = sim.state.pay_requests
        assert request["serviceCode"] == WOYOFAL
        assert request["reference_client"] == "07061270877"
        assert request["amount"] == 5000
        transaction = sim.state.transactions[
            sim.state.by_external_id[request["externalTransactionId"]]
        ]
        assert transaction.transaction_id in result.text

        # Three codes (key change), numbered, in the simulator's order.
        binta = Chat(tg, await stack.customer(1002, "Binta"))
        summary = await binta.woyofal_to_confirmation("333333333", "2000")
        await binta.press(summary, CONFIRM)
        result = await binta.wait_for("3 codes")
        external = sim.state.pay_requests[-1]["externalTransactionId"]
        token = sim.state.transactions[sim.state.by_external_id[external]].token
        assert token is not None
        expected = [grouped(code) for code in token.split(" ")]
        assert len(expected) == 3
        assert codes_of(result.text) == expected
        for number, code in enumerate(expected, 1):
            assert f"\n{number}. {code}\n" in result.text
        assert "dans cet ordre" in result.text

        # Any other meter: PROCESSING at once, the code later through the callback.
        coumba = Chat(tg, await stack.customer(1003, "Coumba"))
        summary = await coumba.woyofal_to_confirmation("14250098765", "10000")
        await coumba.press(summary, CONFIRM)
        processing = await coumba.wait_for("Votre code arrive ici")
        assert "14250098765" in processing.text
        assert "10 000 FCFA" in processing.text
        assert codes_of(processing.text) == []
        result = await coumba.wait_for("Recharge Woyofal réussie")
        assert result.message_id != processing.message_id
        external = sim.state.pay_requests[-1]["externalTransactionId"]
        token = sim.state.transactions[sim.state.by_external_id[external]].token
        assert token is not None and len(token) == 20
        assert codes_of(result.text) == [grouped(token)]
        assert "Total : 10 100 FCFA" in result.text

        # PROCESSING, then FAILED and refunded: the user learns both.
        diop = Chat(tg, await stack.customer(1004, "Diop"))
        summary = await diop.woyofal_to_confirmation("999999999", "1000")
        await diop.press(summary, CONFIRM)
        await diop.wait_for("Votre code arrive ici")
        failed = await diop.wait_for("n'a pas abouti")
        assert "1 010 FCFA" in failed.text
        assert "remboursé" in failed.text
        assert sim.state.refunds == 1

        assert sim.state.pay_calls == 4
        assert sim.state.debits == 4
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_senelec_bill_with_two_unpaid_bills(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        prompt = await awa.start_flow("senelec")
        assert "Entrez la référence client Senelec (" in prompt.text
        choice = await awa.say("222222222", "Laquelle")
        assert "2 factures impayées" in choice.text
        bills = sim.state.bills[(SENELEC, "222222222")]
        older, newer = sorted(bills, key=lambda bill: bill.date_echeance)
        assert (older.montant, newer.montant) == (12_300, 45_600)
        options = [label for row in choice.buttons for label, _ in row]
        # Each bill is offered with its total (amount + 1 % fee) and due date, oldest first.
        assert options[0].startswith("12 423 FCFA")
        assert options[1].startswith("46 056 FCFA")
        # The newer one is chosen: the choice is redrawn as the confirmation.
        press = await awa.press(choice, options[1])
        summary = press.last
        assert summary.message_id == choice.message_id
        assert "Confirmez-vous" in summary.text
        assert f"Facture : {newer.reference_facture}" in summary.text
        assert "Montant : 45 600 FCFA" in summary.text
        assert "Frais : 456 FCFA" in summary.text
        assert "Total à payer : 46 056 FCFA" in summary.text
        assert f"Titulaire : {newer.prenom} {newer.nom}" in summary.text
        await awa.press(summary, CONFIRM)
        result = await awa.wait_for("Facture Senelec payée")
        [request] = sim.state.pay_requests
        assert request["reference_facture"] == newer.reference_facture
        assert newer.paid and not older.paid
        transaction = sim.state.transactions[
            sim.state.by_external_id[request["externalTransactionId"]]
        ]
        assert transaction.amount == 45_600
        assert f"Transaction DEXCHANGE : {transaction.transaction_id}" in result.text
        assert f"Facture : {newer.reference_facture}" in result.text
        assert "Total : 46 056 FCFA" in result.text
        assert "Référence : 222222222" in result.text

        # One unpaid bill left: asked again, it goes straight to its confirmation.
        summary = await awa.bill_to_confirmation("senelec", "222222222")
        assert f"Facture : {older.reference_facture}" in summary.text
        assert "Total à payer : 12 423 FCFA" in summary.text
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_seneau_bill_and_no_unpaid_bill(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await awa.bill_to_confirmation("seneau", "210278816")
        assert "Service : Facture SenEau" in summary.text
        assert "Titulaire : Moussa DIOP" in summary.text
        assert "Montant : 104 500 FCFA" in summary.text
        assert "Frais : 1 045 FCFA" in summary.text
        assert "Total à payer : 105 545 FCFA" in summary.text
        await awa.press(summary, CONFIRM)
        result = await awa.wait_for("Facture SenEau payée")
        assert "Facture : 8000000680" in result.text
        assert "Total : 105 545 FCFA" in result.text
        [request] = sim.state.pay_requests
        assert request["serviceCode"] == SENEAU
        assert request["reference_facture"] == "8000000680"
        # Each biller is its own account: the Senelec bill of that reference is still due.
        assert all(bill.paid for bill in sim.state.bills[(SENEAU, "210278816")])
        assert not any(bill.paid for bill in sim.state.bills.get((SENELEC, "210278816"), []))

        # No unpaid bill: a clear answer and the menu, no confirmation, no pay call.
        await awa.start_flow("senelec")
        answer = await awa.say("100000000", "Aucune facture impayée")
        assert "100000000" in answer.text
        assert "Que voulez-vous faire" in answer.text
        assert sim.state.pay_calls == 1

        # The reference just used is offered again as a button.
        prompt = await awa.start_flow("seneau")
        assert "déjà utilisée" in prompt.text
        recent = (
            "210278816",
            f"s:{step_token(prompt)}:ref:210278816",
        )
        assert recent in [cell for row in prompt.buttons for cell in row]
        press = await awa.press(prompt, "210278816")
        assert "Total à payer : 105 545 FCFA" not in press.last.text  # SenEau's is paid now
        assert "Aucune facture impayée" in press.last.text

        # /healthz answers 200 while the bot runs.
        assert stack.runtime.http is not None
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{stack.runtime.http.url}/healthz")
        assert health.status_code == 200
        assert health.json()["checks"]["telegram"] is True
        payments = await stack.payments(awa.user)
        assert [p.status for p in payments] == [PaymentStatus.SUCCESS]
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
