"""The PostgreSQL migrations build the same schema as the SQLite ones (issue 17).

Both backends run the same SQL text from storage/*.py, so after all migrations each must
have the same tables, columns (in order), keys, constraints, indexes and triggers. Each side
is read from its own catalogue into one comparable shape; expressions (CHECKs, partial
WHEREs, trigger WHENs) are compared after a normalisation that undoes how PostgreSQL prints
them (casts, `= ANY (ARRAY[...])`, extra parentheses) and the two dialect differences the
PostgreSQL files document (GLOB, BETWEEN). Trigger bodies are compared by what they do:
the same statements must be refused on both (GUARDS).
"""

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from storage import Storage
from storage.database import migrations
from tests.databases import SERVER_URL, create_database, require_postgres

# Made by each backend's migrator, not by the migration files.
NOT_COMPARED = {"schema_migrations"}

SQLITE_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}


@dataclass
class Schema:
    """What must match: every part keyed so that a difference names what differs."""

    # table -> [(name, type, not null, primary key, filled by the database, default)]
    columns: dict[str, list[tuple[str, str, bool, bool, bool, str | None]]] = field(
        default_factory=dict
    )
    # table -> sorted [(columns, where)] of every unique constraint or unique index
    uniques: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # table -> sorted [(columns, table, columns, on update, on delete)]
    foreign_keys: dict[str, list[tuple[str, str, str, str, str]]] = field(default_factory=dict)
    # table -> sorted normalised CHECK expressions
    checks: dict[str, list[str]] = field(default_factory=dict)
    # index name -> (table, unique, columns, where), indexes made by CREATE INDEX
    indexes: dict[str, tuple[str, bool, str, str]] = field(default_factory=dict)
    # trigger name -> (table, timing and event, when)
    triggers: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def normalise(expression: str | None) -> str:
    """An expression as both catalogues can agree on: lower case, no casts, IN lists as IN,
    no whitespace or parentheses."""
    if expression is None:
        return ""
    text = " ".join(expression.lower().split())
    text = re.sub(r"::(text|bigint|integer|numeric|double precision|boolean)(\[\])?", "", text)
    text = text.replace("!=", "<>")
    text = re.sub(r"=\s*any\s*\(\s*array\[(.*?)\]\s*\)", r" in (\1)", text)
    text = re.sub(r"<>\s*all\s*\(\s*array\[(.*?)\]\s*\)", r" not in (\1)", text)
    text = re.sub(r"~~\s*like_escape\((.*?),\s*('[^']*')\)", r" like \1 escape \2", text)
    text = text.replace("~~", " like ")
    return re.sub(r"[\s()]", "", text)


def sqlite_dialect(expression: str) -> str:
    """A SQLite expression written the way the PostgreSQL files write it."""
    text = " ".join(expression.split())
    # `NOT GLOB '*[^0-9]*'`: no character other than a digit.
    text = re.sub(r"(?i)\bnot glob '\*\[\^0-9\]\*'", "!~ '[^0-9]'", text)
    # PostgreSQL prints BETWEEN as its two comparisons.
    return re.sub(r"(?i)(\S+) between (\S+) and (\S+)", r"(\1 >= \2) and (\1 <= \3)", text)


def _mask_strings_and_comments(sql: str) -> str:
    """`sql` with comments blanked and string contents replaced, the same length: keywords and
    parentheses found in it are real ones."""
    out: list[str] = []
    i = 0
    while i < len(sql):
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = len(sql) if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif sql[i] == "'":
            end = sql.find("'", i + 1)
            while end + 1 < len(sql) and sql[end + 1] == "'":
                end = sql.find("'", end + 2)
            out.append("'" + "x" * (end - i - 1) + "'")
            i = end + 1
        else:
            out.append(sql[i])
            i += 1
    return "".join(out)


def _closing(masked: str, opening: int) -> int:
    """The index of the parenthesis closing the one at `opening`."""
    depth = 0
    for index in range(opening, len(masked)):
        if masked[index] == "(":
            depth += 1
        elif masked[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced parentheses: {masked[opening : opening + 60]!r}")


def _without_comments(sql: str) -> str:
    masked = _mask_strings_and_comments(sql)
    return "".join(c if m != " " or c == "\n" else " " for c, m in zip(sql, masked, strict=True))


def sqlite_checks(create_table: str) -> list[str]:
    """Every CHECK expression of a CREATE TABLE statement, column or table constraint (an
    ADD COLUMN is appended to that statement by SQLite)."""
    masked = _mask_strings_and_comments(create_table)
    found = []
    for match in re.finditer(r"(?i)\bcheck\s*\(", masked):
        opening = match.end() - 1
        found.append(create_table[opening + 1 : _closing(masked, opening)])
    return found


def split_index(definition: str) -> tuple[str, str]:
    """(columns, where) of a CREATE INDEX statement, either catalogue's."""
    masked = _mask_strings_and_comments(definition)
    on = re.search(r"(?i)\son\s+\S+(\s+using\s+\w+)?\s*\(", masked)
    assert on is not None, definition
    opening = on.end() - 1
    closing = _closing(masked, opening)
    rest = definition[closing + 1 :].strip()
    where = re.sub(r"(?i)^where\s+", "", rest)
    return definition[opening + 1 : closing], where


def read_sqlite(path: Path) -> Schema:
    schema = Schema()
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            if table in NOT_COMPARED:
                continue
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()[0]
            keys: dict[int, list[tuple[Any, ...]]] = {}  # seq, table, from, to, actions
            for row in conn.execute(f"PRAGMA foreign_key_list({table})"):
                keys.setdefault(row[0], []).append(row[1:7])
            fks = []
            for parts in keys.values():
                parts.sort()
                fks.append(
                    (
                        ",".join(p[2] for p in parts),
                        parts[0][1],
                        ",".join(p[3] for p in parts),
                        parts[0][4].lower(),
                        parts[0][5].lower(),
                    )
                )
            schema.foreign_keys[table] = sorted(fks)
            fk_columns = {fk[0] for fk in fks}
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            pk_columns = [row[1] for row in info if row[5]]
            columns = []
            for _, name, kind, notnull, default, pk in info:
                # INTEGER PRIMARY KEY is the rowid: filled by SQLite when the code gives
                # none. A key that is another table's id is always given (conversations).
                filled = (
                    bool(pk)
                    and len(pk_columns) == 1
                    and kind.upper() == "INTEGER"
                    and name not in fk_columns
                )
                columns.append(
                    (
                        name,
                        SQLITE_TYPES.get(kind.upper(), kind.lower()),
                        bool(notnull or pk),
                        bool(pk),
                        filled,
                        None if default is None else normalise(default),
                    )
                )
            schema.columns[table] = columns
            schema.checks[table] = sorted(normalise(sqlite_dialect(c)) for c in sqlite_checks(sql))
            uniques = []
            for _, index, unique, origin, _partial in conn.execute(f"PRAGMA index_list({table})"):
                index_sql = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
                ).fetchone()[0]
                if index_sql is None:  # made for a UNIQUE or PRIMARY KEY constraint
                    names = [row[2] for row in conn.execute(f"PRAGMA index_info({index})")]
                    columns_text, where = ",".join(names), ""
                else:
                    columns_text, where = split_index(index_sql)
                columns_text, where = normalise(columns_text), normalise(sqlite_dialect(where))
                if unique and origin != "pk":
                    uniques.append((columns_text, where))
                if origin == "c":
                    schema.indexes[index] = (table, bool(unique), columns_text, where)
            schema.uniques[table] = sorted(uniques)
        for name, table, sql in conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ):
            schema.triggers[name] = sqlite_trigger(name, table, sql)
    finally:
        conn.close()
    return schema


# Whose WHEN reads another table: PostgreSQL allows no subquery there, and its PostgreSQL
# function makes that test in its body.
WHEN_IN_BODY = {"collections_payout_debited_first": r"(?is)\s+and\s+not\s+exists\s*\(.*$"}


def sqlite_trigger(name: str, table: str, sql: str) -> tuple[str, str, str]:
    text = " ".join(_without_comments(sql).split())
    match = re.match(
        r"(?i)create trigger (\w+) (before|after|instead of) (.+?) on (\w+)(?: when (.+?))? begin",
        text,
    )
    assert match is not None, sql
    when = match.group(5) or ""
    if name in WHEN_IN_BODY:
        when = re.sub(WHEN_IN_BODY[name], "", when)
    event = normalise(f"{match.group(2)} {match.group(3)}")
    return table, event, normalise(sqlite_dialect(when))


async def read_postgres(conn: asyncpg.Connection) -> Schema:
    schema = Schema()
    tables = [
        row["table_name"]
        for row in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        if row["table_name"] not in NOT_COMPARED
    ]
    constraints = await conn.fetch(
        "SELECT conrelid::regclass::text AS tab, contype::text AS contype,"
        " pg_get_constraintdef(oid) AS def"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
    )
    for table in tables:
        keys = {
            row["column_name"]
            for row in await conn.fetch(
                "SELECT a.attname AS column_name FROM pg_constraint c"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
                " WHERE c.contype = 'p' AND c.conrelid = $1::regclass",
                table,
            )
        }
        schema.columns[table] = [
            (
                row["column_name"],
                row["data_type"],
                row["is_nullable"] == "NO",
                row["column_name"] in keys,
                row["is_identity"] == "YES",
                None if row["column_default"] is None else normalise(row["column_default"]),
            )
            for row in await conn.fetch(
                "SELECT column_name, data_type, is_nullable, column_default, is_identity"
                " FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = $1 ORDER BY ordinal_position",
                table,
            )
        ]
        mine = [row for row in constraints if row["tab"] == table]
        schema.checks[table] = sorted(
            normalise(re.sub(r"^CHECK ", "", row["def"])) for row in mine if row["contype"] == "c"
        )
        fks = []
        for row in mine:
            if row["contype"] != "f":
                continue
            match = re.match(r"FOREIGN KEY \((.+?)\) REFERENCES (\w+)\((.+?)\)(.*)$", row["def"])
            assert match is not None, row["def"]
            actions = match.group(4)
            update = re.search(r"ON UPDATE (SET NULL|SET DEFAULT|NO ACTION|\w+)", actions)
            delete = re.search(r"ON DELETE (SET NULL|SET DEFAULT|NO ACTION|\w+)", actions)
            fks.append(
                (
                    normalise(match.group(1)),
                    match.group(2),
                    normalise(match.group(3)),
                    update.group(1).lower() if update else "no action",
                    delete.group(1).lower() if delete else "no action",
                )
            )
        schema.foreign_keys[table] = sorted(fks)
        uniques = []
        for row in await conn.fetch(
            "SELECT c.relname AS name, i.indisunique AS is_unique, i.indisprimary AS is_pk,"
            " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
            " AS for_constraint, pg_get_indexdef(i.indexrelid) AS def"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = $1::regclass",
            table,
        ):
            columns_text, where = (normalise(part) for part in split_index(row["def"]))
            if row["is_unique"] and not row["is_pk"]:
                uniques.append((columns_text, where))
            if not row["for_constraint"]:
                schema.indexes[row["name"]] = (table, row["is_unique"], columns_text, where)
        schema.uniques[table] = sorted(uniques)
    for row in await conn.fetch(
        "SELECT tgname, tgrelid::regclass::text AS tab, pg_get_triggerdef(oid) AS def"
        " FROM pg_trigger WHERE NOT tgisinternal"
    ):
        match = re.match(
            r"CREATE TRIGGER (\w+) (BEFORE|AFTER|INSTEAD OF) (.+?) ON \S+ FOR EACH ROW"
            r"(?: WHEN (.+?))? EXECUTE FUNCTION",
            row["def"],
        )
        assert match is not None, row["def"]
        event = normalise(f"{match.group(2)} {match.group(3)}")
        schema.triggers[row["tgname"]] = (row["tab"], event, normalise(match.group(4)))
    return schema


async def apply_postgres_migrations(url: str) -> None:
    """Every PostgreSQL migration, applied as the bot applies them: by opening storage on
    the database (storage/postgres.py, one transaction under an advisory lock)."""
    store = Storage(url)
    await store.open()
    await store.close()


async def _drop_database(url: str) -> None:
    conn = await asyncpg.connect(SERVER_URL)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {urlsplit(url).path.lstrip('/')}")
    finally:
        await conn.close()


@pytest.fixture
async def postgres() -> AsyncIterator[asyncpg.Connection]:
    """A new database on the test server with every PostgreSQL migration applied; dropped
    afterwards (it is ours)."""
    require_postgres()
    url = create_database()
    try:
        await apply_postgres_migrations(url)
        conn = await asyncpg.connect(url)
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        await _drop_database(url)


async def migrated_sqlite(path: Path) -> Path:
    store = Storage(path)
    await store.open()
    await store.close()
    return path


def differences(sqlite: Schema, postgres: Schema) -> Iterator[str]:
    """One line per difference, naming the part, the key and both sides."""
    for part in ("columns", "uniques", "foreign_keys", "checks", "indexes", "triggers"):
        left, right = getattr(sqlite, part), getattr(postgres, part)
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                yield (
                    f"{part}[{key}]:\n  sqlite:     {left.get(key)}\n  postgresql: {right.get(key)}"
                )


async def test_postgresql_schema_is_the_sqlite_schema(
    tmp_path: Path, postgres: asyncpg.Connection
) -> None:
    sqlite = read_sqlite(await migrated_sqlite(tmp_path / "x.sqlite3"))
    pg = await read_postgres(postgres)

    assert sorted(pg.columns) == sorted(sqlite.columns)
    found = list(differences(sqlite, pg))
    assert not found, "\n".join(found)
    # The reading itself saw the schema, so an empty comparison cannot pass.
    assert len(sqlite.columns) == 17
    assert sum(len(c) for c in sqlite.checks.values()) >= 30
    assert len(sqlite.indexes) >= 30
    assert len(sqlite.triggers) == 8


async def test_every_migration_number_exists_on_both_backends() -> None:
    assert [(n, name) for n, name, _ in migrations("postgresql")] == [
        (n, name) for n, name, _ in migrations("sqlite")
    ]


async def test_a_second_sqlite_migration_run_changes_nothing(tmp_path: Path) -> None:
    path = await migrated_sqlite(tmp_path / "x.sqlite3")

    def dump() -> list[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            return (
                conn.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
                ).fetchall()
                + conn.execute("SELECT * FROM schema_migrations ORDER BY number").fetchall()
            )
        finally:
            conn.close()

    before = dump()
    await migrated_sqlite(path)
    assert dump() == before
    assert read_sqlite(path) == read_sqlite(path)


def test_normalise_agrees_on_how_postgresql_prints_expressions() -> None:
    # Pure checks of the comparison itself: the same expression as each catalogue shows it.
    assert normalise(sqlite_dialect("kind NOT IN ('reserve', 'redebit') OR amount < 0")) == (
        normalise("((kind <> ALL (ARRAY['reserve'::text, 'redebit'::text])) OR (amount < 0))")
    )
    assert normalise(sqlite_dialect("nickname IS NULL OR length(nickname) BETWEEN 1 AND 30")) == (
        normalise("((nickname IS NULL) OR ((length(nickname) >= 1) AND (length(nickname) <= 30)))")
    )
    assert normalise(sqlite_dialect("length(number) = 9 AND number NOT GLOB '*[^0-9]*'")) == (
        normalise("((length(number) = 9) AND (number !~ '[^0-9]'::text))")
    )
    assert normalise("x LIKE '%\\_CASHIN' ESCAPE '\\'") == normalise(
        "(x ~~ like_escape('%\\_CASHIN'::text, '\\'::text))"
    )
    # ... and still tells different expressions apart.
    assert normalise("amount > 0") != normalise("amount >= 0")
    assert normalise("kind IN ('a', 'b')") != normalise("kind IN ('a')")
    assert sqlite_checks(
        "CREATE TABLE t (a INTEGER CHECK (a > 0), -- (x)\n b TEXT, CHECK (b != ')'))"
    ) == [
        "a > 0",
        "b != ')'",
    ]


# The guards the triggers and CHECKs hold, run on both backends: each statement in turn, and
# whether the database took it (True) or refused it (False). The trigger bodies are not
# compared above; this compares what they do.
U = "INSERT INTO users (id, channel, external_id, chat_id, created_at, updated_at)"
P = (
    "INSERT INTO payments (id, user_id, idempotency_key, service, reference, amount, fee,"
    " total, external_id, status, created_at, updated_at)"
    " VALUES (1, 1, 'k1', 'woyofal', 'r', 1000, 0, 1000, 'e1', 'created', 't', 't')"
)
L = (
    "INSERT INTO ledger (user_id, kind, amount, balance_after, payment_id, collection_id,"
    " actor, created_at) VALUES (1, ?, ?, ?, ?, ?, 'test', 't')"
)
C = (
    "INSERT INTO collections (id, user_id, direction, idempotency_key, external_id,"
    " service_code, method, number, amount, fee, fee_paid_by, total, status, actor,"
    " created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, 'wave', ?, ?, 0, 'customer', ?,"
    " 'created', 'user', 't', 't')"
)
SET_STATUS = "UPDATE collections SET status = ?, completed_at = ? WHERE id = ?"
GUARDS: list[tuple[str, tuple[object, ...], bool]] = [
    (U + " VALUES (1, 't', 'a', 'a', 't', 't')", (), True),
    (U + " VALUES (2, 't', 'a', 'a', 't', 't')", (), False),  # UNIQUE (channel, external_id)
    ("UPDATE users SET role = 'boss' WHERE id = 1", (), False),
    ("UPDATE users SET money_number = '77123456a' WHERE id = 1", (), False),
    ("UPDATE users SET money_number = '771234567' WHERE id = 1", (), True),
    (
        "INSERT INTO conversations (user_id, state, data, token, updated_at)"
        " VALUES (99, 's', '{}', 'x', 't')",
        (),
        False,
    ),  # foreign key
    (P, (), True),
    ("UPDATE payments SET total = 999 WHERE id = 1", (), False),
    (L, ("credit", 5000, 5000, None, None), True),
    (L, ("credit", 100, 4000, None, None), False),  # balance_after is not the running sum
    (L, ("settle", 0, 5000, 1, None), False),  # no reserve yet
    (L, ("reserve", -1000, 4000, 1, None), True),
    (L, ("release", 2000, 6000, 1, None), False),  # more than it reserved
    (L, ("release", 1000, 5000, 1, None), True),
    (L, ("adjustment", -6000, -1000, None, None), False),  # below zero
    ("UPDATE ledger SET note = 'x'", (), False),  # append-only
    (L, ("funding", 500, 5500, None, None), False),  # funding names its collection
    (C, (1, "in", "i1", "c1", "WAVE_SENEGAL_CASHIN", "771234567", 500, 500), False),
    (C, (1, "in", "i1", "c1", "WAVE_SENEGAL_CASHOUT", "7712345", 500, 500), False),
    (C, (1, "in", "i1", "c1", "WAVE_SENEGAL_CASHOUT", "771234567", 500, 499), False),
    (C, (1, "in", "i1", "c1", "WAVE_SENEGAL_CASHOUT", "771234567", 500, 500), True),
    (L, ("funding", 500, 5500, None, 1), False),  # not a success yet
    (SET_STATUS, ("success", "t", 1), False),  # created -> success is not a transition
    (SET_STATUS, ("submitted", None, 1), True),
    (SET_STATUS, ("success", None, 1), False),  # final without completed_at
    (SET_STATUS, ("success", "t", 1), True),
    (L, ("funding", 400, 5400, None, 1), False),  # not its amount
    (L, ("funding", 500, 5500, None, 1), True),
    (L, ("funding", 500, 6000, None, 1), False),  # once
    (SET_STATUS, ("failed", "t", 1), False),  # a final state never changes
    ("UPDATE collections SET amount = 1 WHERE id = 1", (), False),  # fixed figures
    (C, (2, "out", "i2", "c2", "WAVE_SENEGAL_CASHIN", "771234567", 300, 300), True),
    (SET_STATUS, ("submitted", None, 2), False),  # the wallet is not debited yet
    (L, ("payout", -200, 5300, None, 2), False),  # not its total
    (L, ("payout", -300, 5200, None, 2), True),
    (SET_STATUS, ("submitted", None, 2), True),
    (SET_STATUS, ("failed", "t", 2), True),
    (L, ("payout_return", 400, 5600, None, 2), False),  # more than was debited
    (L, ("payout_return", 300, 5500, None, 2), True),
    (
        "INSERT INTO funded_purchases (collection_id, user_id, quote, state, created_at,"
        " updated_at) VALUES (1, 1, '{}', 'waiting', 't', 't')",
        (),
        True,
    ),
    ("UPDATE funded_purchases SET state = 'paid', payment_id = 1", (), False),  # skips due
    ("UPDATE funded_purchases SET state = 'due'", (), True),
    ("UPDATE funded_purchases SET state = 'paid'", (), False),  # paid names its payment
    ("UPDATE funded_purchases SET state = 'paid', payment_id = 1", (), True),
    (
        "INSERT INTO saved_references (user_id, service, reference, nickname, created_at,"
        " updated_at) VALUES (1, 'woyofal', 'r', '', 't', 't')",
        (),
        False,
    ),
    (
        "INSERT INTO outbox (user_id, kind, payload, next_attempt_at, created_at, send_as)"
        " VALUES (1, 'k', '{}', 't', 't', 'text')",
        (),
        False,
    ),
]


def run_guards_on_sqlite(path: Path) -> list[bool]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    taken = []
    try:
        for sql, params, _ in GUARDS:
            try:
                conn.execute(sql, params)
                taken.append(True)
            except sqlite3.IntegrityError:
                taken.append(False)
    finally:
        conn.close()
    return taken


async def run_guards_on_postgres(conn: asyncpg.Connection) -> list[bool]:
    taken = []
    for sql, params, _ in GUARDS:
        numbered = sql
        for number in range(1, len(params) + 1):
            numbered = numbered.replace("?", f"${number}", 1)
        try:
            async with conn.transaction():
                await conn.execute(numbered, *params)
            taken.append(True)
        except asyncpg.IntegrityConstraintViolationError:
            taken.append(False)
    return taken


async def test_the_guards_refuse_the_same_statements(
    tmp_path: Path, postgres: asyncpg.Connection
) -> None:
    def unexpected(taken: list[bool]) -> list[str]:
        return [
            f"{'took' if got else 'refused'}: {sql} {params}"
            for (sql, params, expected), got in zip(GUARDS, taken, strict=True)
            if got != expected
        ]

    assert unexpected(run_guards_on_sqlite(await migrated_sqlite(tmp_path / "x.sqlite3"))) == []
    assert unexpected(await run_guards_on_postgres(postgres)) == []
    assert sum(1 for _, _, taken in GUARDS if not taken) >= 25


async def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    """Four processes opening one new PostgreSQL database at the same moment: one applies
    the migrations under the advisory lock, the others wait and find nothing left."""
    require_postgres()
    url = create_database()
    try:
        stores = [Storage(url) for _ in range(4)]
        await asyncio.gather(*(store.open() for store in stores))
        for store in stores:
            await store.close()
        conn = await asyncpg.connect(url)
        try:
            numbers = [row[0] for row in await conn.fetch("SELECT number FROM schema_migrations")]
        finally:
            await conn.close()
        assert sorted(numbers) == [number for number, _, _ in migrations("postgresql")]
    finally:
        await _drop_database(url)
