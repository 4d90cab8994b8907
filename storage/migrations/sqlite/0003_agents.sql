-- What agents and regular customers need: saved references, history, reports, receipts.

-- An agent's walk-in client: a name or phone number typed before the confirmation, shown in
-- /find and on receipts. Never used for money.
ALTER TABLE payments ADD COLUMN client_label TEXT;

-- /find, /history and the use counts of saved references: a user's payments by reference;
-- /today and /report: a user's payments completed in a day.
CREATE INDEX payments_user_reference ON payments (user_id, service, reference);
CREATE INDEX payments_user_completed ON payments (user_id, completed_at);

-- Meters and bill references a user saved, with an optional nickname ("Maison").
CREATE TABLE saved_references (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    service     TEXT NOT NULL,
    reference   TEXT NOT NULL,
    nickname    TEXT CHECK (nickname IS NULL OR length(nickname) BETWEEN 1 AND 30),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (user_id, service, reference)
);

-- The daily summary looks for agents among all users.
CREATE INDEX users_role ON users (role) WHERE role != 'customer';

-- /today and /report: a user's ledger entries of one day.
CREATE INDEX ledger_user_time ON ledger (user_id, created_at);
