"""Codes past RETENTION_DAYS, through the running bot and `python -m bot admin purge-codes`
(issue 12, item 7): /last, /find, /history and the receipt say the code has expired, and show
its last four digits only; a younger code is shown whole as before."""

import io
from datetime import datetime, timedelta
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.simulator import SimulatorConfig
from storage import Storage
from storage.models import NewPayment, PaymentStatus, ProviderUpdate, Service
from tests.e2e.chat import CONFIRM, Chat, telegram_contract_kept
from tests.e2e.harness import SIM_KEY, Stack, running_stack
from tests.e2e.test_accounts import cli
from tests.e2e.test_agents import agent

S = PaymentStatus
OLD_CODE = "11112222333344445555"
YOUNG_CODE = "1283 9300 9320 9223"  # the simulator's code for meter 07061270877


async def paid_long_ago(stack: Stack, telegram_id: int, days: int) -> int:
    """A Woyofal payment completed `days` ago, written by a second process on the same file."""
    moment = datetime.now().astimezone() - timedelta(days=days)
    other = Storage(stack.settings.database_location, clock=lambda: moment)
    await other.open()
    try:
        async with other.transaction() as tx:
            user = await tx.users.ensure("telegram", str(telegram_id))
            payment, _ = await tx.payments.create(
                NewPayment(user.id, "old-quote", Service.WOYOFAL, "07061270877", 2000, 20, "OLD1")
            )
            await tx.payments.transition(payment.id, S.SUBMITTED, "test")
            await tx.payments.transition(
                payment.id, S.SUCCESS, "pay", ProviderUpdate(S.SUCCESS, "TID-OLD", [OLD_CODE])
            )
            await tx.callbacks.record(
                payment.id, "OLD1", f'{{"STATUS": "SUCCESS", "TOKEN": "{OLD_CODE}"}}', "applied"
            )
    finally:
        await other.close()
    return payment.id


async def test_an_expired_code_is_said_expired_everywhere(tmp_path: Path) -> None:
    # Raw bodies are walked in id order, and the walk stops at the first young one: the
    # young purchase's callback must be written after the old payment's, as time orders
    # them for real (writing the old payment took longer than 50 ms on PostgreSQL). Its
    # code comes with the pay answer; the callback, seconds later, only repeats it.
    late_callbacks = SimulatorConfig(
        api_key=SIM_KEY, callback_delay=3.0, sync_callback_delay=3.0, slow_seconds=3
    )
    async with running_stack(tmp_path, late_callbacks) as stack:
        assert stack.runtime.retention.running  # the daily job runs in the bot
        tg = stack.tg
        ousmane: Chat = await agent(stack, 7301, "Ousmane", credit=100_000)
        summary = await ousmane.agent_woyofal_to_confirmation("07061270877", "5000", "Fatou")
        since = tg.mark()
        await ousmane.press(summary, CONFIRM)
        await ousmane.wait_for(YOUNG_CODE, since=since, timeout=10)
        old_id = await paid_long_ago(stack, 7301, days=91)

        code, out, err = await cli(stack, "purge-codes")
        assert (code, err) == (0, "")
        assert "older than 90 days: 1 payment(s) expired" in out and "1 callbacks" in out
        old = await stack.runtime.storage.read.payments.get(old_id)
        assert old is not None and old.codes == ["EXPIRED:5555"]

        # /last: the newest payment with codes is the old one (written last).
        last = await ousmane.say("/last", "Votre dernier code")
        assert "Code expiré (se terminant par 5555)" in last.text
        assert "1111" not in last.text and "taper sur le compteur" not in last.text

        found = await ousmane.say("/find 07061270877", "Vos derniers paiements")
        assert "Code expiré (se terminant par 5555)" in found.text
        assert YOUNG_CODE in found.text  # the young one is whole
        assert "1111 2222" not in found.text

        # The old payment's details in /history, and its receipt.
        page = await ousmane.say("/history", "Vos paiements")
        details = await ousmane.press(page, f"g:hd:{old_id}")
        assert "Code expiré (se terminant par 5555)" in details.last.text
        since = tg.mark()
        await ousmane.press(details.last, f"g:rcpt:{old_id}")
        receipt = await tg.wait_for_message(
            ousmane.user, lambda m: m.photo is not None, since=since, timeout=10
        )
        assert receipt.photo is not None
        image = Image.open(io.BytesIO(receipt.photo))
        assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == ["TID-OLD"]

        # English says it in English.
        await ousmane.say("/language", "Choisissez votre langue")
        language = tg.messages(ousmane.user)[-1]
        await ousmane.press(language, "🇬🇧 English")
        last = await ousmane.say("/last", lambda m: "Expired code" in m.text)
        assert "Expired code (ending in 5555)" in last.text
        telegram_contract_kept(tg)
