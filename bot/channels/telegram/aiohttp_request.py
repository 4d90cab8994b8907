"""python-telegram-bot's HTTP transport on aiohttp.

PTB's default transport (httpx) spends about 2.6 ms of CPU per Bot API call on our 2-core
machines; aiohttp does the same call in about 0.5 ms (measured against the fake Bot API,
see docs/performance.md). A bot answers every tap with one or two calls, so this is most of
its CPU. The class follows `telegram.request.BaseRequest`: PTB builds the URL and the body
parameters and parses the answer; we only move bytes and map errors.
"""

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
