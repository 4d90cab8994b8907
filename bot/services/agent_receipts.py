"""Agents get a receipt with every success, unasked: queued with the success itself."""

from collections.abc import Callable

from bot.services.payments import StatusHook
from storage import Repositories
from storage.models import OutboxKind, Payment, PaymentStatus, Role


def agent_receipt_hook(on_outbox: Callable[[], None]) -> StatusHook:
    """A payment-service status hook: on SUCCESS of an agent's payment, queue its receipt
    (after the success message, in the same transaction; at most once per payment)."""

    async def queue_receipt(tx: Repositories, before: Payment, after: Payment) -> None:
        # A receipt once the payment is complete: paid, and for Woyofal with its code.
        if not _complete(after) or _complete(before):
            return
        if await tx.users.role_of(after.user_id) is not Role.AGENT:
            return
        await tx.outbox.add(after.user_id, OutboxKind.RECEIPT, {}, payment_id=after.id)
        tx.after_commit(on_outbox)

    return queue_receipt


def _complete(payment: Payment) -> bool:
    return payment.status is PaymentStatus.SUCCESS and not payment.awaiting_code
