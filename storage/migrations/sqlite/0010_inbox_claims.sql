-- Several processes share one inbox (issue 17): a process handling a user's head message
-- holds a lease on it (who, until when). Another process skips that user until the lease
-- ends; a process that died mid-message leaves a lease that runs out, and another takes it.
ALTER TABLE inbox ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox ADD COLUMN claimed_until TEXT;
