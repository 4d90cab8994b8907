"""An admin's list longer than one Telegram message arrives whole, in several messages, the
keyboard under the last (before: cut at 4 096 characters with "…", the end lost)."""

import asyncio

from storage.models import NewPayment, PaymentStatus, ProviderUpdate, Service
from tests.e2e.chat import Chat, telegram_contract_kept
from tests.e2e.harness import running_stack
from tests.e2e.test_accounts import ADMIN_ID

S = PaymentStatus
REASON = "DEXCHANGE refused a retry (400: Bill already paid) — " + "x" * 150


async def test_a_long_pending_list_arrives_whole(tmp_path) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        await admin.menu()
        storage = stack.runtime.storage
        ids = []
        async with storage.transaction() as tx:
            user = await tx.users.ensure("telegram", "1001")
            for number in range(30):
                payment, _ = await tx.payments.create(
                    NewPayment(
                        user.id,
                        f"held-{number}",
                        Service.SENELEC,
                        "210278816",
                        104_500,
                        1_045,
                        f"SPHELD{number:04d}",
                        bill_reference="8000000680",
                    )
                )
                for step in (S.SUBMITTED, S.UNKNOWN):
                    await tx.payments.transition(payment.id, step, "test", ProviderUpdate(step))
                await tx.payments.hold(payment.id, REASON)
                ids.append(payment.id)
        since = tg.mark()
        await tg.send_text(admin.user, "/pending")
        await tg.wait_for_message(admin.user, f"#{ids[-1]} ", since=since, timeout=10)
        await asyncio.sleep(0.3)  # every piece has come
        pieces = [m.text or "" for m in tg.messages(admin.user)][-4:]
        whole = "\n".join(pieces)
        assert len(whole) > 4096 and all(len(piece) <= 4096 for piece in pieces)
        assert all(f"#{payment_id} " in whole for payment_id in ids)
        assert "…" not in whole.replace(REASON[:120], "")
        telegram_contract_kept(tg)
