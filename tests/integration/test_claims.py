"""Claims across processes (storage/claims.py): two Storage objects on one PostgreSQL
database stand for two processes, each with its own session."""

from pathlib import Path

import pytest

from storage import Storage
from storage.claims import ClaimKind, claim_key
from tests.databases import two_processes


async def test_a_claim_held_by_one_process_is_refused_to_another_until_let_go(
    tmp_path: Path,
) -> None:
    async with two_processes(tmp_path / "claims.sqlite3") as (one, two):
        async with one.claims.hold(ClaimKind.PAYMENT, 7) as held:
            assert held
            async with two.claims.hold(ClaimKind.PAYMENT, 7) as other:
                assert not other
            async with two.claims.hold(ClaimKind.PAYMENT, 8) as other:
                assert other  # another payment is free
            async with two.claims.hold(ClaimKind.COLLECTION, 7) as other:
                assert other  # so is the collection with the same number
        async with two.claims.hold(ClaimKind.PAYMENT, 7) as other:
            assert other  # let go when the block was left


async def test_a_dead_process_lets_go_of_its_claims(tmp_path: Path) -> None:
    async with two_processes(tmp_path / "claims.sqlite3") as (one, two):
        holding = one.claims.hold(ClaimKind.PAYMENT, 9)
        assert await holding.__aenter__()
        await one.claims.close()  # the session ends, as a SIGKILL ends it
        async with two.claims.hold(ClaimKind.PAYMENT, 9) as other:
            assert other
        await holding.__aexit__(None, None, None)  # nothing left to release: no error


async def test_one_process_on_sqlite_is_always_granted(tmp_path: Path) -> None:
    store = Storage(tmp_path / "one.sqlite3")
    await store.open()
    try:
        async with store.claims.hold(ClaimKind.PAYMENT, 1) as held:
            assert held
    finally:
        await store.close()


def test_claim_keys_never_meet_across_kinds() -> None:
    assert claim_key(ClaimKind.PAYMENT, 5) != claim_key(ClaimKind.COLLECTION, 5)
    assert claim_key(ClaimKind.PURCHASE, (1 << 48) - 1) < 1 << 63
    with pytest.raises(ValueError):
        claim_key(ClaimKind.PAYMENT, 1 << 48)
