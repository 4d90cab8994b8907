"""An httpx transport that moves the bytes with aiohttp.

The DEXCHANGE client is an httpx client (models, timeouts, errors, injectable transports);
only the wire underneath changes. httpx's own transport (httpcore over anyio) spent 2.3 to
4.2 ms of CPU per pay call on our 2-core machines; through aiohttp the same call costs about
1.1 ms (docs/performance.md). Errors are raised as httpx's own, so the client's mapping
(timeout, connection error: outcome unknown) holds whatever the transport.
"""

import aiohttp
import httpx

# Headers aiohttp computes itself for the body it sends.
_OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# Headers that describe a body aiohttp has already decoded.
_DECODED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, connection_limit: int = 20) -> None:
        self._limit = connection_limit
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open_session()
        limits = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=limits.get("pool"),
            sock_connect=limits.get("connect"),
            sock_read=limits.get("read"),
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _OWN_HEADERS}
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                kept = [
                    (name, value)
                    for name, value in answer.headers.items()
                    if name.lower() not in _DECODED_HEADERS
                ]
                return httpx.Response(answer.status, headers=kept, content=content)
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise httpx.ReadTimeout(f"aiohttp: {type(error).__name__}", request=request) from error
        except aiohttp.ClientConnectorError as error:
            raise httpx.ConnectError(f"aiohttp: {error}", request=request) from error
        except aiohttp.ClientError as error:
            raise httpx.ReadError(f"aiohttp: {type(error).__name__}", request=request) from error

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
