"""The DEXCHANGE client's mobile-money calls (transaction/init, and the status of a
collection) against the simulator over loopback HTTP, for every outcome."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import InitRequest, InitResponse, TransactionStatusResponse
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer

KEY = "client-test-key"
WAVE, OM = "WAVE_SN_CASHOUT", "OM_SN_CASHOUT"
SUCCESS, FAILS, EXPIRES, CANCELS, SLOW = (f"77000000{i}" for i in range(5))


@pytest.fixture
async def simulator() -> AsyncIterator[tuple[Simulator, str]]:
    sim = Simulator(
        SimulatorConfig(
            api_key=KEY,
            collection_delay=0.1,
            collection_expiry=0.3,
            slow_seconds=1.5,
            rate_per_minute=None,
        )
    )
    async with LoopbackServer(sim.app) as server:
        yield sim, server.url


@pytest.fixture
async def client(simulator: tuple[Simulator, str]) -> AsyncIterator[DexchangeClient]:
    dex = DexchangeClient(simulator[1], KEY, timeout=1.0)
    yield dex
    await dex.aclose()


def collect(ext: str, number: str = "771234567", **fields: Any) -> InitRequest:
    body: dict[str, Any] = {
        "externalTransactionId": ext,
        "serviceCode": WAVE,
        "amount": 10_000,
        "number": number,
        # Nobody listens there: these tests read the outcome with transaction(id).
        "callBackURL": "http://127.0.0.1:9/cb",
        "successUrl": "https://senpay.example/ok",
        "failureUrl": "https://senpay.example/ko",
        **fields,
    }
    return InitRequest(**body)


async def final_status(client: DexchangeClient, transaction_id: str) -> str | None:
    async with asyncio.timeout(5):
        while True:
            details = (await client.transaction(transaction_id)).model.transaction
            if details.status != "PENDING":
                return details.status
            await asyncio.sleep(0.05)


async def test_wave_collection_answer_and_status(client: DexchangeClient) -> None:
    answer = await client.init_transaction(collect("C-1"))
    txn = answer.model.transaction
    assert txn.transaction_id and txn.external_transaction_id == "C-1"
    assert (txn.status, txn.amount, txn.fee, txn.number) == ("PENDING", 10_000, 100, "771234567")
    assert txn.service_code == WAVE
    assert answer.model.link is not None and "/_sim/wave/" in answer.model.link
    assert answer.status_code == 200 and txn.transaction_id in answer.body  # kept raw
    details = (await client.transaction(txn.transaction_id)).model.transaction
    assert (details.type, details.status, details.number, details.amount) == (
        "CASHOUT",
        "PENDING",
        "771234567",
        10_000,
    )
    assert await final_status(client, txn.transaction_id) == "SUCCESS"


@pytest.mark.parametrize(
    ("number", "status"), [(FAILS, "FAILED"), (EXPIRES, "EXPIRED"), (CANCELS, "CANCELLED")]
)
async def test_collection_outcomes_read_by_status(
    client: DexchangeClient, number: str, status: str
) -> None:
    answer = await client.init_transaction(collect(f"C-{number}", number, serviceCode=OM))
    assert answer.model.link is None  # Orange Money is confirmed on the phone
    assert answer.model.transaction.transaction_id is not None
    assert await final_status(client, answer.model.transaction.transaction_id) == status


async def test_payout_and_its_refusal_for_balance(
    simulator: tuple[Simulator, str], client: DexchangeClient
) -> None:
    sim, _ = simulator
    answer = await client.init_transaction(collect("P-1", serviceCode="WAVE_SN_CASHIN"))
    assert answer.model.transaction.transaction_id is not None
    details = (await client.transaction(answer.model.transaction.transaction_id)).model
    assert details.transaction.type == "CASHIN"
    sim.state.balance = 1_000
    with pytest.raises(errors.InsufficientBalance, match="Insufficient balance"):
        await client.init_transaction(collect("P-2", serviceCode="OM_SN_CASHIN"))


async def test_refusals_carry_dexchange_s_message(
    simulator: tuple[Simulator, str], client: DexchangeClient
) -> None:
    sim, url = simulator
    with pytest.raises(errors.InvalidRequest) as caught:
        await client.init_transaction(collect("R-1", amount=199))
    assert caught.value.message == "amount must be between 200 and 1000000 FCFA"
    assert caught.value.status_code == 400 and caught.value.body
    with pytest.raises(errors.InvalidRequest, match="9 digits"):
        await client.init_transaction(collect("R-2", number="+221771234567"))
    sim.faults.maintenance = True
    with pytest.raises(errors.Maintenance):
        await client.init_transaction(collect("R-3"))
    sim.faults.maintenance = False
    wrong = DexchangeClient(url, "wrong-key")
    with pytest.raises(errors.Unauthorized):
        await wrong.init_transaction(collect("R-4"))
    await wrong.aclose()
    assert sim.state.transactions == {}


async def test_reused_id_is_409(simulator: tuple[Simulator, str], client: DexchangeClient) -> None:
    sim, _ = simulator
    await client.init_transaction(collect("D-1"))
    with pytest.raises(errors.ExternalIdAlreadyUsed):
        await client.init_transaction(collect("D-1", serviceCode=OM))
    assert len(sim.state.transactions) == 1


async def test_slow_answer_is_unknown_not_retried_and_its_retry_is_409(
    simulator: tuple[Simulator, str], client: DexchangeClient
) -> None:
    sim, _ = simulator
    started = time.monotonic()
    with pytest.raises(errors.OutcomeUnknown, match="timeout"):
        await client.init_transaction(collect("S-1", SLOW))
    assert time.monotonic() - started < 1.5  # the client's 1 s, not the server's 1.5 s
    assert sim.state.init_calls == 1  # never retried on its own
    with pytest.raises(errors.ExternalIdAlreadyUsed):
        await client.init_transaction(collect("S-1", SLOW))
    [tid] = sim.state.by_external_id.values()
    assert await final_status(client, tid) == "SUCCESS"  # recorded, and it went through
    assert sim.state.credits == 1


async def test_rate_limited() -> None:
    sim = Simulator(SimulatorConfig(api_key=KEY, rate_per_minute=1))
    async with LoopbackServer(sim.app) as server:
        dex = DexchangeClient(server.url, KEY)
        await dex.init_transaction(collect("L-1"))
        with pytest.raises(errors.RateLimited):
            await dex.init_transaction(collect("L-2"))
        assert sim.state.init_calls == 2 and len(sim.state.transactions) == 1
        await dex.aclose()


async def _no_sleep(seconds: float) -> None:
    return None


async def test_5xx_is_unknown_and_not_retried() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(502, json={"message": "bad gateway"})

    dex = DexchangeClient(
        "http://dexchange.test", KEY, transport=httpx.MockTransport(handler), sleep=_no_sleep
    )
    with pytest.raises(errors.OutcomeUnknown) as caught:
        await dex.init_transaction(collect("X-1"))
    assert caught.value.status_code == 502
    assert calls == ["/api/v1/transaction/init"]
    await dex.aclose()


async def test_dropped_connection_and_refused_connection_are_unknown() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the request has arrived: it may have been recorded
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        dex = DexchangeClient(f"http://127.0.0.1:{port}", KEY, timeout=2.0, sleep=_no_sleep)
        with pytest.raises(errors.OutcomeUnknown, match="connection"):
            await dex.init_transaction(collect("X-2"))
        await dex.aclose()
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()
    dead = DexchangeClient("http://127.0.0.1:9", KEY, timeout=0.5, sleep=_no_sleep)
    with pytest.raises(errors.OutcomeUnknown, match="connection"):
        await dead.init_transaction(collect("X-3"))
    await dead.aclose()


# -- tolerance of the answer's shape (DEXCHANGE publishes only {message, transaction}) ------


@pytest.mark.parametrize(
    "key",
    ["paymentUrl", "PaymentUrl", "payment_url", "CASHOUT_URL", "wave_launch_url", "link"],
)
def test_the_link_is_read_under_any_plausible_name(key: str) -> None:
    inner = InitResponse.model_validate(
        {"message": "ok", "transaction": {"transactionId": "T1", key: "https://pay.wave.com/c/x"}}
    )
    assert inner.link == "https://pay.wave.com/c/x"
    outer = InitResponse.model_validate(
        {"transaction": {"transactionId": "T1"}, key: "https://pay.wave.com/c/y"}
    )
    assert outer.link == "https://pay.wave.com/c/y"


def test_the_answer_is_read_loosely_and_nothing_is_required() -> None:
    answer = InitResponse.model_validate(
        {
            "Message": "Transaction initiée",
            "transaction": {
                "TransactionID": "T2",
                "external_transaction_id": "E2",
                "AMOUNT": "10 000",
                "transactionFee": 100,
                "status": "pending",
                "PaymentUrl": "javascript:alert(1)",  # not a link we would show
                "url": "not a url",
            },
        }
    )
    txn = answer.transaction
    assert (txn.transaction_id, txn.external_transaction_id) == ("T2", "E2")
    assert (txn.amount, txn.fee, txn.status) == (10_000, 100, "PENDING")
    assert answer.link is None and answer.message == "Transaction initiée"
    flat = InitResponse.model_validate({"id": "T3", "Status": "PENDING", "fee": 5})
    assert (flat.transaction.transaction_id, flat.transaction.fee) == ("T3", 5)
    empty = InitResponse.model_validate({})
    assert empty.transaction.transaction_id is None and empty.link is None


@pytest.mark.parametrize("status", ["PENDING", "SUCCESS", "FAILED", "CANCELLED", "expired"])
def test_status_of_a_collection_is_read(status: str) -> None:
    details = TransactionStatusResponse.model_validate(
        {
            "message": "Transaction found",
            "transaction": {
                "Type": "cashout",
                "Number": 771234567,
                "Amount": "500",
                "Status": status,
            },
        }
    ).transaction
    assert (details.type, details.status, details.number) == (
        "CASHOUT",
        status.upper(),
        "771234567",
    )
    assert details.amount == 500
