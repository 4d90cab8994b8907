"""The funding notices as the outbox renderer makes them: the approval link as a URL button
(Telegram), the menu under a result; other notices unchanged."""

from datetime import UTC, datetime
from typing import Any

from handlers.outbox import OutboxRenderer
from handlers.types import Button, Reply
from storage.models import OutboxKind, OutboxMessage, OutboxStatus, User

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
USER = User(1, "telegram", "1", "1", "awa", "Awa", "fr", None, NOW)


def rendered(payload: dict[str, Any]) -> Reply:
    message = OutboxMessage(
        1, 1, None, OutboxKind.NOTICE, payload, OutboxStatus.PENDING, 0, NOW, NOW, None
    )
    return OutboxRenderer()(message, None, USER)


def test_the_link_is_a_url_button() -> None:
    url = "https://pay.wave.com/c/cos_123"
    reply = rendered({"key": "funding.link", "amount": 5000, "link": url})
    assert reply.text == "🔗 Pour valider le rechargement de 5 000 FCFA avec Wave, ouvrez ce lien :"
    assert reply.buttons == ((Button("Valider avec Wave", "", url=url),),)


def test_no_button_for_what_is_not_a_web_link() -> None:
    reply = rendered({"key": "funding.link", "amount": 5000, "link": "javascript:alert(1)"})
    assert [b.url for row in reply.buttons for b in row] == [None]  # the menu only


def test_a_result_has_the_menu_under_it_and_other_notices_nothing() -> None:
    funded = rendered({"key": "funding.success", "amount": 5000, "balance": 5000})
    assert "Nouveau solde : 5 000 FCFA" in funded.text
    assert [[b.payload for b in row] for row in funded.buttons] == [["g:menu"]]
    assert rendered({"text": "Bonjour"}).buttons == ()
