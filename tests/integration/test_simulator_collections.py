"""Mobile-money collections and payouts (`POST /transaction/init`) of the DEXCHANGE
simulator, driven over loopback HTTP with raw httpx; callbacks land in the receiver of
tests/integration/sim_receiver.py."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bot.simulator import Simulator
from tests.integration.sim_receiver import INITIAL, Factory, Inbox, Receiver, simulators

pytestmark = pytest.mark.asyncio(loop_scope="module")

FAST: dict[str, Any] = {
    "collection_delay": 0.1,
    "collection_expiry": 0.6,
    "slow_seconds": 1.0,
    "callback_retry_initial": 0.05,
    "callback_retry_max": 0.2,
    "rate_per_minute": None,
}
WAVE, OM, FM = "WAVE_SN_CASHOUT", "OM_SN_CASHOUT", "FM_SN_CASHOUT"
WAVE_OUT, OM_OUT = "WAVE_SN_CASHIN", "OM_SN_CASHIN"
SUCCESS, FAILS, EXPIRES, CANCELS, SLOW = (f"77000000{i}" for i in range(5))
ANY_NUMBER = "771234567"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared_receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def receiver(shared_receiver: Receiver) -> Inbox:
    return shared_receiver.inbox()


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


def init_body(
    inbox: Inbox | None, ext: str, number: str = ANY_NUMBER, **fields: Any
) -> dict[str, Any]:
    return {
        "externalTransactionId": ext,
        "serviceCode": WAVE,
        "amount": 10_000,
        "number": number,
        "callBackURL": inbox.url if inbox else "http://127.0.0.1:9/cb",
        "successUrl": "https://senpay.example/ok",
        "failureUrl": "https://senpay.example/ko",
        **fields,
    }


async def init(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/v1/transaction/init", json=body)


async def status_of(client: httpx.AsyncClient, transaction_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/transaction/{transaction_id}")
    assert response.status_code == 200, response.text
    transaction: dict[str, Any] = response.json()["transaction"]
    return transaction


def assert_refused(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {
        "message": "Failed to initiate transaction",
        "transaction": {"success": False, "Status": "FAILED", "message": message},
    }


# -- collections --------------------------------------------------------------------------


async def test_wave_collection_pending_then_success_credits_less_fee(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    response = await init(client, init_body(receiver, "COL-1"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["message"] == "Transaction initiated"
    txn = answer["transaction"]
    tid = txn["transactionId"]
    assert tid.startswith("TID") and len(tid) == 12
    assert {k: txn[k] for k in ("success", "externalTransactionId", "amount", "fee")} == {
        "success": True,
        "externalTransactionId": "COL-1",
        "amount": 10_000,
        "fee": 100,
    }
    assert (txn["Status"], txn["number"], txn["serviceCode"]) == ("PENDING", ANY_NUMBER, WAVE)
    assert txn["transactionType"] == "CASHOUT"
    # Wave carries a link to approve; it leads to the simulator's own page.
    page = await client.get(txn["paymentUrl"])
    assert page.status_code == 200 and "10000 FCFA" in page.text

    pending = await status_of(client, tid)
    assert (pending["Type"], pending["Status"], pending["Number"], pending["Amount"]) == (
        "CASHOUT",
        "PENDING",
        ANY_NUMBER,
        10_000,
    )
    assert pending["ServiceCode"] == WAVE and pending["Completed_at"] is None
    assert simulator.state.balance == INITIAL  # nothing before the customer approves

    await receiver.wait_for(1)
    [callback] = receiver.bodies
    assert callback == {
        "id": tid,
        "externalTransactionId": "COL-1",
        "transactionType": "CASHOUT",
        "AMOUNT": 10_000,
        "FEE": 100,
        "PHONE_NUMBER": ANY_NUMBER,
        "STATUS": "SUCCESS",
        "COMPLETED_AT": callback["COMPLETED_AT"],
        "PREVIOUS_BALANCE": INITIAL,
        "CURRENT_BALANCE": INITIAL + 9_900,
        "CUSTOM_DATA": None,
    }
    assert callback["COMPLETED_AT"]
    done = await status_of(client, tid)
    assert done["Status"] == "SUCCESS" and done["Completed_at"]
    assert simulator.state.balance == INITIAL + 9_900
    assert (simulator.state.credits, simulator.state.debits) == (1, 0)


@pytest.mark.parametrize(
    ("number", "status"),
    [(SUCCESS, "SUCCESS"), (FAILS, "FAILED"), (CANCELS, "CANCELLED"), (EXPIRES, "EXPIRED")],
)
@pytest.mark.parametrize("service", [WAVE, OM, FM])
async def test_each_test_number_settles_as_documented(
    sim: tuple[Simulator, httpx.AsyncClient],
    receiver: Inbox,
    service: str,
    number: str,
    status: str,
) -> None:
    simulator, client = sim
    started = time.monotonic()
    response = await init(client, init_body(receiver, "N-1", number, serviceCode=service))
    assert response.status_code == 200, response.text
    tid = response.json()["transaction"]["transactionId"]
    assert ("paymentUrl" in response.json()["transaction"]) is (service == WAVE)
    await receiver.wait_for(1)
    elapsed = time.monotonic() - started
    assert receiver.bodies[0]["STATUS"] == status
    assert receiver.bodies[0]["transactionType"] == "CASHOUT"
    # An expiry takes collection_expiry (0.6 s), the others collection_delay (0.1 s).
    assert elapsed >= 0.6 if status == "EXPIRED" else elapsed < 0.6
    assert (await status_of(client, tid))["Status"] == status
    credited = 9_900 if status == "SUCCESS" else 0
    assert simulator.state.balance == INITIAL + credited
    assert receiver.bodies[0]["CURRENT_BALANCE"] == INITIAL + credited


async def test_slow_answer_past_the_client_timeout_still_succeeds_then_409(
    make_sim: Factory, receiver: Inbox
) -> None:
    simulator, client = await make_sim(slow_seconds=0.8)
    body = init_body(receiver, "SLOW-1", SLOW)
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/api/v1/transaction/init", json=body, timeout=0.3)
    await receiver.wait_for(1)
    assert receiver.bodies[0]["STATUS"] == "SUCCESS"
    assert receiver.bodies[0]["externalTransactionId"] == "SLOW-1"
    retry = await init(client, body)
    assert retry.status_code == 409
    assert retry.json() == {"message": "externalTransactionId already used"}
    assert simulator.state.credits == 1
    assert simulator.state.balance == INITIAL + 9_900
    assert simulator.state.init_calls == 2


async def test_slow_answer_arrives_after_its_callback(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    _, client = sim
    started = time.monotonic()
    call = asyncio.create_task(init(client, init_body(receiver, "SLOW-2", SLOW)))
    await receiver.wait_for(1)
    assert not call.done()
    response = await call
    assert time.monotonic() - started >= 1.0
    assert response.json()["transaction"]["Status"] == "PENDING"  # as it stood when recorded


async def test_reused_external_id_is_409_even_across_pay(
    sim: tuple[Simulator, httpx.AsyncClient],
) -> None:
    simulator, client = sim
    assert (await init(client, init_body(None, "DUP-1"))).status_code == 200
    again = await init(client, init_body(None, "DUP-1", serviceCode=OM, amount=500))
    assert again.status_code == 409
    paid = await client.post(
        "/api/v1/billing/pay",
        json={
            "serviceCode": "SENELEC_SN_BILL",
            "reference_client": "210278816",
            "externalTransactionId": "PAY-1",
        },
    )
    assert paid.status_code == 200
    assert (await init(client, init_body(None, "PAY-1"))).status_code == 409
    assert len(simulator.state.transactions) == 2  # the first collection and the bill


async def test_amount_bounds(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    for amount in (199, 1_000_001, 0, -500):
        response = await init(client, init_body(None, f"A{amount}", amount=amount))
        assert_refused(response, "amount must be between 200 and 1000000 FCFA")
    assert_refused(
        await init(client, init_body(None, "A-F", amount=250.5)),
        "amount must be a whole number of FCFA",
    )
    assert_refused(
        await init(client, init_body(None, "A-S", amount="5000")), "amount must be a number"
    )
    for amount in (200, 1_000_000):
        assert (await init(client, init_body(None, f"OK{amount}", amount=amount))).is_success
    assert len(simulator.state.transactions) == 2


async def test_number_must_be_nine_digits(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    numbers: list[Any] = ["77123456", "7712345678", "+221771234567", "77 123 456", 771234567]
    for number in [*numbers, "٧٧١٢٣٤٥٦٧"]:  # Arabic-Indic digits are digits to Python
        response = await init(client, init_body(None, f"N{number}", number))
        assert_refused(response, "number must be 9 digits, without the country code")
    assert simulator.state.transactions == {}


@pytest.mark.parametrize(
    "field",
    ["externalTransactionId", "serviceCode", "amount", "number", "callBackURL", "successUrl"],
)
async def test_every_field_is_required(
    sim: tuple[Simulator, httpx.AsyncClient], field: str
) -> None:
    simulator, client = sim
    body = init_body(None, "REQ-1")
    del body[field]
    assert_refused(await init(client, body), f"{field} is required")
    body[field] = ""
    assert_refused(await init(client, body), f"{field} is required")
    assert simulator.state.transactions == {}
    assert simulator.state.init_calls == 2


async def test_other_invalid_fields(sim: tuple[Simulator, httpx.AsyncClient]) -> None:
    simulator, client = sim
    unknown = await init(client, init_body(None, "U-1", serviceCode="WIZALL_SN_CASHOUT"))
    assert unknown.status_code == 400
    assert "Unknown serviceCode" in unknown.json()["transaction"]["message"]
    assert_refused(
        await init(client, init_body(None, "U-2", failureUrl="ftp://x")),
        "failureUrl must be an http(s) URL",
    )
    bad_json = await client.post(
        "/api/v1/transaction/init", content=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert_refused(bad_json, "JSON body must be an object")
    assert simulator.state.transactions == {}


async def test_maintenance_and_bad_key_and_rate_limit(make_sim: Factory) -> None:
    simulator, client = await make_sim(rate_per_minute=3)
    simulator.faults.maintenance = True
    response = await init(client, init_body(None, "M-1"))
    assert response.status_code == 403
    assert response.json() == {"message": "API under maintenance"}
    simulator.faults.maintenance = False
    wrong = await client.post(
        "/api/v1/transaction/init",
        json=init_body(None, "K-1"),
        headers={"Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401
    assert (await init(client, init_body(None, "R-1"))).status_code == 200
    limited = await init(client, init_body(None, "R-2"))
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert list(simulator.state.by_external_id) == ["R-1"]
    assert simulator.state.init_calls == 4


async def test_callback_retried_until_delivered(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    receiver.fail_next = 2
    await init(client, init_body(receiver, "RETRY-1", FAILS, serviceCode=OM))
    await receiver.wait_for(1)
    await simulator.wait_callbacks_idle()
    attempts = [c for c in simulator.state.callbacks_sent if c.url == receiver.url]
    assert [c.status for c in attempts] == [500, 500, 200]
    assert receiver.bodies[0]["STATUS"] == "FAILED"


# -- payouts ------------------------------------------------------------------------------


async def test_payout_debits_at_once_and_calls_back(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    response = await init(client, init_body(receiver, "OUT-1", serviceCode=OM_OUT, amount=5_000))
    assert response.status_code == 200, response.text
    txn = response.json()["transaction"]
    assert (txn["transactionType"], txn["Status"], txn["fee"]) == ("CASHIN", "PENDING", 50)
    assert "paymentUrl" not in txn
    assert simulator.state.balance == INITIAL - 5_050
    assert (await status_of(client, txn["transactionId"]))["Type"] == "CASHIN"
    await receiver.wait_for(1)
    body = receiver.bodies[0]
    assert (body["transactionType"], body["STATUS"], body["AMOUNT"]) == ("CASHIN", "SUCCESS", 5_000)
    assert (body["PREVIOUS_BALANCE"], body["CURRENT_BALANCE"]) == (INITIAL, INITIAL - 5_050)
    assert simulator.state.balance == INITIAL - 5_050
    assert (simulator.state.debits, simulator.state.credits) == (1, 0)


async def test_failed_payout_is_refunded(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    response = await init(client, init_body(receiver, "OUT-2", FAILS, serviceCode=WAVE_OUT))
    assert response.status_code == 200
    assert simulator.state.balance == INITIAL - 10_100
    await receiver.wait_for(1)
    body = receiver.bodies[0]
    assert body["STATUS"] == "FAILED"
    assert (body["PREVIOUS_BALANCE"], body["CURRENT_BALANCE"]) == (INITIAL - 10_100, INITIAL)
    assert simulator.state.balance == INITIAL
    assert simulator.state.refunds == 1


@pytest.mark.parametrize("number", [EXPIRES, CANCELS])
async def test_payout_cannot_expire_or_be_cancelled(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox, number: str
) -> None:
    _, client = sim
    await init(client, init_body(receiver, "OUT-3", number, serviceCode=WAVE_OUT))
    await receiver.wait_for(1)
    assert receiver.bodies[0]["STATUS"] == "SUCCESS"


async def test_payout_refused_when_the_balance_is_short(make_sim: Factory) -> None:
    simulator, client = await make_sim(initial_balance=10_099)
    response = await init(client, init_body(None, "OUT-4", serviceCode=WAVE_OUT))
    assert_refused(response, "Insufficient balance")
    assert simulator.state.balance == 10_099
    assert simulator.state.transactions == {}
    # Exactly enough for amount + fee goes through.
    response = await init(client, init_body(None, "OUT-5", serviceCode=WAVE_OUT, amount=9_999))
    assert response.status_code == 200
    assert simulator.state.balance == 0


async def test_sim_state_lists_collections(
    sim: tuple[Simulator, httpx.AsyncClient], receiver: Inbox
) -> None:
    simulator, client = sim
    await init(client, init_body(receiver, "ST-1"))
    await simulator.wait_callbacks_idle()
    state = (await client.get("/_sim/state")).json()
    [collection] = state["collections"].values()
    assert collection["transaction_type"] == "CASHOUT"
    assert collection["status"] == "SUCCESS" and collection["external_transaction_id"] == "ST-1"
    assert (state["init_calls"], state["credits"]) == (1, 1)
    assert state["balance"] == INITIAL + 9_900
