-- Money safety against DEXCHANGE's less tidy behaviour (issue 12).

-- `maybe_sent`: some pay attempt of this payment may have reached DEXCHANGE (it timed out,
-- the connection dropped, a 5xx came back, or the process died during the call). From then
-- on, a refusal of a retry says nothing about the payment.
ALTER TABLE payments ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0;
-- `on_hold`: why the payment waits for DEXCHANGE's word or an admin and is never submitted
-- again (an ambiguous refusal of a retry, figures that do not match); NULL otherwise.
ALTER TABLE payments ADD COLUMN on_hold TEXT;
-- `resolved_by`: the admin who ended the payment by hand ("admin:<id>", "cli"); NULL when
-- DEXCHANGE's word ended it.
ALTER TABLE payments ADD COLUMN resolved_by TEXT;

-- What the reconciler looks at: open payments, and Woyofal successes still waiting for their
-- code (both keep a next_check_at; every other final payment has none).
DROP INDEX payments_open;
CREATE INDEX payments_due ON payments (next_check_at) WHERE next_check_at IS NOT NULL;

-- Every answer DEXCHANGE gave to a pay call or a status lookup, stored raw before it is
-- applied: a code in hand survives a failure to record it (append-only).
CREATE TABLE provider_answers (
    id          INTEGER PRIMARY KEY,
    payment_id  INTEGER NOT NULL REFERENCES payments (id),
    source      TEXT NOT NULL CHECK (source IN ('pay', 'status')),
    http_status INTEGER,
    body        TEXT NOT NULL,
    applied     INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL
);
CREATE INDEX provider_answers_payment ON provider_answers (payment_id, id);
CREATE INDEX provider_answers_unapplied ON provider_answers (payment_id) WHERE applied = 0;

-- The ledger gains 'redebit' (DEXCHANGE's late SUCCESS after an admin released the money)
-- and a guard in the database itself: what a payment's entries add up to never gives the
-- wallet more than it had before the payment, so no settlement can release more than was
-- reserved, whatever the code above does. SQLite cannot alter a CHECK: the table is rebuilt.
CREATE TABLE ledger_new (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('credit', 'adjustment', 'reserve', 'settle', 'release', 'redebit')),
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    payment_id    INTEGER REFERENCES payments (id),
    actor         TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL,
    CHECK (payment_id IS NOT NULL OR kind IN ('credit', 'adjustment')),
    CHECK (kind NOT IN ('reserve', 'redebit') OR amount < 0),
    CHECK (kind NOT IN ('settle', 'release') OR amount >= 0)
);
INSERT INTO ledger_new SELECT id, user_id, kind, amount, balance_after, payment_id, actor,
    note, created_at FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_user ON ledger (user_id, id);
CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_id, kind)
    WHERE payment_id IS NOT NULL;
CREATE INDEX ledger_user_time ON ledger (user_id, created_at);

CREATE TRIGGER ledger_payment_never_gives_back_more BEFORE INSERT ON ledger
WHEN NEW.payment_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'ledger: a payment cannot give back more than it reserved')
    WHERE NEW.amount + (SELECT coalesce(sum(amount), 0) FROM ledger
                        WHERE payment_id = NEW.payment_id) > 0
       OR (NEW.kind != 'reserve'
           AND NOT EXISTS (SELECT 1 FROM ledger WHERE payment_id = NEW.payment_id
                           AND kind = 'reserve'));
END;

CREATE TRIGGER ledger_append_only BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger: entries are never changed');
END;
