"""Each way a payment can go wrong gets its own calm message: charged or not, and what next."""

from pathlib import Path

import pytest

from storage.models import PaymentStatus
from tests.e2e.chat import CONFIRM, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

FAILED_TITLE = "n'a pas abouti"
NOT_CHARGED = "Vous n'avez pas été débité."


async def test_refused_payments(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim

        # The operator's DEXCHANGE account is short: not the user's fault, not charged.
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await awa.bill_to_confirmation("senelec", "444444444")
        await awa.press(summary, CONFIRM)
        failed = await awa.wait_for(FAILED_TITLE)
        assert "indisponible de notre côté" in failed.text
        assert NOT_CHARGED in failed.text
        assert "Réessayez plus tard" in failed.text
        assert sim.state.pay_calls == 1

        # Maintenance at the inquiry: said at once, nothing to confirm, no pay call.
        await awa.start_flow("seneau")
        answer = await awa.say("666666666", "maintenance")
        assert "Rien n'a été payé" in answer.text
        assert "Que voulez-vous faire" in answer.text
        assert sim.state.pay_calls == 1

        # Maintenance at pay (Woyofal has no inquiry).
        summary = await awa.woyofal_to_confirmation("666666666", "2000")
        await awa.press(summary, CONFIRM)
        failed = await awa.wait_for("en maintenance. Réessayez plus tard.")
        assert FAILED_TITLE in failed.text
        assert NOT_CHARGED in failed.text
        assert sim.state.pay_calls == 2

        # The bill was paid elsewhere in the meantime (the inquiry still showed it).
        summary = await awa.bill_to_confirmation("senelec", "555555555")
        await awa.press(summary, CONFIRM)
        failed = await awa.wait_for("Cette facture est déjà payée.")
        assert FAILED_TITLE in failed.text
        assert NOT_CHARGED in failed.text

        assert sim.state.pay_calls == 3
        assert sim.state.debits == 0
        payments = await stack.payments(awa.user)
        assert [p.status for p in payments] == [PaymentStatus.FAILED] * 3
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_unknown_outcome_is_checked_then_settled_by_the_callback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        summary = await awa.bill_to_confirmation("seneau", "888888888")
        await awa.press(summary, CONFIRM)
        waiting = await awa.wait_for("Nous attendons la confirmation")
        assert "Ne refaites pas le paiement" in waiting.text
        assert "nous vérifions" in waiting.text
        assert FAILED_TITLE not in waiting.text
        success = await awa.wait_for("Facture SenEau payée", timeout=10)
        assert success.message_id > waiting.message_id
        # Never told it failed, paid once, under one id.
        assert not any(FAILED_TITLE in m.text for m in tg.messages(awa.user))
        assert sim.state.debits == 1
        ids = {request["externalTransactionId"] for request in sim.state.pay_requests}
        assert len(ids) == 1
        [payment] = await stack.payments(awa.user)
        assert payment.status is PaymentStatus.SUCCESS
        assert payment.external_id in ids
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
