"""`python -m bot admin backup --to FILE` beside the running bot."""

import sqlite3

from tests.databases import require_postgres
from tests.e2e.harness import bot_command, buy_woyofal, running_stack


async def test_the_running_bots_database_is_copied_and_never_overwritten(tmp_path) -> None:
    # SQLite's own backup: on a file whatever backend the rest of the suite runs on.
    sqlite = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    async with running_stack(tmp_path, DATABASE_URL=sqlite) as stack:
        awa = await stack.customer(1001, "Awa", credit=20_000)
        await buy_woyofal(stack.tg, awa, "07061270877", "5000")
        await stack.tg.wait_for_message(awa, "1283 9300 9320 9223", timeout=10)
        target = tmp_path / "backups" / "senpay.sqlite3"
        target.parent.mkdir()
        code, out, err = await bot_command(stack, "admin", "backup", "--to", str(target), env={})
        assert code == 0, err
        assert out.startswith(f"ok: backup in {target}") and "integrity ok" in out
        copy = sqlite3.connect(target)
        try:
            rows = copy.execute("SELECT reference, amount, status FROM payments").fetchall()
            (mode,) = copy.execute("PRAGMA journal_mode").fetchone()
        finally:
            copy.close()
        assert mode == "delete"  # one self-contained file
        assert rows == [("07061270877", 5000, "success")]
        again = await bot_command(stack, "admin", "backup", "--to", str(target), env={})
        assert again[0] == 1 and "exists already" in again[2]
        assert sorted(p.name for p in target.parent.iterdir()) == ["senpay.sqlite3"]


async def test_a_postgresql_database_is_not_copied_by_this_command(tmp_path) -> None:
    require_postgres()
    async with running_stack(tmp_path) as stack:
        target = tmp_path / "senpay.sqlite3"
        code, _, err = await bot_command(stack, "admin", "backup", "--to", str(target), env={})
        assert code == 1 and "pg_dump" in err
        assert not target.exists()
