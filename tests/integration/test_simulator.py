"""The DEXCHANGE simulator, driven over real HTTP on loopback with raw httpx."""

import asyncio
import contextlib
import json
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.simulator import Simulator, SimulatorConfig, run_standalone
from bot.simulator.app import BadRequest, _service_and_reference, _woyofal_amount
from bot.simulator.references import default_amount, fee_for, make_code
from bot.web.server import LoopbackServer
from tests.integration.sim_receiver import AUTH, INITIAL, KEY, Factory, Inbox, Receiver, simulators

# One event loop for the module: the callback receiver is served once, and simulators are
# stopped in the background (stopping a uvicorn server takes ~0.2 s).
pytestmark = pytest.mark.asyncio(loop_scope="module")

FAST: dict[str, Any] = {
    "callback_delay": 0.2,
    "sync_callback_delay": 0.05,
    "slow_seconds": 1.0,
    "callback_retry_initial": 0.05,
    "callback_retry_max": 0.2,
    "rate_per_minute": None,
}
SENELEC, SENEAU, WOYOFAL = "SENELEC_SN_BILL", "SENEAU_SN_BILL", "WOYOFAL_SN_BILL"
CODE_20 = re.compile(r"^\d{20}$")


async def eventually(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    for _ in range(100_000):
        if predicate():
            return
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def background_stops() -> AsyncIterator[list[asyncio.Task[None]]]:
    stops: list[asyncio.Task[None]] = []
    yield stops
    await asyncio.gather(*stops)


@pytest_asyncio.fixture(loop_scope="module")
async def make_sim(background_stops: list[asyncio.Task[None]]) -> AsyncIterator[Factory]:
    async with simulators(background_stops, FAST) as make:
        yield make


@pytest_asyncio.fixture(loop_scope="module")
async def sim(make_sim: Factory) -> tuple[Simulator, httpx.AsyncClient]:
    return await make_sim()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared_receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def receiver(shared_receiver: Receiver) -> Inbox:
    if shared_receiver.server is None:  # a test stopped it
        await shared_receiver.start()
    return shared_receiver.inbox()


async def pay(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/api/v1/billing/pay", json=body)


async def inquiry(client: httpx.AsyncClient, service: str, ref: str) -> httpx.Response:
    return await client.post(
        "/api/v1/billing/inquiry", json={"serviceCode": service, "reference_client": ref}
    )


def assert_pay_error(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {
        "message": "Failed to pay bill",
        "transaction": {"success": False, "Status": "FAILED", "message": message},
    }


# -- catalogue, balance, auth -----------------------------------------------------------


async def test_services_and_balance(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    services = (await client.get("/api/v1/api-services/services")).json()["services"]
    assert {s["serviceCode"] for s in services} == {SENELEC, SENEAU, WOYOFAL}
    assert all(s["country"] == "SN" and s["serviceName"] and s["serviceType"] for s in services)
    balance = (await client.get("/api/v1/api-services/balance")).json()["balance"]
    assert balance["success"] is True
    assert balance["balance"] == INITIAL
    assert balance["currency"] == "XOF"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", balance["lastUpdate"])


async def test_bad_or_missing_key_is_401(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    client.headers.pop("Authorization")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": KEY}):
        calls = [
            client.post("/api/v1/billing/pay", json={"serviceCode": SENELEC}, headers=headers),
            client.post("/api/v1/billing/inquiry", json={}, headers=headers),
            client.get("/api/v1/transaction/TID000000001", headers=headers),
            client.get("/api/v1/api-services/balance", headers=headers),
            client.get("/api/v1/api-services/services", headers=headers),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 401
            assert response.json() == {"message": "Unauthorized"}
    assert simulator.state.pay_calls == 3
    assert simulator.state.debits == 0


async def test_rate_limit(make_sim: Factory) -> None:
    simulator, client = await make_sim(rate_per_minute=3)
    for _ in range(3):
        assert (await client.get("/api/v1/api-services/balance")).status_code == 200
    response = await pay(client, serviceCode=SENELEC, reference_client="210278816")
    assert response.status_code == 429
    assert response.json() == {"message": "Too many requests"}
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert simulator.state.debits == 0
    assert simulator.state.pay_calls == 1  # counted even when refused
    # the test route is not an API call
    assert (await client.get("/_sim/state")).status_code == 200


async def test_rate_limit_over_a_shorter_window_counts_the_429s(make_sim: Factory) -> None:
    simulator, client = await make_sim(rate_per_minute=2, rate_window_seconds=0.5)
    codes = [(await client.get("/api/v1/api-services/balance")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert simulator.state.rate_limited == 1
    await asyncio.sleep(0.5)  # the window, not a minute
    assert (await client.get("/api/v1/api-services/balance")).status_code == 200
    arrivals = list(simulator.state.api_arrivals)
    assert len(arrivals) == 4 and arrivals == sorted(arrivals)  # refused calls too
    assert arrivals[3] - arrivals[0] >= 0.5
    assert (await client.get("/_sim/state")).json()["rate_limited"] == 1


# -- inquiry ----------------------------------------------------------------------------


async def test_inquiry_reference_page_example(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    body = (await inquiry(client, SENELEC, "210278816")).json()
    assert body["success"] is True
    assert body["referenceClient"] == "000210278816"
    [bill] = body["bills"]
    assert bill["referenceClient"] == "000210278816"
    assert bill["referenceFacture"] == "8000000680"
    assert (bill["nom"], bill["prenom"]) == ("DIOP", "Moussa")
    assert (bill["montant"], bill["frais"], bill["total"]) == (104_500, 1_045, 105_545)
    assert bill["paid"] is False
    assert re.match(r"^\d{4}-\d\d-\d\d$", bill["dateEcheance"])
    assert bill["paymentTransactionNumber"] and bill["address"] and bill["meterStatus"]


async def test_inquiry_woyofal_has_no_bills(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    response = await inquiry(client, WOYOFAL, "07061270877")
    assert response.json() == {"success": True, "referenceClient": "007061270877", "bills": []}


async def test_default_reference_bill_is_deterministic(make_sim: Factory) -> None:
    (_, one), (_, two) = await make_sim(), await make_sim()
    first = (await inquiry(one, SENEAU, "123456789")).json()["bills"]
    again = (await inquiry(two, SENEAU, "123456789")).json()["bills"]
    assert first == again and len(first) == 1
    bill = first[0]
    assert 2_000 <= bill["montant"] <= 150_000 and bill["montant"] % 5 == 0
    assert bill["nom"].isupper() and bill["prenom"]
    other = (await inquiry(one, SENEAU, "987654321")).json()["bills"][0]
    assert other["referenceFacture"] != bill["referenceFacture"]


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"\d{6,20}", fullmatch=True))
async def test_default_amount_in_range(reference: str) -> None:
    amount = default_amount(reference)
    assert 2_000 <= amount <= 150_000 and amount % 5 == 0


# -- bills ------------------------------------------------------------------------------


async def test_pay_reference_page_bill(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    response = await pay(
        client,
        serviceCode=SENELEC,
        reference_client="210278816",
        amount=1,  # ignored for bills
        externalTransactionId="INV-001",
        callBackURL=receiver.url,
        customData="chat:42",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Bill paid successfully"
    txn = body["transaction"]
    assert re.match(r"^TID\d{9}$", txn["transactionId"])
    assert txn | {"transactionId": None, "message": None} == {
        "success": True,
        "transactionId": None,
        "externalTransactionId": "INV-001",
        "transactionType": "BILL",
        "amount": 104_500,
        "transactionFee": 1_045,
        "number": "210278816",
        "referenceFacture": "8000000680",
        "Status": "SUCCESS",
        "previousBalance": INITIAL,
        "currentBalance": INITIAL - 105_545,
        "message": None,
    }
    await receiver.wait_for(1)
    callback = receiver.bodies[0]
    assert callback["id"] == txn["transactionId"]
    assert callback["externalTransactionId"] == "INV-001"
    assert callback["transactionType"] == "BILL"
    assert (callback["AMOUNT"], callback["FEE"]) == (104_500, 1_045)
    assert callback["PHONE_NUMBER"] == "210278816"
    assert callback["STATUS"] == "SUCCESS"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", callback["COMPLETED_AT"])
    assert (callback["PREVIOUS_BALANCE"], callback["CURRENT_BALANCE"]) == (
        INITIAL,
        INITIAL - 105_545,
    )
    assert callback["CUSTOM_DATA"] == "chat:42"
    assert "TOKEN" not in callback

    status = (await client.get(f"/api/v1/transaction/{txn['transactionId']}")).json()
    assert status["message"] == "Transaction found"
    assert status["transaction"]["Status"] == "SUCCESS"
    assert status["transaction"]["ServiceCode"] == SENELEC
    assert status["transaction"]["Amount"] == 104_500
    assert status["transaction"]["Number"] == "210278816"
    assert status["transaction"]["Completed_at"]
    assert "token" not in status["transaction"]

    # the bill is now paid
    assert (await inquiry(client, SENELEC, "210278816")).json()["bills"] == []
    again = await pay(client, serviceCode=SENELEC, reference_client="210278816")
    assert_pay_error(again, "No unpaid bill for this reference_client")
    # another biller with the same reference is another account
    assert len((await inquiry(client, SENEAU, "210278816")).json()["bills"]) == 1
    assert simulator.state.balance == INITIAL - 105_545
    assert simulator.state.debits == 1
    assert simulator.state.by_external_id == {"INV-001": txn["transactionId"]}
    assert simulator.state.pay_requests[0]["customData"] == "chat:42"


async def test_two_bills_paid_oldest_first(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    bills = (await inquiry(client, SENEAU, "222222222")).json()["bills"]
    assert [b["montant"] for b in bills] == [12_300, 45_600]
    assert bills[0]["dateEcheance"] < bills[1]["dateEcheance"]
    older, newer = bills[0]["referenceFacture"], bills[1]["referenceFacture"]

    first = (await pay(client, serviceCode=SENEAU, reference_client="222222222")).json()
    assert first["transaction"]["amount"] == 12_300
    assert first["transaction"]["referenceFacture"] == older
    left = (await inquiry(client, SENEAU, "222222222")).json()["bills"]
    assert [b["referenceFacture"] for b in left] == [newer]

    stale = await pay(
        client, serviceCode=SENEAU, reference_client="222222222", reference_facture=older
    )
    assert_pay_error(stale, "Bill already paid")
    unknown = await pay(
        client, serviceCode=SENEAU, reference_client="222222222", reference_facture="123"
    )
    assert_pay_error(unknown, "Bill not found for this reference_client")
    second = await pay(
        client, serviceCode=SENEAU, reference_client="222222222", reference_facture=newer
    )
    assert second.json()["transaction"]["amount"] == 45_600
    assert second.json()["transaction"]["previousBalance"] == INITIAL - 12_300 - 123


async def test_no_unpaid_bill(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    assert (await inquiry(client, SENELEC, "100000000")).json()["bills"] == []
    response = await pay(client, serviceCode=SENELEC, reference_client="100000000")
    assert_pay_error(response, "No unpaid bill for this reference_client")
    assert simulator.state.debits == 0


async def test_insufficient_balance_reference(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    assert len((await inquiry(client, SENELEC, "444444444")).json()["bills"]) == 1
    for service in (SENELEC, WOYOFAL):
        response = await pay(
            client,
            serviceCode=service,
            reference_client="444444444",
            amount=1000,
            externalTransactionId="X-444",
            callBackURL=receiver.url,
        )
        assert_pay_error(response, "Insufficient balance")
    # a rejected request records nothing (the same id was accepted twice) and calls nobody
    assert simulator.state.by_external_id == {}
    assert simulator.state.debits == 0
    await simulator.wait_callbacks_idle()
    assert simulator.state.callbacks_sent == []


async def test_real_insufficient_balance(make_sim: Factory) -> None:
    _, client = await make_sim(initial_balance=105_544)
    response = await pay(client, serviceCode=SENELEC, reference_client="210278816")
    assert_pay_error(response, "Insufficient balance")
    response = await pay(client, serviceCode=WOYOFAL, reference_client="07061270877", amount=1000)
    assert response.status_code == 200
    assert response.json()["transaction"]["currentBalance"] == 105_544 - 1_010


async def test_already_paid_reference(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    assert len((await inquiry(client, SENELEC, "555555555")).json()["bills"]) == 1
    response = await pay(client, serviceCode=SENELEC, reference_client="555555555")
    assert_pay_error(response, "Bill already paid")
    assert len((await inquiry(client, SENELEC, "555555555")).json()["bills"]) == 1
    assert simulator.state.debits == 0


async def test_maintenance_reference(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    for service in (SENELEC, SENEAU, WOYOFAL):
        for response in (
            await inquiry(client, service, "666666666"),
            await pay(client, serviceCode=service, reference_client="666666666", amount=1000),
        ):
            assert response.status_code == 403
            assert response.json() == {"message": "API under maintenance"}
    assert simulator.state.debits == 0


# -- the unknown outcomes: slow answer, 500 ---------------------------------------------


async def test_slow_reference_callback_before_answer(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    started = time.monotonic()
    call = asyncio.create_task(
        pay(
            client,
            serviceCode=WOYOFAL,
            reference_client="777777777",
            amount=5000,
            externalTransactionId="SLOW-1",
            callBackURL=receiver.url,
        )
    )
    await receiver.wait_for(1)
    assert not call.done()  # the callback came first
    assert simulator.state.debits == 1
    response = await call
    assert time.monotonic() - started >= 1.0
    txn = response.json()["transaction"]
    assert txn["Status"] == "SUCCESS"
    assert CODE_20.match(txn["token"])
    assert receiver.bodies[0]["TOKEN"] == txn["token"]
    assert receiver.bodies[0]["STATUS"] == "SUCCESS"


async def test_slow_reference_client_gives_up(make_sim: Factory, receiver: Inbox) -> None:
    simulator, client = await make_sim(slow_seconds=0.5)  # the server waits for it to stop
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            "/api/v1/billing/pay",
            json={
                "serviceCode": SENELEC,
                "reference_client": "777777777",
                "externalTransactionId": "SLOW-2",
                "callBackURL": receiver.url,
            },
            timeout=0.2,
        )
    await receiver.wait_for(1)
    assert receiver.bodies[0]["STATUS"] == "SUCCESS"
    assert receiver.bodies[0]["externalTransactionId"] == "SLOW-2"
    retry = await pay(
        client, serviceCode=SENELEC, reference_client="777777777", externalTransactionId="SLOW-2"
    )
    assert retry.status_code == 409
    assert simulator.state.debits == 1


async def test_500_reference_records_then_409(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    body = {
        "serviceCode": WOYOFAL,
        "reference_client": "888888888",
        "amount": 2000,
        "externalTransactionId": "E500",
        "callBackURL": receiver.url,
    }
    response = await client.post("/api/v1/billing/pay", json=body)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    retry = await client.post("/api/v1/billing/pay", json=body)
    assert retry.status_code == 409
    assert retry.json() == {"message": "externalTransactionId already used"}
    await receiver.wait_for(1)
    assert receiver.bodies[0]["STATUS"] == "SUCCESS"
    assert CODE_20.match(receiver.bodies[0]["TOKEN"])
    assert simulator.state.debits == 1
    assert simulator.state.balance == INITIAL - 2_020
    assert simulator.state.pay_calls == 2


# -- Woyofal ----------------------------------------------------------------------------


async def test_woyofal_processing_then_failed_with_refund(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    response = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="999999999",
        amount=10_000,
        externalTransactionId="W-FAIL",
        callBackURL=receiver.url,
    )
    txn = response.json()["transaction"]
    assert txn["Status"] == "PROCESSING"
    assert "token" not in txn
    assert txn["message"] == "Top-up in progress — token available shortly"
    assert (txn["previousBalance"], txn["currentBalance"]) == (INITIAL, INITIAL - 10_100)
    status = (await client.get(f"/api/v1/transaction/{txn['transactionId']}")).json()
    assert status["transaction"]["Status"] == "PROCESSING"
    assert status["transaction"]["Completed_at"] is None

    await receiver.wait_for(1)
    callback = receiver.bodies[0]
    assert callback["STATUS"] == "FAILED"
    assert "TOKEN" not in callback
    assert (callback["PREVIOUS_BALANCE"], callback["CURRENT_BALANCE"]) == (
        INITIAL - 10_100,
        INITIAL,
    )
    status = (await client.get(f"/api/v1/transaction/{txn['transactionId']}")).json()
    assert status["transaction"]["Status"] == "FAILED"
    assert "token" not in status["transaction"]
    balance = (await client.get("/api/v1/api-services/balance")).json()["balance"]["balance"]
    assert balance == INITIAL
    assert simulator.state.refunds == 1


async def test_woyofal_processing_then_success(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    started = time.monotonic()
    response = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="111111111",
        amount=3000,
        callBackURL=receiver.url,
        customData='{"chat": 7}',
    )
    txn = response.json()["transaction"]
    assert txn["Status"] == "PROCESSING"
    assert txn["externalTransactionId"] is None  # none given, none made up
    await receiver.wait_for(1)
    assert time.monotonic() - started >= 0.2
    callback = receiver.bodies[0]
    assert callback["STATUS"] == "SUCCESS"
    assert callback["externalTransactionId"] is None
    assert callback["CUSTOM_DATA"] == '{"chat": 7}'
    assert CODE_20.match(callback["TOKEN"])
    status = (await client.get(f"/api/v1/transaction/{txn['transactionId']}")).json()
    assert status["transaction"]["token"] == callback["TOKEN"]
    assert simulator.state.balance == INITIAL - 3_030


async def test_woyofal_default_reference_and_unique_tokens(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    for i in range(3):
        response = await pay(
            client,
            serviceCode=WOYOFAL,
            reference_client="123456789012",
            amount=1000 + i,
            externalTransactionId=f"D-{i}",
            callBackURL=receiver.url,
        )
        assert response.json()["transaction"]["Status"] == "PROCESSING"
    await receiver.wait_for(3)
    tokens = {b["TOKEN"] for b in receiver.bodies}
    assert len(tokens) == 3 and all(CODE_20.match(t) for t in tokens)
    assert len(simulator.state.transactions) == 3


async def test_woyofal_three_codes(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    _, client = sim
    response = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="333333333",
        amount=20_000,
        callBackURL=receiver.url,
    )
    txn = response.json()["transaction"]
    assert txn["Status"] == "SUCCESS"
    codes = txn["token"].split(" ")
    assert len(codes) == 3 and len(set(codes)) == 3 and all(CODE_20.match(c) for c in codes)
    await receiver.wait_for(1)
    assert receiver.bodies[0]["TOKEN"] == txn["token"]


async def test_woyofal_reference_page_example(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    _, client = sim
    response = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="07061270877",
        amount=1000,
        externalTransactionId="RCH-001",
        callBackURL=receiver.url,
    )
    txn = response.json()["transaction"]
    assert txn["Status"] == "SUCCESS"
    assert txn["token"] == "1283930093209223"
    assert (txn["amount"], txn["transactionFee"], txn["number"]) == (1000, 10, "07061270877")
    assert txn["currentBalance"] == INITIAL - 1010
    await receiver.wait_for(1)
    assert receiver.bodies[0]["TOKEN"] == "1283930093209223"
    assert receiver.bodies[0]["PHONE_NUMBER"] == "07061270877"


async def test_woyofal_amount_validation(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    cases: list[tuple[object, str]] = [
        (None, "amount is required for Woyofal"),
        ("2000", "amount must be a number"),
        (True, "amount must be a number"),
        ([1000], "amount must be a number"),
        (1500.5, "amount must be a whole number of FCFA"),
        (0, "amount must be positive"),
        (-1000, "amount must be positive"),
        (999, "Minimum Woyofal amount is 1000 FCFA"),
    ]
    for amount, message in cases:
        body: dict[str, Any] = {"serviceCode": WOYOFAL, "reference_client": "123456789"}
        if amount is not None:
            body["amount"] = amount
        assert_pay_error(await client.post("/api/v1/billing/pay", json=body), message)
    assert simulator.state.debits == 0
    ok = await pay(client, serviceCode=WOYOFAL, reference_client="07061270877", amount=1000.0)
    assert ok.json()["transaction"]["amount"] == 1000


# -- idempotency, status ----------------------------------------------------------------


async def test_reused_external_id_is_409_without_debit(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    first = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="07061270877",
        amount=1000,
        externalTransactionId="ID-1",
        callBackURL=receiver.url,
    )
    assert first.status_code == 200
    # same id, even with another body
    for body in (
        {"serviceCode": WOYOFAL, "reference_client": "07061270877", "amount": 1000},
        {"serviceCode": SENELEC, "reference_client": "210278816"},
    ):
        again = await pay(client, **body, externalTransactionId="ID-1", callBackURL=receiver.url)
        assert again.status_code == 409
        assert again.json() == {"message": "externalTransactionId already used"}
    assert simulator.state.debits == 1
    assert simulator.state.balance == INITIAL - 1010
    assert len(simulator.state.transactions) == 1
    assert simulator.state.pay_calls == 3
    assert len((await inquiry(client, SENELEC, "210278816")).json()["bills"]) == 1
    await simulator.wait_callbacks_idle()
    assert len(receiver.bodies) == 1


async def test_concurrent_same_external_id_debits_once(
    sim: tuple[Simulator, httpx.AsyncClient],
) -> None:
    simulator, client = sim
    responses = await asyncio.gather(
        *(
            pay(
                client, serviceCode=SENELEC, reference_client="222222222", externalTransactionId="C"
            )
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert simulator.state.debits == 1


async def test_unknown_transaction_is_404(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    response = await client.get("/api/v1/transaction/TID999999999")
    assert response.status_code == 404
    assert response.json() == {"message": "Transaction not found"}


async def test_no_callback_url_still_settles(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    response = await pay(client, serviceCode=WOYOFAL, reference_client="999999999", amount=1000)
    tid = response.json()["transaction"]["transactionId"]
    await simulator.wait_callbacks_idle()
    assert simulator.state.transactions[tid].status == "FAILED"
    assert simulator.state.balance == INITIAL
    assert simulator.state.callbacks_sent == []


# -- callback delivery ------------------------------------------------------------------


async def test_callback_retried_after_500(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    receiver.fail_next = 2
    await pay(client, serviceCode=SENELEC, reference_client="210278816", callBackURL=receiver.url)
    await simulator.wait_callbacks_idle()
    assert [a.status for a in simulator.state.callbacks_sent] == [500, 500, 200]
    assert [a.attempt for a in simulator.state.callbacks_sent] == [1, 2, 3]
    assert simulator.state.callbacks_sent[-1].delivered
    assert len(receiver.bodies) == 1


async def test_callback_retried_while_receiver_down(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    await receiver.stop()
    response = await pay(
        client,
        serviceCode=WOYOFAL,
        reference_client="111111111",
        amount=1000,
        callBackURL=receiver.url,
    )
    tid = response.json()["transaction"]["transactionId"]
    await eventually(lambda: len(simulator.state.callbacks_sent) >= 2)
    assert all(a.status is None and a.error for a in simulator.state.callbacks_sent)
    # final state is set even though the bot has not heard of it yet
    status = (await client.get(f"/api/v1/transaction/{tid}")).json()["transaction"]
    assert status["Status"] == "SUCCESS" and CODE_20.match(status["token"])
    await receiver.start()  # same port
    await receiver.wait_for(1)
    await simulator.wait_callbacks_idle()
    assert receiver.bodies[0]["TOKEN"] == status["token"]
    assert simulator.state.callbacks_sent[-1].delivered


async def test_pending_callbacks_resume_after_simulator_restart(receiver: Inbox) -> None:
    simulator = Simulator(SimulatorConfig(**{**FAST, "callback_delay": 0.8}))
    server = LoopbackServer(simulator.app)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, headers=AUTH) as client:
        response = await pay(
            client,
            serviceCode=WOYOFAL,
            reference_client="111111111",
            amount=1000,
            callBackURL=receiver.url,
        )
    tid = response.json()["transaction"]["transactionId"]
    await server.stop()  # DEXCHANGE goes down before the callback is due
    assert simulator.state.transactions[tid].status == "PROCESSING"
    with pytest.raises(TimeoutError):
        await simulator.wait_callbacks_idle(timeout=0.1)
    assert receiver.bodies == []
    server = LoopbackServer(simulator.app)
    await server.start()
    try:
        await receiver.wait_for(1)
        await simulator.wait_callbacks_idle()
    finally:
        await server.stop()
    assert receiver.bodies[0]["id"] == tid and receiver.bodies[0]["STATUS"] == "SUCCESS"


async def test_callback_given_up_after_max_attempts(make_sim: Factory, receiver: Inbox) -> None:
    simulator, client = await make_sim(callback_max_attempts=2)
    await receiver.stop()
    await pay(client, serviceCode=SENELEC, reference_client="210278816", callBackURL=receiver.url)
    await simulator.wait_callbacks_idle()
    assert len(simulator.state.callbacks_sent) == 2


async def test_duplicate_callbacks(make_sim: Factory, receiver: Inbox) -> None:
    simulator, client = await make_sim(duplicate_callbacks=3)
    await pay(client, serviceCode=SENELEC, reference_client="210278816", callBackURL=receiver.url)
    await receiver.wait_for(3)
    await simulator.wait_callbacks_idle()
    assert len(receiver.bodies) == 3
    assert receiver.bodies[0] == receiver.bodies[1] == receiver.bodies[2]


# -- malformed requests -----------------------------------------------------------------


def _raw(**fields: Any) -> bytes:
    return json.dumps({"serviceCode": SENELEC, "reference_client": "210278816", **fields}).encode()


MALFORMED_PAY: list[tuple[bytes, str]] = [
    (b"{not json", "Malformed JSON body"),
    (b"", "Malformed JSON body"),
    (b"\xff\xfe\x00", "Malformed JSON body"),
    (b"[" * 100_000, "Malformed JSON body"),
    (b"[1, 2]", "JSON body must be an object"),
    (b'"SENELEC_SN_BILL"', "JSON body must be an object"),
    (b"{}", "serviceCode is required"),
    (_raw(serviceCode=3), "Unknown serviceCode"),
    (_raw(serviceCode="ORANGE"), "Unknown serviceCode"),
    (_raw(reference_client=None), "reference_client is required"),
    (_raw(reference_client=210278816), "6 to 20"),
    (_raw(reference_client="12345"), "6 to 20"),
    (_raw(reference_client="1" * 21), "6 to 20"),
    (_raw(reference_client="21027881A"), "6 to 20"),
    (_raw(reference_client="١٢٣٤٥٦٧"), "6 to 20"),  # Arabic-Indic digits
    (_raw(externalTransactionId=5), "externalTransactionId must be a non-empty string"),
    (_raw(externalTransactionId=""), "externalTransactionId must be a non-empty string"),
    (_raw(callBackURL="ftp://x/cb"), "callBackURL must be an http(s) URL"),
    (_raw(callBackURL="http://[::1"), "callBackURL must be an http(s) URL"),
    (_raw(callBackURL="/cb"), "callBackURL must be an http(s) URL"),
    (_raw(customData={"a": 1}), "customData must be a string"),
    (_raw(reference_facture=8000000680), "reference_facture must be a string"),
    (_raw(serviceCode=WOYOFAL, amount=float("nan")), "whole"),
    (_raw(serviceCode=WOYOFAL, amount=float("inf")), "whole"),
    # an integer beyond Python's int parsing limit
    (_raw(serviceCode=WOYOFAL)[:-1] + b', "amount": ' + b"9" * 5000 + b"}", "Malformed JSON body"),
]


async def test_malformed_pay_is_400(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    for content, message in MALFORMED_PAY:
        response = await client.post(
            "/api/v1/billing/pay", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (content[:80], response.text)
        body = response.json()
        assert body["message"] == "Failed to pay bill"
        assert body["transaction"]["success"] is False
        assert message in body["transaction"]["message"], (content[:80], body)
    assert simulator.state.debits == 0
    assert simulator.state.pay_calls == len(MALFORMED_PAY)
    # unknown paths and methods answer JSON too
    assert (await client.get("/api/v1/billing/pay")).status_code == 405
    assert (await client.get("/api/v1/nowhere")).json() == {"message": "Not Found"}


async def test_malformed_inquiry_is_400(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    _, client = sim
    for content in (b"nope", b"[]", b"{}", _raw(reference_client="12"), _raw(serviceCode="X")):
        response = await client.post("/api/v1/billing/inquiry", content=content)
        assert response.status_code == 400
        assert response.json()["success"] is False and response.json()["message"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=25),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=5,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["serviceCode", "reference_client", "x"]), _JSON))
async def test_validation_only_raises_bad_request(body: dict[str, Any]) -> None:
    with contextlib.suppress(BadRequest):
        _service_and_reference(body)


@settings(max_examples=60, deadline=None)
@given(_JSON)
async def test_amount_validation_only_raises_bad_request(value: object) -> None:
    try:
        amount = _woyofal_amount(value)
    except BadRequest:
        return
    assert isinstance(amount, int) and amount >= 1000


# -- pure helpers, introspection, standalone --------------------------------------------


async def test_fee_rounds_half_up() -> None:
    assert fee_for(104_500, Decimal("1")) == 1_045
    assert fee_for(1_050, Decimal("1")) == 11  # 10.5 → 11
    assert fee_for(1_049, Decimal("1")) == 10
    assert fee_for(1_001, Decimal("1.5")) == 15


async def test_codes_are_unique_even_on_collision() -> None:
    issued: set[str] = set()
    first = make_code("seed", issued)
    second = make_code("seed", issued)
    assert first != second and CODE_20.match(first) and CODE_20.match(second)


async def test_sim_state_route(sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox) -> None:
    simulator, client = sim
    await pay(client, serviceCode=SENELEC, reference_client="210278816", callBackURL=receiver.url)
    await simulator.wait_callbacks_idle()
    client.headers.pop("Authorization")
    state = (await client.get("/_sim/state")).json()
    assert state["balance"] == INITIAL - 105_545
    assert state["pay_calls"] == 1 and state["debits"] == 1
    [txn] = state["transactions"].values()
    assert txn["status"] == "SUCCESS" and txn["reference_facture"] == "8000000680"
    assert state["callbacks"][0]["status"] == 200 and state["callbacks"][0]["delivered"]


async def test_wait_for_pay_calls(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    with pytest.raises(TimeoutError):
        await simulator.wait_for_pay_calls(1, timeout=0.05)
    waiter = asyncio.create_task(simulator.wait_for_pay_calls(2, timeout=5))
    await pay(client, serviceCode=SENELEC, reference_client="100000000")
    assert not waiter.done()
    await pay(client, serviceCode=SENELEC, reference_client="100000000")
    await waiter
    assert [r["reference_client"] for r in simulator.state.pay_requests] == ["100000000"] * 2


async def test_run_standalone(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    caplog.set_level(logging.INFO, logger="bot.simulator")
    task = asyncio.create_task(run_standalone("127.0.0.1", port, SimulatorConfig(api_key="k")))
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": "Bearer k"}) as client:
            await eventually(lambda: url in caplog.text)
            response = await client.get("/api/v1/api-services/balance")
            assert response.json()["balance"]["balance"] == 5_000_000
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert task.cancelled()
