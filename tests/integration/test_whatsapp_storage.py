"""WhatsApp's storage on a real SQLite file: users known by a BSUID, a number or both; the
durable inbox; what WhatsApp reports on each send."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Storage
from storage.deliveries import MessageState
from storage.models import LedgerKind, OutboxKind
from tests.databases import database_for

WA = "whatsapp"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(database_for(tmp_path / "wa.sqlite3"))
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_a_user_is_one_row_whatever_meta_names_them_by(storage: Storage) -> None:
    async with storage.transaction() as tx:
        by_number = await tx.users.upsert_identity(WA, None, "221771234567", "Awa", T0)
        assert (by_number.external_id, by_number.chat_id) == ("221771234567", "221771234567")
        await tx.ledger.add(by_number.id, LedgerKind.CREDIT, 10_000, actor="test")
        # Later Meta sends her BSUID too: the same user, now known by both.
        both = await tx.users.upsert_identity(WA, "SN.1001", "221771234567", "Awa D", T0)
        assert both.id == by_number.id and both.channel_user_id == "SN.1001"
        assert both.display_name == "Awa D"
        # She adopts a username: no number any more, the BSUID alone finds her.
        only_id = await tx.users.upsert_identity(WA, "SN.1001", None, None, T0)
        assert only_id.id == by_number.id and only_id.phone == "221771234567"
        # A stranger with a BSUID and no number at all is written to by that id.
        stranger = await tx.users.upsert_identity(WA, "SN.2002", None, "Modou", T0)
        assert stranger.id != by_number.id and stranger.chat_id == "SN.2002"
        with pytest.raises(ValueError):
            await tx.users.upsert_identity(WA, None, None, "Nobody", T0)


async def test_a_new_number_keeps_the_user_and_the_wallet(storage: Storage) -> None:
    async with storage.transaction() as tx:
        awa = await tx.users.upsert_identity(WA, None, "221771234567", "Awa", T0)
        await tx.ledger.add(awa.id, LedgerKind.CREDIT, 10_000, actor="test")
        moved = await tx.users.change_identity(WA, None, "221771234567", None, "221779999999")
        assert moved is not None and moved.id == awa.id
        assert (moved.phone, moved.chat_id) == ("221779999999", "221779999999")
        again = await tx.users.upsert_identity(WA, None, "221779999999", "Awa", T0)
        assert again.id == awa.id
        assert await tx.ledger.balance(again.id) == 10_000
        new_id = await tx.users.change_identity(WA, None, "221779999999", "SN.3003", None)
        assert new_id is not None and new_id.channel_user_id == "SN.3003"
        assert await tx.users.change_identity(WA, "SN.none", None, "SN.x", None) is None


async def test_the_window_opens_with_the_latest_message_only(storage: Storage) -> None:
    async with storage.transaction() as tx:
        awa = await tx.users.upsert_identity(WA, None, "221771234567", "Awa", T0)
        later = await tx.users.upsert_identity(WA, None, "221771234567", None, T0 + timedelta(1))
        # An older message delivered late (Meta retries) does not close the window early.
        late = await tx.users.upsert_identity(WA, None, "221771234567", None, T0)
    assert awa.last_inbound_at == T0
    assert later.last_inbound_at == late.last_inbound_at == T0 + timedelta(1)


async def test_the_inbox_keeps_each_message_once_and_gives_them_in_order(
    storage: Storage,
) -> None:
    async with storage.transaction() as tx:
        awa = await tx.users.upsert_identity(WA, None, "221771", "Awa", T0)
        modou = await tx.users.upsert_identity(WA, None, "221772", "Modou", T0)
        first = await tx.inbox.store(WA, "wamid.1", awa.id, {"text": "1"})
        assert await tx.inbox.store(WA, "wamid.1", awa.id, {"text": "1"}) is None  # again
        await tx.inbox.store(WA, "wamid.2", awa.id, {"text": "2"})
        await tx.inbox.store(WA, "wamid.3", modou.id, {"text": "3"})
    heads = await storage.read.inbox.heads(WA)
    assert [(h.user_id, h.payload["text"]) for h in heads] == [(awa.id, "1"), (modou.id, "3")]
    assert [h.message_id for h in await storage.read.inbox.heads(WA, skip_users={awa.id})] == [
        "wamid.3"
    ]
    assert first is not None
    async with storage.transaction() as tx:
        await tx.inbox.mark_handled(first)
    heads = await storage.read.inbox.heads(WA)
    assert [h.payload["text"] for h in heads] == ["2", "3"]
    assert await storage.read.inbox.pending_count(WA) == 2


async def test_statuses_move_a_delivery_forward_only(storage: Storage) -> None:
    async with storage.transaction() as tx:
        awa = await tx.users.upsert_identity(WA, None, "221771", "Awa", T0)
        outbox_id = await tx.outbox.add(awa.id, OutboxKind.NOTICE, {"text": "hi"})
        assert outbox_id is not None
        await tx.deliveries.record(outbox_id, WA, "wamid.out.1", as_template=False)
        assert await tx.deliveries.report(WA, "wamid.out.1", "delivered", None) is not None
        assert await tx.deliveries.report(WA, "wamid.out.1", "sent", None) is None  # late
        assert await tx.deliveries.report(WA, "wamid.out.1", "delivered", None) is None  # twice
        assert await tx.deliveries.report(WA, "wamid.out.1", "failed", 131026) is None
        assert await tx.deliveries.report(WA, "wamid.unknown", "read", None) is None
        # Once as its template: known as sent unless WhatsApp reports it failed.
        assert not await tx.deliveries.template_sent(outbox_id)
        assert await tx.deliveries.record(outbox_id, WA, "wamid.t.1", as_template=True)
        assert await tx.deliveries.template_sent(outbox_id)
        await tx.deliveries.report(WA, "wamid.t.1", "failed", 131000)
        assert not await tx.deliveries.template_sent(outbox_id)
    [free, template] = await storage.read.deliveries.for_outbox(outbox_id)
    assert free.status == "delivered" and template.as_template and template.status == "failed"


async def test_a_body_we_cannot_read_is_kept(storage: Storage) -> None:
    async with storage.transaction() as tx:
        await tx.inbox.reject(WA, '{"entry": 5}', "no entries")
    [reject] = await storage.read.inbox.rejects()
    assert reject.body == '{"entry": 5}' and await storage.read.inbox.rejects_count() == 1


def test_a_messages_word_is_the_outboxs_until_sent_then_the_channels() -> None:
    assert MessageState("pending", "failed", 131047).word == "pending"  # going again
    assert MessageState("dead", None, None).word == "dead"
    assert MessageState("sent", None, None).word == "sent"  # Telegram says no more
    assert MessageState("sent", "accepted", None).word == "accepted"
    assert MessageState("sent", "read", None).word == "read"
