-- Rate budgets shared by every bot process (issue 17): one row a budget ("telegram",
-- "telegram:chat:<id>", "whatsapp", "whatsapp:to:<number>", "dexchange"), holding its
-- theoretical arrival time: the moment, in seconds since the epoch on this server's clock
-- (clock_timestamp(): one clock for every process), from which the next call is on time
-- (GCRA). See storage/budgets.py.
CREATE TABLE budgets (
    name TEXT NOT NULL PRIMARY KEY,
    tat DOUBLE PRECISION NOT NULL
);
