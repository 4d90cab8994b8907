"""The WhatsApp client sorts Meta's errors by what to do (code first, HTTP status second)."""

from collections.abc import Callable

import httpx
import pytest

from bot.channels.whatsapp.client import (
    AccessDenied,
    Later,
    OutsideWindow,
    Refused,
    TemplateRefused,
    Undeliverable,
    WhatsAppClient,
    error_class,
)


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (130429, 400, Later),  # throughput
        (131056, 400, Later),  # this recipient's pace
        (131056, 429, Later),
        (131000, 500, Later),
        (131016, 503, Later),
        (None, 502, Later),
        (None, 429, Later),
        (131047, 400, OutsideWindow),
        (131026, 400, Undeliverable),
        (132001, 400, TemplateRefused),
        (132000, 400, TemplateRefused),
        (190, 401, AccessDenied),
        (None, 401, AccessDenied),
        (131031, 400, AccessDenied),
        (100, 400, Refused),
        (131009, 400, Refused),
        (None, 400, Refused),
    ],
)
def test_each_error_means_what_its_code_says(code: int | None, status: int, kind: type) -> None:
    assert error_class(code, status) is kind


def meta(handler: Callable[[httpx.Request], httpx.Response]) -> WhatsAppClient:
    return WhatsAppClient(
        "http://graph.invalid", "v23.0", "123", "token", transport=httpx.MockTransport(handler)
    )


async def test_a_send_returns_its_message_id_and_carries_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.ABC"}]},
        )

    client = meta(handler)
    assert await client.send("221771234567", {"type": "text", "text": {"body": "hi"}}) == (
        "wamid.ABC"
    )
    await client.aclose()
    [request] = seen
    assert request.url.path == "/v23.0/123/messages"
    assert request.headers["authorization"] == "Bearer token"
    assert b'"to":"221771234567"' in request.content.replace(b" ", b"")


async def test_an_error_body_is_read_for_its_code_and_details() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={
                "error": {
                    "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                    "type": "OAuthException",
                    "code": 131056,
                    "error_data": {"messaging_product": "whatsapp", "details": "too many"},
                }
            },
        )

    client = meta(handler)
    with pytest.raises(Later) as caught:
        await client.send("221771234567", {"type": "text", "text": {"body": "hi"}})
    await client.aclose()
    assert caught.value.code == 131056 and caught.value.message == "too many"


async def test_an_answer_without_a_message_id_is_tried_again_later() -> None:
    client = meta(lambda request: httpx.Response(200, json={"messages": []}))
    with pytest.raises(Later):
        await client.send("221771234567", {"type": "text", "text": {"body": "hi"}})
    await client.aclose()
