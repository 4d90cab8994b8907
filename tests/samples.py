"""A payment as the storage returns it, for tests of pure logic (texts, figures, receipts):
a paid Woyofal top-up, changed field by field with `sample_payment(field=value, …)`."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from storage.models import Payment, PaymentStatus, Service

MOMENT = datetime(2026, 3, 20, 10, 35, tzinfo=UTC)

_BASE = Payment(
    id=7,
    user_id=1,
    idempotency_key="k",
    service=Service.WOYOFAL,
    reference="07061270877",
    bill_reference=None,
    holder_name=None,
    due_date=None,
    amount=5000,
    fee=50,
    total=5050,
    external_id="SP260320ABCDEF",
    provider_tx_id="TID483476478",
    status=PaymentStatus.SUCCESS,
    codes=["1283930093209223"],
    provider_message=None,
    provider_fee=None,
    attempts=1,
    provider_has_it=True,
    next_check_at=None,
    checks=0,
    needs_attention=False,
    created_at=MOMENT,
    updated_at=MOMENT,
    completed_at=MOMENT,
)


def sample_payment(**changes: Any) -> Payment:
    """The base payment with `changes`; `total` follows amount and fee unless given."""
    payment = replace(_BASE, **changes)
    if "total" not in changes:
        payment = replace(payment, total=payment.amount + payment.fee)
    return payment
