"""RETENTION_DAYS against a real SQLite file with a moving clock (issue 12, item 7).

Payments completed, and raw bodies received, before the cutoff lose their codes but for the
last four digits; everything younger is left exactly as it was; a second run changes nothing.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.workers.retention import CodeRetention
from storage import Storage
from storage.models import NewPayment, Payment, PaymentStatus, ProviderUpdate, Service
from storage.timefmt import to_db
from tests.databases import database_for

S = PaymentStatus
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
CODE = "1283930093209223"
STS = ["54700132025616677062", "65841530695820369097", "13033792561797212311"]


@dataclass
class Clock:
    now: datetime = field(default=START)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Storage]:
    storage = Storage(database_for(tmp_path / "bot.sqlite3"), clock)
    await storage.open()
    yield storage
    await storage.close()


async def paid(storage: Storage, key: str, codes: list[str], message: str | None = None) -> Payment:
    """A Woyofal payment completed now (the storage clock's now), with these codes."""
    async with storage.transaction() as tx:
        user = await tx.users.upsert("telegram", "42", "42", "awa", "Awa")
        payment, _ = await tx.payments.create(
            NewPayment(user.id, key, Service.WOYOFAL, "07061270877", 5000, 50, f"EXT-{key}")
        )
        await tx.payments.transition(payment.id, S.SUBMITTED, "test")
        done = await tx.payments.transition(
            payment.id, S.SUCCESS, "pay", ProviderUpdate(S.SUCCESS, f"TID-{key}", codes, message)
        )
    assert done is not None
    return done


def callback_body(external_id: str, token: object) -> str:
    return json.dumps({"externalTransactionId": external_id, "STATUS": "SUCCESS", "TOKEN": token})


def pay_answer(code: str) -> str:
    return json.dumps(
        {"message": "ok", "transaction": {"transactionId": "TID1", "token": code, "amount": 5000}}
    )


async def raw_answer(storage: Storage, payment_id: int, body: str) -> int:
    """A provider answer as stored raw (the table of migration 0005), received now."""
    async with storage.database.write() as conn:
        row_id = await conn.insert(
            "INSERT INTO provider_answers (payment_id, source, http_status, body, received_at)"
            " VALUES (?, 'pay', 200, ?, ?)",
            (payment_id, body, to_db(storage.clock())),
        )
    assert row_id is not None
    return row_id


async def raw_callback(storage: Storage, payment: Payment, body: str) -> int:
    async with storage.transaction() as tx:
        return await tx.callbacks.record(payment.id, payment.external_id, body, "applied")


BODIES = {
    "callbacks": "SELECT id, body FROM callbacks",
    "provider_answers": "SELECT id, body FROM provider_answers",
}


async def bodies(storage: Storage, table: str) -> dict[int, str]:
    rows = await storage.database.read().fetch_all(BODIES[table])
    return {row["id"]: row["body"] for row in rows}


async def test_only_what_is_past_retention_loses_its_codes(store: Storage, clock: Clock) -> None:
    # Day 0: two payments with codes, their raw bodies, and an odd body that is not JSON.
    old = await paid(store, "old", [CODE], message=f"Recharge OK, token {CODE}")
    old_sts = await paid(store, "old-sts", STS)
    old_callback = await raw_callback(store, old, callback_body(old.external_id, CODE))
    old_grouped = await raw_callback(
        store, old_sts, callback_body(old_sts.external_id, " ".join(STS))
    )
    old_answer = await raw_answer(store, old.id, pay_answer(CODE))
    old_garbage = await raw_answer(store, old_sts.id, f"<html>token={STS[0]}</html>")
    old_processing = await raw_answer(store, old.id, json.dumps({"token": None, "amount": 5000}))

    # Day 60: a younger payment and bodies.
    clock.now = START + timedelta(days=60)
    young = await paid(store, "young", ["99990000111122223333"])
    young_callback = await raw_callback(store, young, callback_body(young.external_id, CODE))
    young_answer = await raw_answer(store, young.id, pay_answer("99990000111122223333"))
    callbacks_before = await bodies(store, "callbacks")
    answers_before = await bodies(store, "provider_answers")

    # Day 100: with 90 days of retention, day 0 is past the cutoff and day 60 is not.
    clock.now = START + timedelta(days=100)
    retention = CodeRetention(store, 90, clock=clock)
    report = await retention.run_once()
    assert report.payments == 2
    assert report.bodies == {"callbacks": 2, "provider_answers": 2}  # the null token: nothing

    read = store.read.payments
    expired = await read.get(old.id)
    assert expired is not None and expired.codes == ["EXPIRED:9223"]
    assert expired.provider_message == "Recharge OK, token ****9223"
    events = await read.events(old.id)
    assert all(CODE not in (detail or "") for _, _, detail in events)
    expired_sts = await read.get(old_sts.id)
    assert expired_sts is not None
    assert expired_sts.codes == ["EXPIRED:7062", "EXPIRED:9097", "EXPIRED:2311"]
    kept = await read.get(young.id)
    assert kept is not None and kept.codes == ["99990000111122223333"]

    callbacks = await bodies(store, "callbacks")
    assert json.loads(callbacks[old_callback])["TOKEN"] == "EXPIRED:9223"
    assert json.loads(callbacks[old_grouped])["TOKEN"] == "EXPIRED:7062 EXPIRED:9097 EXPIRED:2311"
    assert json.loads(callbacks[old_callback])["externalTransactionId"] == "EXT-old"
    assert callbacks[young_callback] == callbacks_before[young_callback]
    answers = await bodies(store, "provider_answers")
    assert json.loads(answers[old_answer])["transaction"] == {
        "transactionId": "TID1",
        "token": "EXPIRED:9223",
        "amount": 5000,
    }
    assert answers[old_garbage] == "<html>token=****7062</html>"
    assert answers[old_processing] == answers_before[old_processing]
    assert answers[young_answer] == answers_before[young_answer]
    for table in ("callbacks", "provider_answers"):
        for row_id, body in (await bodies(store, table)).items():
            if row_id not in (young_callback, young_answer):
                assert CODE not in body and STS[0] not in body, (table, row_id)

    # Idempotent: again, by this worker or by a fresh one (the command line), nothing moves.
    snapshot = (callbacks, answers, await read.get(old.id), await read.get(young.id))
    for again in (retention, CodeRetention(store, 90, clock=clock)):
        report = await again.run_once()
        assert (report.payments, report.bodies) == (0, {"callbacks": 0, "provider_answers": 0})
    after = (
        await bodies(store, "callbacks"),
        await bodies(store, "provider_answers"),
        await read.get(old.id),
        await read.get(young.id),
    )
    assert after == snapshot


async def test_the_young_are_purged_once_they_come_of_age(store: Storage, clock: Clock) -> None:
    first = await paid(store, "first", [CODE])
    await raw_callback(store, first, callback_body(first.external_id, CODE))
    clock.now = START + timedelta(days=10)
    second = await paid(store, "second", ["11112222333344445555"])
    second_callback = await raw_callback(
        store, second, callback_body(second.external_id, "11112222333344445555")
    )
    retention = CodeRetention(store, 30, clock=clock)

    clock.now = START + timedelta(days=35)  # the first is 35 days old, the second 25
    report = await retention.run_once()
    assert (report.payments, report.bodies["callbacks"]) == (1, 1)
    assert json.loads((await bodies(store, "callbacks"))[second_callback])["TOKEN"] == (
        "11112222333344445555"
    )

    clock.now = START + timedelta(days=41)  # now the second is past 30 days too
    report = await retention.run_once()
    assert (report.payments, report.bodies["callbacks"]) == (1, 1)
    payment = await store.read.payments.get(second.id)
    assert payment is not None and payment.codes == ["EXPIRED:5555"]
    assert json.loads((await bodies(store, "callbacks"))[second_callback])["TOKEN"] == (
        "EXPIRED:5555"
    )


async def test_many_rows_go_in_several_batches(store: Storage, clock: Clock) -> None:
    # More rows than one batch (200) of each table: every one of them is reached.
    payments = [await paid(store, f"p{n}", [f"{n:04d}" * 4]) for n in range(230)]
    for payment in payments[:210]:
        await raw_callback(store, payment, callback_body(payment.external_id, payment.codes[0]))
    clock.now = START + timedelta(days=91)
    report = await CodeRetention(store, 90, clock=clock).run_once()
    assert (report.payments, report.bodies["callbacks"]) == (230, 210)
    for payment in payments:
        stored = await store.read.payments.get(payment.id)
        assert stored is not None and stored.codes == [f"EXPIRED:{payment.codes[0][-4:]}"]


async def test_the_worker_purges_on_its_own_and_stops(store: Storage, clock: Clock) -> None:
    old = await paid(store, "old", [CODE])
    clock.now = START + timedelta(days=91)
    worker = CodeRetention(store, 90, clock=clock, interval=0.05, first_delay=0)
    worker.start()
    try:
        for _ in range(100):
            payment = await store.read.payments.get(old.id)
            assert payment is not None
            if payment.codes == ["EXPIRED:9223"]:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the worker did not purge within 2 s")
        young = await paid(store, "young", ["99990000111122223333"])
        clock.now = START + timedelta(days=182)  # a later pass takes the next ones too
        for _ in range(100):
            payment = await store.read.payments.get(young.id)
            assert payment is not None
            if payment.codes == ["EXPIRED:3333"]:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("no later pass")
    finally:
        await worker.stop()
    assert not worker.running
