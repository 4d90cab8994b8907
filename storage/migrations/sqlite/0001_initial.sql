-- Users of every channel; `channel` + `external_id` identify them (Telegram user id, "terminal").
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    chat_id       TEXT NOT NULL,
    username      TEXT,
    display_name  TEXT,
    language      TEXT,
    undeliverable_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX users_username ON users (lower(username));

-- One conversation per user, committed at every step.
CREATE TABLE conversations (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    state       TEXT NOT NULL,
    data        TEXT NOT NULL,
    token       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Payments: the row and its external id exist before DEXCHANGE is called.
CREATE TABLE payments (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    idempotency_key  TEXT NOT NULL UNIQUE,
    service          TEXT NOT NULL,
    reference        TEXT NOT NULL,
    bill_reference   TEXT,
    holder_name      TEXT,
    due_date         TEXT,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    fee              INTEGER NOT NULL CHECK (fee >= 0),
    total            INTEGER NOT NULL CHECK (total = amount + fee),
    external_id      TEXT NOT NULL UNIQUE,
    provider_tx_id   TEXT,
    status           TEXT NOT NULL,
    codes            TEXT,
    provider_message TEXT,
    provider_fee     INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    provider_has_it  INTEGER NOT NULL DEFAULT 0,
    next_check_at    TEXT,
    checks           INTEGER NOT NULL DEFAULT 0,
    needs_attention  INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    completed_at     TEXT
);
CREATE INDEX payments_user ON payments (user_id, id);
CREATE INDEX payments_open ON payments (status, next_check_at)
    WHERE status IN ('created', 'submitted', 'processing', 'unknown');
CREATE UNIQUE INDEX payments_provider_tx ON payments (provider_tx_id) WHERE provider_tx_id IS NOT NULL;

-- Every status change, for audit (append-only).
CREATE TABLE payment_events (
    id          INTEGER PRIMARY KEY,
    payment_id  INTEGER NOT NULL REFERENCES payments (id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    source      TEXT NOT NULL,
    detail      TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id);

-- Raw DEXCHANGE callbacks that carried a valid signature (append-only).
CREATE TABLE callbacks (
    id          INTEGER PRIMARY KEY,
    payment_id  INTEGER REFERENCES payments (id),
    external_id TEXT NOT NULL,
    body        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX callbacks_payment ON callbacks (payment_id);

-- Messages a user must get, written in the same transaction as the change they report.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    payment_id      INTEGER REFERENCES payments (id),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    dedupe_key      TEXT UNIQUE,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_user ON outbox (user_id, id);
CREATE INDEX outbox_user_pending ON outbox (user_id, id) WHERE status = 'pending';
