"""A consistent copy of the SQLite database while the bot runs (SQLite's online backup).

The database is in WAL mode, so the copy is made in one step, inside one read transaction
of a read-only connection: it is one committed state of the database (never half of a
transaction), and the bot's writers are not blocked meanwhile (readers never block writers
in WAL). A copy in several steps would restart whenever the bot writes, and on a busy bot
might never end. The copy goes to a temporary file beside the target, is checked
(`PRAGMA integrity_check`), and only then takes the target's name: an interrupted backup
never leaves a half-written file under that name, and an existing file is never replaced.
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupRefused(Exception):
    """The target exists, or the source is not a database we can read."""


@dataclass(frozen=True)
class BackupResult:
    target: Path
    pages: int
    size_bytes: int
    schema_version: int


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    if not source.is_file():
        raise BackupRefused(f"no database at {source}")
    if target.exists():
        raise BackupRefused(f"{target} exists already; choose a new file")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one snapshot
            # One self-contained file (the bot turns WAL back on when it opens it).
            dst.execute("PRAGMA journal_mode = DELETE")
            (check,) = dst.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupRefused(f"the copy failed its integrity check: {check}")
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
            (version,) = dst.execute(
                "SELECT coalesce(max(number), 0) FROM schema_migrations"
            ).fetchone()
        finally:
            dst.close()
    except sqlite3.DatabaseError as error:
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"cannot copy {source}: {error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    # A hard link fails if the target appeared meanwhile: never overwrite another file.
    try:
        os.link(partial, target)
    except FileExistsError:
        raise BackupRefused(f"{target} exists already; choose a new file") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, int(pages), target.stat().st_size, int(version))
