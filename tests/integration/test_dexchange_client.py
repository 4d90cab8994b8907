"""The DEXCHANGE client against the simulator, over loopback HTTP, for every outcome."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import PayRequest
from bot.simulator import Simulator, SimulatorConfig
from bot.web.server import LoopbackServer

KEY = "client-test-key"


@pytest.fixture
async def simulator() -> AsyncIterator[tuple[Simulator, str]]:
    sim = Simulator(
        SimulatorConfig(api_key=KEY, callback_delay=0.1, slow_seconds=1.5, rate_per_minute=None)
    )
    async with LoopbackServer(sim.app) as server:
        yield sim, server.url


@pytest.fixture
async def client(simulator) -> AsyncIterator[DexchangeClient]:
    _, url = simulator
    dex = DexchangeClient(url, KEY, timeout=1.0)
    yield dex
    await dex.aclose()


def woyofal(reference: str, ext: str, amount: int = 1000) -> PayRequest:
    return PayRequest(
        serviceCode="WOYOFAL_SN_BILL",
        reference_client=reference,
        amount=amount,
        externalTransactionId=ext,
    )


def bill(reference: str, ext: str, service: str = "SENELEC_SN_BILL") -> PayRequest:
    return PayRequest(serviceCode=service, reference_client=reference, externalTransactionId=ext)


async def test_inquiry_one_bill_as_documented(client: DexchangeClient) -> None:
    answer = await client.inquiry("SENELEC_SN_BILL", "210278816")
    assert answer.reference_client == "000210278816"  # zero-padded, as DEXCHANGE does
    [only] = answer.unpaid_bills
    assert (only.amount, only.fee, only.total_due) == (104_500, 1_045, 105_545)
    assert only.reference_facture == "8000000680"
    assert only.holder_name == "Moussa DIOP"


async def test_inquiry_two_bills_and_none(client: DexchangeClient) -> None:
    two = await client.inquiry("SENEAU_SN_BILL", "222222222")
    assert sorted(b.amount for b in two.unpaid_bills) == [12_300, 45_600]
    none = await client.inquiry("SENELEC_SN_BILL", "100000000")
    assert none.unpaid_bills == []


async def test_maintenance_and_unauthorized(simulator, client: DexchangeClient) -> None:
    with pytest.raises(errors.Maintenance):
        await client.inquiry("SENELEC_SN_BILL", "666666666")
    with pytest.raises(errors.Maintenance):
        await client.pay(bill("666666666", "M-1"))
    wrong = DexchangeClient(simulator[1], "wrong-key")
    with pytest.raises(errors.Unauthorized) as caught:
        await wrong.balance()
    assert caught.value.status_code == 401
    await wrong.aclose()


async def test_bill_paid_synchronously(client: DexchangeClient) -> None:
    answer = await client.pay(bill("210278816", "B-1"))
    tx = answer.model.transaction
    assert tx.status == "SUCCESS" and tx.transaction_id
    assert (tx.amount, tx.fee) == (104_500, 1_045)
    assert tx.reference_facture == "8000000680"
    assert tx.previous_balance is not None and tx.current_balance is not None
    assert tx.previous_balance - tx.current_balance == 105_545


async def test_woyofal_immediate_token_and_three_codes(client: DexchangeClient) -> None:
    doc = await client.pay(woyofal("07061270877", "W-1"))
    assert doc.model.transaction.status == "SUCCESS"
    assert doc.model.transaction.codes == ["1283930093209223"]
    three = await client.pay(woyofal("333333333", "W-2", 5000))
    codes = three.model.transaction.codes
    assert len(codes) == 3 and all(len(code) == 20 and code.isdigit() for code in codes)


async def test_woyofal_processing(client: DexchangeClient) -> None:
    answer = await client.pay(woyofal("123456789", "W-3"))
    assert answer.model.transaction.status == "PROCESSING"
    assert answer.model.transaction.codes == []
    assert answer.model.transaction.transaction_id


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("444444444", errors.InsufficientBalance),
        ("555555555", errors.BillAlreadyPaid),
        ("100000000", errors.NoUnpaidBill),
    ],
)
async def test_refusals_are_typed_and_carry_the_message(
    simulator, client: DexchangeClient, reference: str, error: type[errors.DexchangeError]
) -> None:
    sim, _ = simulator
    balance = sim.state.balance
    with pytest.raises(error) as caught:
        await client.pay(bill(reference, f"R-{reference}"))
    assert caught.value.message and caught.value.message != "no message"
    assert sim.state.balance == balance


async def test_invalid_request(client: DexchangeClient) -> None:
    with pytest.raises(errors.InvalidRequest):
        await client.pay(woyofal("123456789", "I-1", amount=10))


async def test_reused_external_id_is_409_without_debit(simulator, client) -> None:
    sim, _ = simulator
    await client.pay(bill("210278816", "DUP-1"))
    debits = sim.state.debits
    with pytest.raises(errors.ExternalIdAlreadyUsed):
        await client.pay(bill("210278816", "DUP-1"))
    assert sim.state.debits == debits


async def test_500_is_unknown_and_pay_is_not_retried(simulator, client) -> None:
    sim, _ = simulator
    with pytest.raises(errors.OutcomeUnknown) as caught:
        await client.pay(bill("888888888", "E-1"))
    assert caught.value.status_code == 500
    assert sim.state.pay_calls == 1  # the client never pays twice on its own
    assert sim.state.debits == 1  # … although DEXCHANGE did record it


async def test_slow_answer_past_the_timeout_is_unknown_yet_paid(simulator, client) -> None:
    sim, _ = simulator
    with pytest.raises(errors.OutcomeUnknown, match="timeout"):
        await client.pay(woyofal("777777777", "S-1"))
    assert sim.state.pay_calls == 1 and sim.state.debits == 1


async def test_connection_refused_is_unknown() -> None:
    dead = DexchangeClient("http://127.0.0.1:9", KEY, timeout=0.5, sleep=_no_sleep)
    with pytest.raises(errors.OutcomeUnknown, match="connection"):
        await dead.pay(woyofal("123456789", "C-1"))
    await dead.aclose()


async def _no_sleep(seconds: float) -> None:
    return None


async def test_transaction_status_and_balance(client: DexchangeClient) -> None:
    paid = await client.pay(woyofal("07061270877", "T-1"))
    assert paid.model.transaction.transaction_id is not None
    details = (await client.transaction(paid.model.transaction.transaction_id)).model.transaction
    assert details.status == "SUCCESS" and details.codes == ["1283930093209223"]
    with pytest.raises(errors.NotFound):
        await client.transaction("TID000000000")
    balance = await client.balance()
    assert balance.currency == "XOF" and balance.balance == paid.model.transaction.current_balance


async def test_safe_calls_retry_with_backoff_but_pay_does_not() -> None:
    calls: list[str] = []
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len([c for c in calls if c == request.url.path]) < 3:
            return httpx.Response(502, json={"message": "bad gateway"})
        return httpx.Response(200, json={"balance": {"balance": 10, "currency": "XOF"}})

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    dex = DexchangeClient(
        "http://dexchange.test", KEY, transport=httpx.MockTransport(handler), sleep=sleep
    )
    assert (await dex.balance()).balance == 10
    assert slept == [0.5, 1.0]
    with pytest.raises(errors.OutcomeUnknown):
        await dex.pay(woyofal("123456789", "P-1"))
    assert calls.count("/api/v1/billing/pay") == 1
    await dex.aclose()


async def test_rate_limited_by_the_provider_slows_the_client_down() -> None:
    sim = Simulator(SimulatorConfig(api_key=KEY, rate_per_minute=2))
    async with LoopbackServer(sim.app) as server:
        dex = DexchangeClient(server.url, KEY)
        await dex.balance()
        await dex.balance()
        with pytest.raises(errors.RateLimited) as caught:
            await dex.pay(woyofal("123456789", "RL-1"))
        retry_after = caught.value.retry_after
        assert retry_after is not None and retry_after > 0
        assert sim.state.pay_calls == 1
        # The next call, whoever makes it, waits out the provider's Retry-After.
        assert dex.limiter.wait_time() == pytest.approx(retry_after, abs=1.0)
        await dex.aclose()


async def test_safe_calls_retry_after_429() -> None:
    answers = [429, 429, 200]
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = answers.pop(0)
        if status == 429:
            return httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "0"})
        return httpx.Response(200, json={"balance": {"balance": 5}})

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    dex = DexchangeClient(
        "http://dexchange.test", KEY, transport=httpx.MockTransport(handler), sleep=sleep
    )
    assert (await dex.balance()).balance == 5
    assert slept == [0.5, 1.0]
    await dex.aclose()


async def arrivals_of_paced_calls(calls: int, held_up: float = 0.0) -> list[float]:
    """When each of `calls` concurrent calls reached a provider, under a limit of three per
    half second (the same mechanism as the 60 s window); the first one `held_up` on its way."""
    arrivals: list[float] = []
    first = True

    async def provider(request: httpx.Request) -> httpx.Response:
        nonlocal first
        if first:
            first = False
            await asyncio.sleep(held_up)  # on its way: not arrived yet
        arrivals.append(time.monotonic())
        return httpx.Response(200, json={"balance": {"balance": 1}})

    dex = DexchangeClient("http://dexchange.test", KEY, transport=httpx.MockTransport(provider))
    dex.limiter.period = 0.5
    dex.limiter.max_calls = 3
    try:
        await asyncio.gather(*(dex.balance() for _ in range(calls)))
    finally:
        await dex.aclose()
    return sorted(arrivals)


async def test_the_client_paces_itself_under_its_rate() -> None:
    arrivals = await arrivals_of_paced_calls(7)
    assert len(arrivals) == 7
    for i in range(len(arrivals) - 3):
        assert arrivals[i + 3] - arrivals[i] >= 0.5 - 0.01, arrivals


async def test_a_call_held_up_on_its_way_counts_from_its_arrival() -> None:
    """The first call reaches the provider 0.3 s late (a stalled loop, a slow network): calls
    counted from their departure alone would put four arrivals in one window."""
    arrivals = await arrivals_of_paced_calls(6, held_up=0.3)
    assert len(arrivals) == 6
    for i in range(len(arrivals) - 3):
        assert arrivals[i + 3] - arrivals[i] >= 0.5 - 0.01, arrivals


def test_callback_bodies_are_read_tolerantly() -> None:
    from bot.dexchange.models import CallbackBody

    body = CallbackBody.parse(
        {
            "ID": "TID1",
            "external_transaction_id": "SP1",
            "Amount": "1000",
            "fee": 10,
            "status": "success",
            "token": "1" * 20 + " " + "2" * 20,
            "extra": {"nested": True},
        }
    )
    assert body.transaction_id == "TID1" and body.external_transaction_id == "SP1"
    assert body.amount == 1000 and body.status == "SUCCESS"
    assert body.codes == ["1" * 20, "2" * 20]
    documented = json.loads(
        '{"id": "TID123456789", "externalTransactionId": "INV-001", "transactionType": "BILL",'
        ' "AMOUNT": 104500, "FEE": 1045, "PHONE_NUMBER": "210278816", "STATUS": "SUCCESS",'
        ' "COMPLETED_AT": "2024-03-20T10:35:00Z", "PREVIOUS_BALANCE": 500000,'
        ' "CURRENT_BALANCE": 394455, "TOKEN": "1283930093209223"}'
    )
    parsed = CallbackBody.parse(documented)
    assert parsed.external_transaction_id == "INV-001" and parsed.fee == 1045
    assert parsed.codes == ["1283930093209223"]
