"""DEXCHANGE callbacks through our real HTTP server (money rule 5) and the code's delivery."""

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from bot.services import callback_urls
from bot.simulator import SimulatorConfig
from fakes.telegram import FakeUser
from storage.models import OutboxKind, OutboxStatus, Payment, PaymentStatus
from tests.e2e.harness import SECRET, SIM_KEY, DrivenClock, Stack, buy_woyofal, running_stack

S = PaymentStatus


def grouped(token: str) -> str:
    return " ".join(token[i : i + 4] for i in range(0, len(token), 4))


async def post(stack: Stack, external_id: str, body: object, signature: str | None = None) -> int:
    url = callback_urls.callback_url(stack.runtime.http.url, SECRET, external_id)  # type: ignore[union-attr]
    if signature is not None:
        url = url.rsplit("/", 1)[0] + "/" + signature
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=content)
    return answer.status_code


async def post_cut_short(stack: Stack, external_id: str, body: bytes) -> None:
    """A signed POST whose connection drops before the body is whole: `body` is sent, but
    the request announced ten bytes more."""
    http = stack.runtime.http
    assert http is not None
    _, writer = await asyncio.open_connection(http.host, http.port)
    path = callback_urls.callback_url("", SECRET, external_id)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body) + 10}\r\n\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def post_chunked(stack: Stack, external_id: str, size: int) -> int:
    """A signed POST of `size` bytes sent in chunks, with no Content-Length to refuse early."""
    url = callback_urls.callback_url(stack.runtime.http.url, SECRET, external_id)  # type: ignore[union-attr]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(size // 4096):
            yield b"x" * 4096

    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=chunks())
    return answer.status_code


def bot_messages(stack: Stack, user) -> list[str]:
    return [m.text or "" for m in stack.tg.messages(user)]


async def test_code_by_callback_two_seconds_later_reaches_the_chat(tmp_path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=2.0)
    async with running_stack(tmp_path, simulator_config=config) as stack:
        tg = stack.tg
        awa = await stack.customer(3001, "Awa")
        await buy_woyofal(tg, awa, "123456789", "2000")
        await tg.wait_for_message(awa, "Votre code arrive ici")
        payment = await stack.wait_for_payment(awa, lambda p: p.status is S.PROCESSING)
        code_message = await tg.wait_for_message(awa, "Recharge Woyofal réussie", timeout=10)
        [transaction] = stack.sim.state.transactions.values()
        assert transaction.token and grouped(transaction.token) in (code_message.text or "")
        assert "2 020 FCFA" in (code_message.text or "")
        paid = await stack.wait_for_payment(awa, lambda p: p.id == payment.id)
        assert paid.status is S.SUCCESS and paid.codes == [transaction.token]


async def test_failed_callback_says_refunded_and_shows_no_code(tmp_path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        moussa = await stack.customer(3002, "Moussa")
        await buy_woyofal(tg, moussa, "999999999", "3000")
        failed = await tg.wait_for_message(moussa, "n'a pas abouti", timeout=10)
        assert "remboursé" in (failed.text or "")
        assert not any("code à taper" in text for text in bot_messages(stack, moussa))
        [payment] = await stack.payments(moussa)
        assert payment.status is S.FAILED and payment.codes == []


async def test_duplicate_and_late_callbacks_change_nothing(tmp_path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=0.2, duplicate_callbacks=3)
    async with running_stack(tmp_path, simulator_config=config) as stack:
        tg = stack.tg
        fatou = await stack.customer(3003, "Fatou")
        await buy_woyofal(tg, fatou, "123456789", "1000")
        await stack.sim.wait_for_pay_calls(1)
        await stack.wait_for_payment(fatou, lambda p: p.status is S.SUCCESS)
        await stack.sim.wait_callbacks_idle(timeout=10)
        [transaction] = stack.sim.state.transactions.values()
        assert transaction.token
        await tg.wait_for_message(fatou, grouped(transaction.token))
        [payment] = await stack.payments(fatou)
        before = bot_messages(stack, fatou)
        # FAILED after SUCCESS, correctly signed and matching: answered 2xx, ignored.
        late = {
            "id": payment.provider_tx_id,
            "externalTransactionId": payment.external_id,
            "AMOUNT": payment.amount,
            "STATUS": "FAILED",
        }
        assert await post(stack, payment.external_id, late) == 200
        await asyncio.sleep(0.5)
        [after] = await stack.payments(fatou)
        assert after.status is S.SUCCESS and after.codes == payment.codes
        assert bot_messages(stack, fatou) == before
        codes_sent = sum(grouped(transaction.token) in text for text in before)
        assert codes_sent == 1  # three identical callbacks, one message
        # Every valid callback is stored raw, with what it did.
        stored = await stack.runtime.storage.read.callbacks.for_payment(payment.id)
        outcomes = [outcome for outcome, _ in stored]
        assert outcomes.count("applied") == 1
        assert outcomes.count("ignored") == 3  # the two copies, and the late FAILED
        assert json.loads(stored[-1][1])["STATUS"] == "FAILED"


async def test_forged_and_broken_callbacks_are_refused_without_effect(tmp_path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600)  # stays PROCESSING
    async with running_stack(tmp_path, simulator_config=config) as stack:
        tg = stack.tg
        ibou = await stack.customer(3004, "Ibou")
        await buy_woyofal(tg, ibou, "123456789", "5000")
        payment = await stack.wait_for_payment(ibou, lambda p: p.status is S.PROCESSING)
        await tg.wait_for_message(ibou, "Votre code arrive ici")
        before = bot_messages(stack, ibou)
        good = {
            "id": payment.provider_tx_id,
            "externalTransactionId": payment.external_id,
            "AMOUNT": payment.amount,
            "STATUS": "SUCCESS",
            "TOKEN": "9" * 20,
        }
        ext = payment.external_id
        assert await post(stack, ext, good, signature="0" * 40) == 403  # wrong signature
        assert await post(stack, ext, good, signature="") in (403, 404, 405)  # missing
        assert await post(stack, "SP000000UNKNOWN", {**good, "externalTransactionId": "x"}) == 404
        assert await post(stack, ext, {**good, "AMOUNT": payment.amount + 1}) == 409  # tampered
        assert await post(stack, ext, {**good, "id": "TID999999999"}) == 409  # other tx
        assert await post(stack, ext, {**good, "externalTransactionId": "SPX"}) == 409
        assert await post(stack, ext, {**good, "PHONE_NUMBER": "987654321"}) == 409  # other meter
        assert await post(stack, ext, b"{not json") == 400
        assert await post(stack, ext, b"[1, 2]") == 400
        # A callback must carry its amount, and DEXCHANGE's id once we know it (4xx).
        assert await post(stack, ext, {"STATUS": "SUCCESS"}) == 400  # identifies nothing
        no_amount = {key: value for key, value in good.items() if key != "AMOUNT"}
        assert await post(stack, ext, no_amount) == 400
        no_id = {key: value for key, value in good.items() if key != "id"}
        assert await post(stack, ext, no_id) == 400
        failed_bare = {"externalTransactionId": ext, "STATUS": "FAILED"}
        assert await post(stack, ext, failed_bare) == 400  # would have released the money
        url = callback_urls.callback_url(stack.runtime.http.url, SECRET, ext)  # type: ignore[union-attr]
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 405  # a callback URL takes POSTs only
            assert (await client.post(url + "/more", json=good)).status_code == 404
            assert (await client.post(url + "/", json=good)).status_code in (307, 404)
        assert await post(stack, ext, b"x" * 200_000) == 413
        assert await post_chunked(stack, ext, 200_000) == 413
        await post_cut_short(stack, ext, json.dumps(good).encode())  # good, but not whole
        await asyncio.sleep(0.5)
        [after] = await stack.payments(ibou)
        assert after.status is S.PROCESSING and after.codes == []
        # Signed ones that do not match are kept, marked; forged ones are not stored at all.
        stored = await stack.runtime.storage.read.callbacks.for_payment(after.id)
        outcomes = [outcome.split(":")[0] for outcome, _ in stored]
        assert outcomes == ["mismatch"] * 4 + ["incomplete"] * 4
        assert bot_messages(stack, ibou) == before
        # A signed callback that does not match is shown to an admin (money rule 8).
        assert after.needs_attention
        reasons = await stack.runtime.storage.read.payments.attention_reasons(after.id)
        assert any("amount" in reason for reason in reasons)
        # The genuine article still works afterwards.
        assert await post(stack, ext, good) == 200
        await tg.wait_for_message(ibou, grouped("9" * 20))


async def test_health_and_metrics(tmp_path) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        ndeye = await stack.customer(3005, "Ndeye")
        await buy_woyofal(tg, ndeye, "07061270877", "1000")
        await tg.wait_for_message(ndeye, "1283 9300 9320 9223")
        base = stack.runtime.http.url  # type: ignore[union-attr]
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{base}/healthz")
            assert health.status_code == 200 and health.json()["status"] == "ok"
            await stack.sim.wait_callbacks_idle()  # the callback of the sync success, answered
            # The code reached the chat; it is marked sent a moment later: wait for that.
            for _ in range(200):  # 10 s at most
                metrics = (await client.get(f"{base}/metrics")).text
                if "bot_delivery_latency_seconds_count 1.0" in metrics:
                    break
                await asyncio.sleep(0.05)
        assert 'bot_payments{service="WOYOFAL_SN_BILL",status="success"} 1.0' in metrics
        assert "bot_outbox_pending 0.0" in metrics
        assert "bot_delivery_latency_seconds_count 1.0" in metrics
        assert 'bot_callbacks_total{outcome="ignored"} 1.0' in metrics  # the duplicate success
        assert "bot_provider_errors_total" in metrics
        await stack.runtime.notifiers["telegram"].stop()  # a dead worker: the bot unhealthy
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{base}/healthz")).status_code == 503


# The "on its way" notice, against a code held back as long as the test likes: DEXCHANGE's
# callback is the test's own (the simulator's would come in an hour), and the notice's time
# passes on the bot's clock, which the test moves. Nothing hangs on how busy the machine is.
NOTICE = "Votre code arrive ici"
CODE = "9" * 20


async def processing_woyofal(stack: Stack, user: FakeUser) -> Payment:
    await buy_woyofal(stack.tg, user, "123456789", "1000")
    return await stack.wait_for_payment(user, lambda p: p.status is S.PROCESSING)


async def code_by_callback(stack: Stack, user: FakeUser, payment: Payment) -> None:
    body = {
        "id": payment.provider_tx_id,
        "externalTransactionId": payment.external_id,
        "AMOUNT": payment.amount,
        "STATUS": "SUCCESS",
        "TOKEN": CODE,
    }
    assert await post(stack, payment.external_id, body) == 200
    await stack.tg.wait_for_message(user, "Recharge Woyofal réussie")


async def outbox_of(stack: Stack, payment: Payment) -> dict[OutboxKind, OutboxStatus]:
    messages = await stack.runtime.storage.read.outbox.for_payment(payment.id)
    return {message.kind: message.status for message in messages}


async def test_the_on_its_way_message_is_dropped_when_the_code_comes_first(tmp_path) -> None:
    held = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600)
    clock = DrivenClock()
    async with running_stack(
        tmp_path, simulator_config=held, clock=clock, PROCESSING_NOTICE_SECONDS=60
    ) as stack:
        quick = await stack.customer(3101, "Quick")
        payment = await processing_woyofal(stack, quick)
        assert (await outbox_of(stack, payment))[OutboxKind.PROCESSING] is OutboxStatus.PENDING
        await code_by_callback(stack, quick, payment)  # within the notice's minute
        assert (await outbox_of(stack, payment))[OutboxKind.PROCESSING] is OutboxStatus.SUPERSEDED
        # Past the notice's time: it was dropped, not delayed. A note queued after it goes
        # out, so the notifier has passed over the notice's turn.
        clock.advance(minutes=5)
        async with stack.runtime.storage.transaction() as tx:
            await tx.outbox.add(payment.user_id, OutboxKind.NOTICE, {"text": "note after"})
            tx.after_commit(stack.runtime.wake_notifiers)
        await stack.tg.wait_for_message(quick, "note after")
        assert not any(NOTICE in text for text in bot_messages(stack, quick))


async def test_the_on_its_way_message_comes_when_the_code_is_slow(tmp_path) -> None:
    held = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600)
    clock = DrivenClock()
    async with running_stack(
        tmp_path, simulator_config=held, clock=clock, PROCESSING_NOTICE_SECONDS=60
    ) as stack:
        patient = await stack.customer(3102, "Patient")
        payment = await processing_woyofal(stack, patient)
        clock.advance(seconds=61)  # the code still not here a minute later
        stack.runtime.wake_notifiers()
        await stack.tg.wait_for_message(patient, NOTICE)
        await code_by_callback(stack, patient, payment)
        texts = bot_messages(stack, patient)
        notice = next(i for i, text in enumerate(texts) if NOTICE in text)
        code = next(i for i, text in enumerate(texts) if "Recharge Woyofal réussie" in text)
        assert notice < code
        assert grouped(CODE) in texts[code]
