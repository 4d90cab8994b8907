"""What the reverse proxy does in front of several bot processes, for the tests that play
one: a request passed on to one process on loopback, and its answer passed back."""

import httpx
from starlette.requests import Request
from starlette.responses import Response

# Hop-by-hop or recomputed: not passed on.
DROPPED_HEADERS = ("host", "content-length", "connection")


async def pass_on(
    client: httpx.AsyncClient, port: int, request: Request, body: bytes
) -> httpx.Response | None:
    """`request` (its `body` read already) sent to the process on `port`; None when that
    process did not answer (down, or killed under us)."""
    headers = {k: v for k, v in request.headers.items() if k not in DROPPED_HEADERS}
    try:
        return await client.request(
            request.method,
            f"http://127.0.0.1:{port}{request.url.path}",
            params=request.query_params,
            content=body,
            headers=headers,
        )
    except httpx.HTTPError:
        return None


def passed_back(answer: httpx.Response) -> Response:
    """A process's answer, as the proxy gives it to the caller."""
    kept = {"content-type": answer.headers.get("content-type", "text/plain")}
    return Response(answer.content, status_code=answer.status_code, headers=kept)
