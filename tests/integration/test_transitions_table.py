"""Money rule 3, the whole table: every move from every state to every state, through the
real guarded UPDATE on a real SQLite file. The expected table is written out here, not read
from the code, so a wrong change to the code's table fails."""

from pathlib import Path

import pytest

from storage import Storage
from storage.models import NewPayment, PaymentStatus, ProviderUpdate, Service
from tests.databases import database_for

S = PaymentStatus
OPEN = (S.SUBMITTED, S.PROCESSING, S.UNKNOWN)
ALLOWED = {
    (S.CREATED, S.SUBMITTED),
    (S.UNKNOWN, S.SUBMITTED),  # a retry, under the same external id
    (S.SUBMITTED, S.PROCESSING),
    (S.UNKNOWN, S.PROCESSING),
    (S.SUBMITTED, S.UNKNOWN),
    *((source, S.SUCCESS) for source in OPEN),
    *((source, S.FAILED) for source in OPEN),
}
PAIRS = [(source, target) for source in S for target in S]


async def payment_in(storage: Storage, path: Path, status: S, codes: str | None = None) -> int:
    async with storage.transaction() as tx:
        user = await tx.users.ensure("telegram", "1")
        payment, _ = await tx.payments.create(
            NewPayment(
                user_id=user.id,
                idempotency_key=f"k-{status}-{codes}",
                service=Service.WOYOFAL,
                reference="07061270877",
                amount=5000,
                fee=50,
                external_id=f"SP-{status}-{codes}",
            )
        )
    async with storage.database.write() as conn:  # put it there directly: the table is the subject
        await conn.execute(
            "UPDATE payments SET status = ?, codes = ? WHERE id = ?",
            (status.value, codes, payment.id),
        )
    return payment.id


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
async def test_every_move_of_the_table(tmp_path: Path, source: S, target: S) -> None:
    path = tmp_path / "t.sqlite3"
    storage = Storage(database_for(path))
    await storage.open()
    try:
        payment_id = await payment_in(storage, path, source)
        before = await storage.read.payments.get(payment_id)
        async with storage.transaction() as tx:
            moved = await tx.payments.transition(
                payment_id, target, "test", ProviderUpdate(target, codes=["1" * 20])
            )
        after = await storage.read.payments.get(payment_id)
        assert after is not None and before is not None
        if (source, target) in ALLOWED:
            assert moved is not None and after.status is target
            assert [event[1:] for event in await storage.read.payments.events(payment_id)][-1] == (
                target.value,
                "test",
            )
        else:
            assert moved is None and after == before, "a forbidden move changed the payment"
    finally:
        await storage.close()


async def test_the_moves_out_of_a_final_state(tmp_path: Path) -> None:
    """Only two, each guarded: a FAILED payment DEXCHANGE says it paid becomes SUCCESS;
    a Woyofal SUCCESS without its code takes its code, once."""
    path = tmp_path / "f.sqlite3"
    storage = Storage(database_for(path))
    await storage.open()
    try:
        late = {}
        for status in S:
            late[status] = await payment_in(storage, path, status)
        async with storage.transaction() as tx:
            for status, payment_id in late.items():
                moved = await tx.payments.late_success(
                    payment_id, ProviderUpdate(S.SUCCESS, codes=["2" * 20]), "callback"
                )
                assert (moved is not None) == (status is S.FAILED), status
        waiting = await payment_in(storage, path, S.SUCCESS)
        coded = await payment_in(storage, path, S.SUCCESS, codes='["' + "3" * 20 + '"]')
        open_one = await payment_in(storage, path, S.PROCESSING, codes=None)
        async with storage.transaction() as tx:
            assert await tx.payments.add_codes(waiting, ["4" * 20], "callback") is not None
            assert await tx.payments.add_codes(waiting, ["5" * 20], "callback") is None
            assert await tx.payments.add_codes(coded, ["6" * 20], "callback") is None
            assert await tx.payments.add_codes(open_one, ["7" * 20], "callback") is None
        assert (await storage.read.payments.get(waiting)).codes == ["4" * 20]  # type: ignore[union-attr]
        assert (await storage.read.payments.get(coded)).codes == ["3" * 20]  # type: ignore[union-attr]
    finally:
        await storage.close()
