-- "Pay the rest" (issue 15): a purchase the customer confirmed without enough balance, waiting
-- for the collection that funds the difference. Stored with the collection, in the same
-- transaction, so a crash never loses it; paid once the collection succeeds.
--
--   waiting → due      the collection succeeded (in the transaction that credits it)
--   waiting → dropped  the collection failed, was cancelled or expired: nothing to pay
--   due → paid         the payment exists (`payment_id`; its idempotency key is
--                      'rest:<collection external id>', so a retry finds the same one)
--   due → changed      the bill changed or is paid already: the customer confirms again
--   due → failed       it could not be paid (balance spent meanwhile, bill not checkable):
--                      the money stays in the wallet
CREATE TABLE funded_purchases (
    collection_id BIGINT PRIMARY KEY REFERENCES collections (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    quote         TEXT NOT NULL,  -- the quote the customer confirmed (JSON)
    client_label  TEXT,
    state         TEXT NOT NULL
        CHECK (state IN ('waiting', 'due', 'paid', 'changed', 'failed', 'dropped')),
    payment_id    BIGINT REFERENCES payments (id),
    detail        TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((payment_id IS NOT NULL) = (state = 'paid'))
);
CREATE INDEX funded_purchases_due ON funded_purchases (state) WHERE state = 'due';

CREATE FUNCTION funded_purchases_guarded_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'funded_purchases: transition not allowed' USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER funded_purchases_guarded_state BEFORE UPDATE OF state ON funded_purchases
FOR EACH ROW WHEN (NEW.state != OLD.state AND NOT (
    (OLD.state = 'waiting' AND NEW.state IN ('due', 'dropped'))
    OR (OLD.state = 'due' AND NEW.state IN ('paid', 'changed', 'failed'))
))
EXECUTE FUNCTION funded_purchases_guarded_state();
