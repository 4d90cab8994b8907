-- Wallets funded from mobile money, and refunds back to it (issue 15): DEXCHANGE's
-- `transaction/init` with a *_CASHOUT service collects from the customer's wallet ('in'), a
-- *_CASHIN service pays out to it ('out'). The same money rules as payments: the row and its
-- external id are committed before the call, one row per intent, guarded transitions.
--
-- `amount` is what the customer's balance with us gains ('in') or what reaches their mobile
-- money ('out'); `fee` is the collection fee, paid by the customer or absorbed by the
-- operator (`fee_paid_by`); `total` is the customer's side of it: what their mobile money is
-- asked for ('in'), or what their balance with us is debited ('out').
CREATE TABLE collections (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    idempotency_key  TEXT NOT NULL,
    external_id      TEXT NOT NULL UNIQUE,
    service_code     TEXT NOT NULL CHECK (
        (direction = 'in' AND service_code LIKE '%\_CASHOUT' ESCAPE '\')
        OR (direction = 'out' AND service_code LIKE '%\_CASHIN' ESCAPE '\')),
    method           TEXT NOT NULL CHECK (method IN ('wave', 'orange_money', 'free_money')),
    number           TEXT NOT NULL
        CHECK (length(number) = 9 AND number NOT GLOB '*[^0-9]*'),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    fee              INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    fee_paid_by      TEXT NOT NULL CHECK (fee_paid_by IN ('customer', 'operator')),
    total            INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('created', 'submitted', 'pending',
        'success', 'failed', 'cancelled', 'expired', 'unknown')),
    -- Some attempt may have reached DEXCHANGE: from then on it is retried only under this id.
    maybe_sent       INTEGER NOT NULL DEFAULT 0 CHECK (maybe_sent IN (0, 1)),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    provider_tx_id   TEXT,
    provider_message TEXT,
    payment_link     TEXT,  -- Wave's approval link, when DEXCHANGE's answer carries one
    for_payment_id   INTEGER REFERENCES payments (id),  -- "pay the rest": the purchase
    actor            TEXT NOT NULL,  -- "user", or the admin who ordered a refund
    checks           INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0),
    next_check_at    TEXT,
    needs_attention  INTEGER NOT NULL DEFAULT 0 CHECK (needs_attention IN (0, 1)),
    attention_reason TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    completed_at     TEXT,
    UNIQUE (user_id, idempotency_key),
    CHECK (total = amount + CASE fee_paid_by WHEN 'customer' THEN fee ELSE 0 END),
    CHECK (for_payment_id IS NULL OR direction = 'in'),
    CHECK ((completed_at IS NOT NULL)
        = (status IN ('success', 'failed', 'cancelled', 'expired'))),
    CHECK (needs_attention = 0 OR attention_reason IS NOT NULL)
);
CREATE INDEX collections_user ON collections (user_id, id);
CREATE UNIQUE INDEX collections_provider_tx ON collections (provider_tx_id)
    WHERE provider_tx_id IS NOT NULL;
CREATE INDEX collections_due ON collections (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX collections_user_day ON collections (user_id, created_at);
CREATE INDEX collections_open ON collections (status)
    WHERE status NOT IN ('success', 'cancelled', 'expired');

-- Every status change, for audit (append-only).
CREATE TABLE collection_events (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections (id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    source        TEXT NOT NULL,
    detail        TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX collection_events_collection ON collection_events (collection_id);

-- The transition table (money rule 3) held by the database too, the same as
-- storage.models.COLLECTION_ALLOWED_FROM: a final state never changes, whatever SQL runs.
CREATE TRIGGER collections_guarded_status BEFORE UPDATE OF status ON collections
WHEN NEW.status != OLD.status AND NOT (
    (NEW.status = 'submitted' AND OLD.status IN ('created', 'unknown'))
    OR (NEW.status = 'pending' AND OLD.status IN ('submitted', 'unknown'))
    OR (NEW.status = 'unknown' AND OLD.status = 'submitted')
    OR (NEW.status IN ('success', 'failed', 'expired')
        AND OLD.status IN ('submitted', 'pending', 'unknown'))
    OR (NEW.status = 'cancelled' AND OLD.status IN ('created', 'submitted', 'pending', 'unknown'))
)
BEGIN
    SELECT RAISE(ABORT, 'collections: transition not allowed');
END;

-- Figures DEXCHANGE is asked for never change once the row exists.
CREATE TRIGGER collections_fixed_figures BEFORE UPDATE OF user_id, direction, external_id,
    service_code, method, number, amount, fee, fee_paid_by, total, idempotency_key
ON collections
BEGIN
    SELECT RAISE(ABORT, 'collections: the figures of a collection never change');
END;

-- A saved mobile-money account per user, offered next time (changeable).
ALTER TABLE users ADD COLUMN money_method TEXT
    CHECK (money_method IS NULL OR money_method IN ('wave', 'orange_money', 'free_money'));
ALTER TABLE users ADD COLUMN money_number TEXT
    CHECK (money_number IS NULL OR (length(money_number) = 9
        AND money_number NOT GLOB '*[^0-9]*'));

-- The ledger gains the collections' entries, each naming its collection:
--   'funding'        + a collection 'in' that succeeded, exactly its amount;
--   'payout'         - a refund out, its total, debited before it is sent;
--   'payout_return'  + a refund that failed, was cancelled or expired, exactly what was debited.
-- UNIQUE (collection_id, kind) makes each happen at most once: a collection is credited
-- exactly once. SQLite cannot alter a CHECK: the table is rebuilt (as in 0005), its guards
-- kept and a new one added: `balance_after` is the running sum of the user's entries, so the
-- CHECK (balance_after >= 0) holds for the real balance and no entry takes it below zero.
CREATE TABLE ledger_new (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('credit', 'adjustment', 'reserve', 'settle', 'release', 'redebit',
                        'funding', 'payout', 'payout_return')),
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    payment_id    INTEGER REFERENCES payments (id),
    actor         TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL,
    collection_id INTEGER REFERENCES collections (id),
    CHECK (payment_id IS NOT NULL
        OR kind IN ('credit', 'adjustment', 'funding', 'payout', 'payout_return')),
    CHECK (kind NOT IN ('reserve', 'redebit') OR amount < 0),
    CHECK (kind NOT IN ('settle', 'release') OR amount >= 0),
    CHECK ((collection_id IS NOT NULL) = (kind IN ('funding', 'payout', 'payout_return'))),
    CHECK (collection_id IS NULL OR payment_id IS NULL),
    CHECK (kind != 'payout' OR amount < 0),
    CHECK (kind NOT IN ('funding', 'payout_return') OR amount > 0)
);
INSERT INTO ledger_new (id, user_id, kind, amount, balance_after, payment_id, actor, note,
    created_at) SELECT id, user_id, kind, amount, balance_after, payment_id, actor, note,
    created_at FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_user ON ledger (user_id, id);
CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_id, kind)
    WHERE payment_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_collection_once ON ledger (collection_id, kind)
    WHERE collection_id IS NOT NULL;
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

CREATE TRIGGER ledger_running_sum BEFORE INSERT ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger: balance_after must be the balance plus the amount')
    WHERE NEW.balance_after != NEW.amount + coalesce((SELECT balance_after FROM ledger
        WHERE user_id = NEW.user_id ORDER BY id DESC LIMIT 1), 0);
END;

-- A collection's entry matches the stored collection: its user, its direction, its figures,
-- and its state (funding only on success; a payout's return only once it ended without
-- success, and never more than was debited).
CREATE TRIGGER ledger_collection_matches BEFORE INSERT ON ledger
WHEN NEW.collection_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'ledger: the entry does not match its collection')
    WHERE NOT EXISTS (
        SELECT 1 FROM collections c WHERE c.id = NEW.collection_id
        AND c.user_id = NEW.user_id
        AND ((NEW.kind = 'funding' AND c.direction = 'in' AND c.status = 'success'
              AND NEW.amount = c.amount)
          OR (NEW.kind = 'payout' AND c.direction = 'out' AND c.status = 'created'
              AND NEW.amount = -c.total)
          OR (NEW.kind = 'payout_return' AND c.direction = 'out'
              AND c.status IN ('failed', 'cancelled', 'expired')
              AND NEW.amount = -(SELECT l.amount FROM ledger l
                                 WHERE l.collection_id = c.id AND l.kind = 'payout'))));
END;

CREATE TRIGGER ledger_append_only BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger: entries are never changed');
END;

-- A refund goes out only once the wallet has paid for it: an 'out' row leaves 'created'
-- only when its 'payout' entry is in the ledger (after the rebuild: it reads the new column).
CREATE TRIGGER collections_payout_debited_first BEFORE UPDATE OF status ON collections
WHEN NEW.direction = 'out' AND OLD.status = 'created' AND NEW.status != 'cancelled'
    AND NOT EXISTS (SELECT 1 FROM ledger WHERE collection_id = NEW.id AND kind = 'payout')
BEGIN
    SELECT RAISE(ABORT, 'collections: a payout leaves only once the wallet is debited');
END;
