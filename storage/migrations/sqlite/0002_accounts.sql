-- Who may do what: customer (default), agent (serves walk-in clients), admin (runs the service).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'customer'
    CHECK (role IN ('customer', 'agent', 'admin'));

-- The wallet ledger: balances move only by these entries (money rule 7).
-- `amount` is signed (+ gives the user spendable francs, - takes them); `balance_after` is
-- the running sum for the user, and may never go below zero.
CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('credit', 'adjustment', 'reserve', 'settle', 'release')),
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    payment_id    INTEGER REFERENCES payments (id),
    actor         TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX ledger_user ON ledger (user_id, id);
-- A payment reserves once and is settled or released once.
CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_id, kind)
    WHERE payment_id IS NOT NULL;
