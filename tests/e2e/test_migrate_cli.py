"""`python -m bot admin migrate-to-postgres` as an operator runs it: real processes, a SQLite
file made by the command line itself, a real PostgreSQL server; exit codes and output."""

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fakes.process import clean_environment, free_port
from tests.databases import create_database, require_postgres

PASSWORD = "migrate-secret-password"


async def bot(workdir: Path, database_url: str, *args: str) -> tuple[int, str, str]:
    """`python -m bot …` with DATABASE_URL set: (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**clean_environment(), "DATABASE_URL": database_url},
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def with_password(url: str) -> str:
    """The same server with a password in the URL (the test server does not ask for one):
    it must never be printed."""
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{PASSWORD}@{where}"))


async def test_an_operator_moves_the_bot_from_sqlite_to_postgresql(tmp_path: Path) -> None:
    require_postgres()
    sqlite = "sqlite:///data/bot.sqlite3"  # the default, relative to the bot's folder
    (tmp_path / "data").mkdir()
    assert (
        await bot(tmp_path, sqlite, "admin", "grant", "--telegram-id", "1001", "--role", "agent")
    )[0] == 0
    credit = await bot(
        tmp_path, sqlite, "admin", "credit", "--telegram-id", "1001", "--amount", "20000"
    )
    assert credit[0] == 0, credit[2]  # a user, their ledger entry, the message telling them
    target = with_password(create_database())
    name = urlsplit(target).path

    code, out, err = await bot(tmp_path, sqlite, "admin", "migrate-to-postgres", "--to", target)

    assert code == 0, err
    assert out.startswith("ok: copied 16 tables, 3 rows into postgresql://127.0.0.1:")
    assert f"{name} in " in out and "counts and 1 wallet balance(s) checked" in out
    # DATABASE_URL now names PostgreSQL (as in .env): --from names the old file.
    code, again, err = await bot(tmp_path, target, "admin", "migrate-to-postgres", "--from", sqlite)
    assert code == 0, err
    assert "already holds this copy (16 tables, 3 rows, made at" in again
    assert again.rstrip().endswith("nothing changed")
    code, user, err = await bot(tmp_path, target, "admin", "user", "--telegram-id", "1001")
    assert code == 0, err
    assert "role: agent" in user and "balance: 20000 FCFA" in user
    assert PASSWORD not in out + again + err


async def test_an_occupied_or_unreachable_target_is_refused(tmp_path: Path) -> None:
    require_postgres()
    sqlite = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    assert (
        await bot(tmp_path, sqlite, "admin", "grant", "--telegram-id", "1001", "--role", "admin")
    )[0] == 0
    occupied = with_password(create_database())
    assert (
        await bot(tmp_path, occupied, "admin", "grant", "--telegram-id", "7", "--role", "agent")
    )[0] == 0

    code, out, err = await bot(tmp_path, occupied, "admin", "migrate-to-postgres", "--from", sqlite)

    assert (code, out) == (1, "")
    assert err.startswith("refused: the PostgreSQL database is not empty (rows in users)")
    code, user, _ = await bot(tmp_path, occupied, "admin", "user", "--telegram-id", "1001")
    assert code == 1, user  # nothing was copied into it

    nowhere = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/senpay"
    code, out, err = await bot(tmp_path, sqlite, "admin", "migrate-to-postgres", "--to", nowhere)
    assert (code, out) == (1, "") and err.startswith("refused: PostgreSQL:")
    assert PASSWORD not in err


async def test_without_both_databases_it_says_what_is_missing(tmp_path: Path) -> None:
    require_postgres()
    sqlite = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    code, out, err = await bot(tmp_path, sqlite, "admin", "migrate-to-postgres")
    assert (code, out) == (2, "") and "--to postgresql://" in err
    code, out, err = await bot(tmp_path, create_database(), "admin", "migrate-to-postgres")
    assert (code, out) == (2, "") and "--from sqlite:///" in err
    code, out, err = await bot(
        tmp_path, sqlite, "admin", "migrate-to-postgres", "--to", "mysql://db/senpay"
    )
    assert (code, out) == (2, "") and "--to postgresql://" in err
    missing = f"sqlite:///{tmp_path / 'missing.sqlite3'}"
    code, out, err = await bot(
        tmp_path, create_database(), "admin", "migrate-to-postgres", "--from", missing
    )
    assert (code, out) == (1, "") and err.startswith("refused: no SQLite database at")
