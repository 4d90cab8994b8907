-- Rate budgets shared by every bot process (issue 17): one row a budget ("telegram",
-- "telegram:chat:<id>", "whatsapp", "whatsapp:to:<number>", "dexchange"), holding its
-- theoretical arrival time: the moment, in seconds since the epoch on the database server's
-- clock, from which the next call is on time (GCRA). Only PostgreSQL (several processes)
-- uses it; on SQLite the one process paces itself in memory and the table stays empty.
CREATE TABLE budgets (
    name TEXT NOT NULL PRIMARY KEY,
    tat REAL NOT NULL
);
