"""python-telegram-bot's HTTP transport on aiohttp.

PTB's default transport (httpx) spends about 2.6 ms of CPU per Bot API call on our 2-core
machines; aiohttp does the same call in about 0.5 ms (measured against the fake Bot API,
see docs/performance.md). A bot answers every tap with one or two calls, so this is most of
its CPU. The class follows `telegram.request.BaseRequest`: PTB builds the URL and the body
parameters and parses the answer; we only move bytes and map errors.
"""

import asyncio
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _seconds(value: object, default: float | None) -> float | None:
    if isinstance(value, DefaultValue):
        return default
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 10.0,
        connect_timeout: float | None = 10.0,
        pool_timeout: float | None = 5.0,
        media_write_timeout: float = 30.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
        """What aiohttp sends, and the headers it needs besides its own."""
        if request_data is None:
            return None, None
        if not request_data.contains_files:
            # The urlencoded form aiohttp would make of the dict, made here: its FormData
            # first builds a multipart writer (a uuid4 boundary, a regex) on every call.
            # The bot's CPU per delivered message fell by about 6 % (bench.delivery).
            return urlencode(request_data.json_parameters).encode(), _FORM
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form, None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = request_data is not None and request_data.contains_files
        default_write = self._media_write_timeout if has_files else self._write_timeout
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, default_write)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, self._pool_timeout),
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            # aiohttp has no separate write timeout: a read can only start once written.
            sock_read=None if read is None else read + (write or 0),
        )
        try:
            body, headers = self._body(request_data)
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"aiohttp: {type(error).__name__}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


# What a getUpdates that is not sent answers: no update.
_NO_UPDATES = b'{"ok":true,"result":[]}'


class PollingRequest(AiohttpRequest):
    """The getUpdates transport, which knows what Telegram has been told.

    A getUpdates call confirms every update below its `offset` as soon as Telegram reads
    it. On stop, PTB cancels the long poll in flight, then calls getUpdates once more with
    its latest offset to confirm what it fetched; Telegram slow to answer that call held a
    process for up to its read timeout (20 s). Once `stopping()` is called, that call is
    answered here when its offset is not above one Telegram already answered (it would
    confirm nothing), and bounded otherwise: unconfirmed, those updates come again after
    the restart, as after a crash.
    """

    def __init__(self, *args: Any, stop_timeout: float = 1.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acknowledged = 0  # the highest offset of a getUpdates Telegram answered
        self._stop_timeout = stop_timeout
        self._stopping = False

    def stopping(self) -> None:
        self._stopping = True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        offset = _offset(request_data)
        call = super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if not self._stopping:
            status, body = await call
        elif offset <= self.acknowledged:
            call.close()
            return 200, _NO_UPDATES
        else:
            try:
                async with asyncio.timeout(self._stop_timeout):
                    status, body = await call
            except TimeoutError as error:
                raise TimedOut("getUpdates on stop: no answer in time") from error
        if status == 200:
            self.acknowledged = max(self.acknowledged, offset)
        return status, body


def _offset(request_data: RequestData | None) -> int:
    value = request_data.parameters.get("offset") if request_data is not None else None
    return value if isinstance(value, int) else 0
