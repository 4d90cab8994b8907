"""Flagging a payment for an admin: the reason is kept with the payment, and the first
flag of a payment tells every admin in their chat, in the same transaction (the customer
is told "an administrator was notified": it must be true)."""

import logging

from storage import Repositories
from storage.models import Direction, OutboxKind, Role

log = logging.getLogger(__name__)


async def flag(tx: Repositories, payment_id: int, reason: str) -> bool:
    """Flag the payment with `reason`; True when this is its first flag."""
    first = await tx.payments.flag_attention(payment_id, reason)
    if first:
        payment = await tx.payments.get(payment_id)
        reference = payment.external_id if payment is not None else ""
        for admin in await tx.users.with_role(Role.ADMIN):
            await tx.outbox.add(
                admin.id,
                OutboxKind.NOTICE,
                {"key": "admin.attention", "id": payment_id, "ref": reference, "reason": reason},
                dedupe_key=f"attention:{payment_id}:{admin.id}",
            )
        log.warning("payment %s flagged for an admin: %s", payment_id, reason)
    return first


async def flag_collection(tx: Repositories, collection_id: int, reason: str) -> bool:
    """Flag a mobile-money collection with `reason`, telling every admin the first time."""
    first = await tx.collections.flag_attention(collection_id, reason)
    if first:
        collection = await tx.collections.get(collection_id)
        reference = collection.external_id if collection is not None else ""
        refund = collection is not None and collection.direction is Direction.OUT
        for admin in await tx.users.with_role(Role.ADMIN):
            await tx.outbox.add(
                admin.id,
                OutboxKind.NOTICE,
                {
                    "key": "admin.refund_attention" if refund else "admin.collection_attention",
                    "id": collection_id,
                    "ref": reference,
                    "reason": reason,
                },
                dedupe_key=f"collection-attention:{collection_id}:{admin.id}",
            )
        log.warning("collection %s flagged for an admin: %s", collection_id, reason)
    return first
