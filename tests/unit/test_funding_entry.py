"""begin_funding, the way other flows start a funding ("pay the rest"): a preset amount skips
the amount step (raised to the minimum collection when below it), and `extra` reaches the
confirmation unchanged, through the stored conversation (real SQLite, the real engine)."""

from pathlib import Path

from handlers.funding import FUND_CONFIRM, FUND_METHOD, begin_funding, funding_extra
from handlers.session import MENU, Session
from handlers.types import InputKind
from storage import Storage
from storage.models import Role
from tests.databases import database_for
from tests.flow_walk import NOW, make_user, new_world

EXTRA = {"payment_id": 42, "missing": 3500, "note": "reste à payer"}


async def test_a_preset_amount_and_extra_carried_to_the_confirmation(tmp_path: Path) -> None:
    storage = Storage(database_for(tmp_path / "funding.sqlite3"), lambda: NOW)
    await storage.open()
    try:
        world = new_world(storage)
        user = await make_user(storage, "awa", "fr", Role.CUSTOMER)
        session = Session(user, "fr", MENU, {}, "000000", None, is_new=False)
        outcome = await begin_funding(world.engine, session, amount=3500, extra=dict(EXTRA))
        assert session.state == FUND_METHOD
        assert "Rechargement de 3 500 FCFA" in outcome.replies[0].text
        await storage.single.conversations.save(user.id, session.state, session.data, session.token)
        # The next steps as the user answers them, each from the stored conversation.
        await world.handle(user, InputKind.BUTTON, f"s:{session.token}:m:wave")
        await world.handle(user, InputKind.TEXT, "77 123 45 67")
        stored = await storage.read.conversations.get(user.id)
        assert stored is not None and stored.state == FUND_CONFIRM
        at_confirm = Session(user, "fr", stored.state, stored.data, stored.token, None, False)
        assert funding_extra(at_confirm) == EXTRA
        assert stored.data["amount"] == 3500 and stored.data["number"] == "771234567"
    finally:
        await storage.close()


async def test_a_preset_amount_below_the_minimum_asks_the_minimum(tmp_path: Path) -> None:
    storage = Storage(database_for(tmp_path / "funding.sqlite3"), lambda: NOW)
    await storage.open()
    try:
        world = new_world(storage)
        user = await make_user(storage, "moussa", "fr", Role.CUSTOMER)
        session = Session(user, "fr", MENU, {}, "000000", None, is_new=False)
        await begin_funding(world.engine, session, amount=50)
        assert session.state == FUND_METHOD and session.data["amount"] == 200
        assert funding_extra(session) == {}
    finally:
        await storage.close()
