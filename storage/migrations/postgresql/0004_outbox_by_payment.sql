-- A payment's messages are looked up (and superseded) by payment: without this index every
-- status change scanned the whole outbox.
CREATE INDEX outbox_payment ON outbox (payment_id, kind) WHERE payment_id IS NOT NULL;
