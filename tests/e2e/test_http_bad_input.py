"""Bad input at our HTTP server: a clear 4xx and one warning line, never a 500 or a
traceback; slow bodies are cut off, and a cap on connections keeps the server answering.

Everything goes over loopback to the bot's real server (`running_stack`)."""

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx

from bot.runtime import webhook_secret
from bot.services import callback_urls
from bot.simulator import SimulatorConfig
from fakes.process import free_port
from storage.models import Payment, PaymentStatus
from tests.e2e.harness import SECRET, SIM_KEY, Stack, buy_woyofal, running_stack
from tests.e2e.test_webhook import SECRET_HEADER, start_update

S = PaymentStatus


class Records(logging.Handler):
    """Every log record, uvicorn's too (its loggers do not reach the root logger)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record not in self.records:  # seen once, whichever logger it reached
            self.records.append(record)

    def lines(self, level: int = logging.WARNING) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= level]


@contextlib.contextmanager
def recording() -> Iterator[Records]:
    handler = Records()
    loggers = [
        logging.getLogger(),
        logging.getLogger("uvicorn"),
        logging.getLogger("uvicorn.error"),
    ]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def warned_once(records: Records, *hidden: str) -> bool:
    try:
        one_warning(records, *hidden)
    except AssertionError:
        return False
    return True


def one_warning(records: Records, *hidden: str) -> None:
    """Exactly one line at WARNING, no traceback, nothing of what must stay hidden."""
    lines = records.lines()
    assert len(lines) == 1, [f"{r.name}: {r.getMessage()}" for r in lines]
    [line] = lines
    assert line.levelno == logging.WARNING and line.exc_info is None and line.exc_text is None
    for text in hidden:
        assert text not in line.getMessage()


async def post(url: str, content: bytes, headers: dict[str, str | bytes] | None = None) -> int:
    raw = {
        k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in (headers or {}).items()
    }
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=content, headers=raw)
    return answer.status_code


async def processing_payment(stack: Stack, user_id: int) -> Payment:
    user = await stack.customer(user_id, "Ibou")
    await buy_woyofal(stack.tg, user, "123456789", "5000")
    payment = await stack.wait_for_payment(user, lambda p: p.status is S.PROCESSING)
    await stack.tg.wait_for_message(user, "Votre code arrive ici")
    return payment


def good_callback(payment: Payment) -> dict[str, object]:
    return {
        "id": payment.provider_tx_id,
        "externalTransactionId": payment.external_id,
        "AMOUNT": payment.amount,
        "STATUS": "SUCCESS",
        "TOKEN": "9" * 20,
    }


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def test_bad_callbacks_get_a_4xx_a_warning_and_change_nothing(tmp_path: Path) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600)  # stays PROCESSING
    async with running_stack(tmp_path, simulator_config=config) as stack:
        payment = await processing_payment(stack, 3201)
        ext = payment.external_id
        base = stack.runtime.http.url  # type: ignore[union-attr]
        url = callback_urls.callback_url(base, SECRET, ext)
        unsigned = url.rsplit("/", 1)[0]
        good = good_callback(payment)
        body = json.dumps(good).encode()
        cases: list[tuple[str, str, bytes, int]] = [
            # Signatures that are not ASCII: refused like any wrong one.
            ("signature é", unsigned + "/" + "é" * 40, body, 403),
            ("signature %FF", unsigned + "/%FF%FE" + "0" * 38, body, 403),
            ("signature ٣", unsigned + "/" + "٣" * 40, body, 403),
        ]
        amounts: list[bytes] = [
            b'"1e400"',
            b"1e400",
            b"-1e400",
            b'"inf"',
            b'"-inf"',
            b'"Infinity"',
            b'"nan"',
            b"NaN",
            b"Infinity",
            b"10000000000000",
            b'"10000000000000"',
            b"1e13",
            b"true",
            b"[5000]",
            b'"5000.5"',
            b'"cinq"',
        ]
        for amount in amounts:
            text = body.replace(b'"AMOUNT": %d' % payment.amount, b'"AMOUNT": ' + amount)
            assert text != body
            cases.append((f"AMOUNT {amount.decode()}", url, text, 400))
        # Nesting deeper than any parser recursion, within the 64 KiB limit.
        cases.append(("[ x 60 000", url, b"[" * 60_000, 400))
        cases.append(("[] x 30 000", url, nested(30_000), 400))
        deep = b'{"STATUS": "SUCCESS", "x": ' + nested(30_000) + b"}"
        cases.append(("field [] x 30 000", url, deep, 400))
        for depth in (600, 900):  # deep, yet within what the JSON parser takes
            token = b'"TOKEN": ' + b"[" * depth + b'"' + b"9" * 20 + b'"' + b"]" * depth
            text = body.replace(b'"TOKEN": "' + b"9" * 20 + b'"', token)
            cases.append((f"TOKEN [] x {depth}", url, text, 400))
        wrong = []
        for label, target, content, status in cases:
            with recording() as records:
                got = await post(target, content)
                await asyncio.sleep(0.05)  # a line logged after the answer is seen too
            if got != status or not warned_once(records, SECRET, "9" * 20):
                wrong.append((label, got, [r.getMessage()[:60] for r in records.lines()]))
        assert wrong == [], "\n".join(map(repr, wrong))

        await asyncio.sleep(0.3)
        [after] = await stack.payments(stack.tg.user(3201))
        assert after.status is S.PROCESSING and after.codes == []
        assert await stack.runtime.storage.read.callbacks.for_payment(payment.id) == []
        # The genuine callback still works afterwards, and amounts DEXCHANGE writes
        # as decimals or strings are still read.
        looser = {**good, "AMOUNT": f"{payment.amount}.0"}
        assert await post(url, json.dumps(looser).encode()) == 200
        await stack.wait_for_payment(stack.tg.user(3201), lambda p: p.status is S.SUCCESS)


async def test_bad_webhook_calls_get_a_4xx_and_a_warning(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with running_stack(tmp_path, HTTP_PORT=port, TELEGRAM_WEBHOOK_URL=url) as stack:
        secret = webhook_secret(stack.settings)
        update = json.dumps(start_update(9_100_001, 4343)).encode()
        good: dict[str, str | bytes] = {SECRET_HEADER: secret}
        entities = b'"entities": [' + nested(600) + b", "
        cases: list[tuple[str, dict[str, str | bytes], bytes, int]] = [
            ("secret é", {SECRET_HEADER: "é".encode() * 40}, update, 403),
            ("secret \\xff", {SECRET_HEADER: secret[:-1].encode() + b"\xff"}, update, 403),
            ("secret latin-1", {SECRET_HEADER: "secret-é".encode("latin-1")}, update, 403),
            ("[ x 200 000", good, b"[" * 200_000, 400),
            ("[] x 100 000", good, nested(100_000), 400),
            (
                "message [] x 100 000",
                good,
                b'{"update_id": 1, "message": ' + nested(100_000) + b"}",
                400,
            ),
            ("not json", good, b"{not json", 400),
            ("not an object", good, b"[1, 2]", 400),
            # JSON objects that are no update: answered 200 (Telegram would resend them
            # for ever otherwise), dropped with a warning.
            ("message 5", good, b'{"update_id": 2, "message": 5}', 200),
            ("entities [] x 600", good, update.replace(b'"entities": [', entities), 200),
        ]
        wrong = []
        for label, headers, content, status in cases:
            with recording() as records:
                got = await post(url, content, headers)
                await asyncio.sleep(0.05)
            if got != status or not warned_once(records, secret):
                wrong.append((label, got, [r.getMessage()[:60] for r in records.lines()]))
        assert wrong == [], "\n".join(map(repr, wrong))
        await asyncio.sleep(0.2)
        assert not any(call.params.get("chat_id") in (4343, "4343") for call in stack.tg.calls)


async def slow_post(
    stack: Stack, path: str, head: bytes = b"", sent: bytes = b"{"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A POST that announces 100 bytes of body and sends only `sent`, then nothing."""
    http = stack.runtime.http
    assert http is not None
    reader, writer = await asyncio.open_connection(http.host, http.port)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n"
    ).encode()
    writer.write(request + head + b"\r\n" + sent)
    await writer.drain()
    return reader, writer


async def answer_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    """The status of the answer; reading to the end proves the server closed the connection."""
    try:
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    return int(data.split(b" ", 2)[1])


async def test_a_body_that_never_comes_gets_408_and_the_connection_closed(
    tmp_path: Path,
) -> None:
    config = SimulatorConfig(api_key=SIM_KEY, callback_delay=3600)
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/telegram/webhook"
    async with running_stack(
        tmp_path,
        simulator_config=config,
        HTTP_PORT=port,
        TELEGRAM_WEBHOOK_URL=webhook,
        HTTP_BODY_TIMEOUT_SECONDS=0.5,
    ) as stack:
        payment = await processing_payment(stack, 3202)
        path = callback_urls.callback_url("", SECRET, payment.external_id)
        body = json.dumps(good_callback(payment)).encode()
        secret = webhook_secret(stack.settings)
        update = json.dumps(start_update(9_100_002, 4344)).encode()
        loop = asyncio.get_running_loop()
        for target, head, sent in [
            (path, b"", b""),  # headers, then nothing
            (path, b"", body[:40]),  # part of a genuine body, then nothing
            ("/telegram/webhook", f"{SECRET_HEADER}: {secret}\r\n".encode(), update[:30]),
        ]:
            with recording() as records:
                started = loop.time()
                status = await answer_and_close(*await slow_post(stack, target, head, sent))
                waited = loop.time() - started
                await asyncio.sleep(0.05)
            assert status == 408
            assert 0.4 < waited < 3
            one_warning(records, secret)
        await asyncio.sleep(0.3)
        [after] = await stack.payments(stack.tg.user(3202))
        assert after.status is S.PROCESSING and after.codes == []
        assert await stack.runtime.storage.read.callbacks.for_payment(payment.id) == []
        assert not any(call.params.get("chat_id") in (4344, "4344") for call in stack.tg.calls)


async def test_connections_beyond_the_cap_get_503_until_slots_free(tmp_path: Path) -> None:
    async with running_stack(
        tmp_path, HTTP_MAX_CONNECTIONS=2, HTTP_BODY_TIMEOUT_SECONDS=1
    ) as stack:
        base = stack.runtime.http.url  # type: ignore[union-attr]
        path = callback_urls.callback_url("", SECRET, "SP000000SLOW")

        async def health() -> int:
            async with httpx.AsyncClient() as client:  # a connection of its own each time
                return (await client.get(f"{base}/healthz")).status_code

        assert await health() == 200
        await asyncio.sleep(0.2)  # that connection's end is seen by the server
        slow = [await slow_post(stack, path) for _ in range(2)]  # both slots held
        await asyncio.sleep(0.2)
        with recording() as records:
            assert await health() == 503
        one_warning(records)
        assert [await answer_and_close(*pair) for pair in slow] == [408, 408]
        for _ in range(40):  # until the server has seen those connections end
            if (status := await health()) == 200:
                break
            await asyncio.sleep(0.05)
        assert status == 200
