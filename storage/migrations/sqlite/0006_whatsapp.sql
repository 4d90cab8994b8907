-- WhatsApp beside Telegram (issue 14).

-- A WhatsApp user is (whatsapp, external_id): the business-scoped user id (BSUID) when Meta
-- sends one, else the phone number. Both are kept when known: `phone` (wa_id) to write to,
-- `channel_user_id` (BSUID) to recognise them; either may change (a new number, a new BSUID)
-- and the user, their conversation and their wallet stay the same row.
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN channel_user_id TEXT;
-- When they last wrote to us: WhatsApp lets us write freely for 24 hours after that only.
ALTER TABLE users ADD COLUMN last_inbound_at TEXT;
CREATE INDEX users_phone ON users (channel, phone) WHERE phone IS NOT NULL;
CREATE INDEX users_channel_user_id ON users (channel, channel_user_id)
    WHERE channel_user_id IS NOT NULL;

-- What users send through a webhook, stored before the 200 and handled afterwards, per user,
-- one at a time, in order. Deduplicated by the channel's message id, across restarts.
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'handled', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  TEXT NOT NULL,
    handled_at   TEXT,
    UNIQUE (channel, message_id)
);
CREATE INDEX inbox_pending ON inbox (user_id, id) WHERE status = 'pending';

-- A webhook body we could not read: kept whole for an admin, never dropped unseen.
CREATE TABLE webhook_rejects (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    body        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- 'template' when an outbox message must go as its template (WhatsApp refused it free-form,
-- outside the 24-hour window): the notifier sends it once more, so.
ALTER TABLE outbox ADD COLUMN send_as TEXT CHECK (send_as IS NULL OR send_as = 'template');

-- Each send of an outbox message on a channel that reports on it (WhatsApp): the channel's
-- id of our message, whether it went as a template, and the last status it reported
-- (accepted < sent < delivered < read; failed with its error code).
CREATE TABLE deliveries (
    id                 INTEGER PRIMARY KEY,
    outbox_id          INTEGER NOT NULL REFERENCES outbox (id),
    part               INTEGER NOT NULL DEFAULT 0,  -- which message of the reply (0, 1…)
    channel            TEXT NOT NULL,
    channel_message_id TEXT NOT NULL,
    as_template        INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'accepted'
        CHECK (status IN ('accepted', 'sent', 'delivered', 'read', 'failed')),
    error_code         INTEGER,
    -- A failure acted on (sent again, as the template, or set aside): once, after the
    -- notifier has marked the message sent.
    acted              INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (channel, channel_message_id)
);
CREATE INDEX deliveries_outbox ON deliveries (outbox_id);
CREATE INDEX deliveries_to_act_on ON deliveries (id) WHERE status = 'failed' AND acted = 0;
