"""The conversation engine's state machine, on a real SQLite file, with a clock the test moves
and a payments port the test writes (the engine's injected dependency; nothing is patched)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.quotes import BillChoice, Quote
from handlers.engine import ConversationEngine
from handlers.flows import build_registry
from handlers.i18n import t
from handlers.steps import ConversationConfig
from handlers.types import Incoming, InputKind, Outcome
from storage import Storage
from storage.models import LedgerKind, Payment, Service
from tests.databases import database_for


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Payments:
    """Quotes like DEXCHANGE would give; `confirm` fails like a database that is down."""

    confirmations: list[Quote] = field(default_factory=list)

    async def bill_choice(self, service: Service, reference: str) -> BillChoice:
        quote = Quote(service, reference, 104_500, 1045, "8000000680", "Moussa DIOP", "2026-12-05")
        return BillChoice(reference, [quote])

    def woyofal_quote(self, reference: str, amount: int) -> Quote:
        return Quote(Service.WOYOFAL, reference, amount, amount // 100)

    async def confirm(
        self, user_id: int, quote: Quote, idempotency_key: str, client_label: str | None = None
    ) -> tuple[Payment, bool]:
        self.confirmations.append(quote)
        raise RuntimeError("database is locked")


@dataclass
class World:
    engine: ConversationEngine
    clock: Clock
    payments: Payments

    async def send(self, text: str, kind: InputKind = InputKind.TEXT) -> Outcome:
        incoming = Incoming("test", "42", "42", kind, text, display_name="Awa Diop")
        return await self.engine.handle(incoming)

    async def press(self, payload: str) -> Outcome:
        return await self.send(payload, InputKind.BUTTON)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = Clock()
    storage = Storage(database_for(tmp_path / "engine.sqlite3"), clock)
    await storage.open()
    payments = Payments()
    config = ConversationConfig(idle_timeout=timedelta(minutes=15))
    async with storage.transaction() as tx:  # the user has credit, so the flows go on
        user = await tx.users.ensure("test", "42")
        await tx.ledger.add(user.id, LedgerKind.CREDIT, 500_000, actor="test")
    try:
        yield World(
            ConversationEngine(storage, payments, config, build_registry(), clock), clock, payments
        )
    finally:
        await storage.close()


def text_of(outcome: Outcome) -> str:
    return "\n".join(reply.text for reply in outcome.replies)


def payload(outcome: Outcome, label: str) -> str:
    for reply in outcome.replies:
        for row in reply.buttons:
            for button in row:
                if button.label == label:
                    return button.payload
    raise AssertionError(f"no button {label!r} in {outcome}")


async def test_only_a_conversation_left_alone_expires(world: World) -> None:
    await world.send("/woyofal")
    await world.send("07061270877")
    # Retrying every ten minutes is not idling…
    for _ in range(3):
        world.clock.advance(minutes=10)
        assert "n'est pas un montant" in text_of(await world.send("beaucoup"))
    world.clock.advance(minutes=10)
    summary = await world.send("5000")
    assert "Confirmez-vous" in text_of(summary)
    # …sixteen minutes without a word is.
    world.clock.advance(minutes=16)
    late = await world.press(payload(summary, "✅ Confirmer et payer"))
    assert t("fr", "expired") in text_of(late)
    assert late.spend_keyboard
    assert world.payments.confirmations == []


async def test_a_command_after_expiry_starts_afresh(world: World) -> None:
    await world.send("/senelec")
    world.clock.advance(minutes=20)
    help_reply = await world.send("/help")
    assert "Comment ça marche" in text_of(help_reply)
    # The old step is gone: a reference typed now is not looked up.
    assert "Que voulez-vous faire" in text_of(await world.send("210278816"))


async def test_help_in_a_step_keeps_the_step(world: World) -> None:
    await world.send("/senelec")
    help_reply = await world.send("/help")
    assert len(help_reply.replies) == 2
    assert "référence client Senelec" in help_reply.replies[1].text
    assert "Confirmez-vous" in text_of(await world.send("210278816"))


async def test_an_internal_failure_is_not_blamed_on_the_user(world: World) -> None:
    await world.send("/woyofal")
    await world.send("07061270877")
    summary = await world.send("5 000")
    failed = await world.press(payload(summary, "✅ Confirmer et payer"))
    assert len(world.payments.confirmations) == 1
    assert t("fr", "error.internal") in text_of(failed)
    assert t("fr", "not_understood") not in text_of(failed)
    # And the user is at the menu, able to start again.
    assert "Entrez le numéro de votre compteur" in text_of(await world.press("g:pay:woyofal"))


async def test_stale_and_forged_presses_keep_the_step_on_screen(world: World) -> None:
    await world.send("/woyofal")
    amount = await world.send("07061270877")
    old_cancel = payload(amount, "✖️ Annuler")
    for forged in ["s:000000:amt:5000", "g:nope", "x", payload(amount, "5 000 FCFA") + "0:1"]:
        outcome = await world.press(forged)
        assert outcome.spend_keyboard, forged
        assert outcome.toast == t("fr", "stale_button.toast"), forged
        assert "Ce bouton n'est plus valide. Compteur 07061270877." in text_of(outcome), forged
    summary = await world.send("5000")
    assert "Confirmez-vous" in text_of(summary)
    # Cancel from the amount step's keyboard still cancels at the confirmation.
    cancelled = await world.press(old_cancel)
    assert t("fr", "cancelled") in text_of(cancelled)
    assert cancelled.spend_keyboard or cancelled.replace_pressed
    # The confirmation's own buttons are stale now, and say so.
    stale = await world.press(payload(summary, "✅ Confirmer et payer"))
    assert stale.toast == t("fr", "stale_button")
    assert world.payments.confirmations == []
