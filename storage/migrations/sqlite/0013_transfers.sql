-- One row per completed `python -m bot admin migrate-to-postgres` into this database (issue
-- 17): which SQLite file was copied, in which state (a digest of every row), and when. A
-- rerun that finds its own source's row knows the copy is done and changes nothing. Only
-- PostgreSQL databases get rows; the table exists on SQLite too so both schemas stay equal.
CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    table_count INTEGER NOT NULL,
    row_count   INTEGER NOT NULL,
    copied_at   TEXT NOT NULL
);
