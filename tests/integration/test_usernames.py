"""A username names one user of a channel at any moment: seen on a user, it leaves whoever
held it before, in the same transaction; a lookup still finds every holder a database
written before this rule may show."""

import pytest

from storage import Storage


async def names(storage: Storage) -> dict[tuple[str, str], str | None]:
    found = {}
    for channel, external_id in [("telegram", "1"), ("telegram", "2"), ("whatsapp", "3")]:
        user = await storage.read.users.by_external_id(channel, external_id)
        assert user is not None
        found[(channel, external_id)] = user.username
    return found


async def test_a_username_seen_on_a_user_leaves_its_former_holder(storage: Storage) -> None:
    async with storage.transaction() as tx:
        await tx.users.upsert("telegram", "1", "1", "Shop_Dakar", "Modou")
        await tx.users.upsert("whatsapp", "3", "3", "shop_dakar", "Other channel")
    async with storage.transaction() as tx:
        await tx.users.upsert("telegram", "2", "2", "shop_dakar", "Fatou")
    assert await names(storage) == {
        ("telegram", "1"): None,
        ("telegram", "2"): "shop_dakar",
        ("whatsapp", "3"): "shop_dakar",  # another channel's names are its own
    }
    # Seen again with the same name, or without any, nobody else loses theirs.
    async with storage.transaction() as tx:
        await tx.users.upsert("telegram", "2", "2", "shop_dakar", "Fatou")
        await tx.users.upsert("telegram", "1", "1", None, "Modou")
    assert (await names(storage))[("telegram", "2")] == "shop_dakar"
    [fatou] = await storage.read.users.matching("telegram", "@SHOP_DAKAR")
    assert fatou.display_name == "Fatou"


async def test_the_name_moves_only_if_the_transaction_commits(storage: Storage) -> None:
    async with storage.transaction() as tx:
        await tx.users.upsert("telegram", "1", "1", "awa", "Awa")
    with pytest.raises(RuntimeError):
        async with storage.transaction() as tx:
            await tx.users.upsert("telegram", "2", "2", "AWA", "Awa N")
            raise RuntimeError("what follows in the same transaction fails")
    awa = await storage.read.users.by_external_id("telegram", "1")
    assert awa is not None and awa.username == "awa"
    assert await storage.read.users.by_external_id("telegram", "2") is None


async def test_every_holder_of_a_name_is_found(storage: Storage) -> None:
    async with storage.transaction() as tx:
        one = await tx.users.upsert("telegram", "1", "1", "awa", "Awa D")
        two = await tx.users.upsert("telegram", "2", "2", "awa_n", "Awa N")
    async with storage.database.write() as conn:  # as an older database may hold them
        await conn.execute("UPDATE users SET username = 'Awa' WHERE id = ?", (two.id,))
    found = await storage.read.users.matching("telegram", " @awa ")
    assert [user.id for user in found] == [one.id, two.id]
    assert [u.id for u in await storage.read.users.matching("telegram", "2")] == [two.id]
    assert await storage.read.users.matching("telegram", "@nobody") == []
    assert await storage.read.users.matching("telegram", "awa") == []  # neither @ nor an id
    assert await storage.read.users.matching("whatsapp", "@awa") == []
