-- The outbox: what the server still has to derive from a document (the case list's row,
-- blob references, checklists, alerts, acknowledgements). A row is written in the same
-- transaction as the chunk that makes it necessary, so a crash between the commit and the
-- derivation loses nothing; workers on any instance drain it. Times are milliseconds since
-- the Unix epoch (UTC), read from each instance's system clock.
CREATE TABLE outbox (
    document_id TEXT PRIMARY KEY NOT NULL,
    -- Root keys the pending changes wrote under, separated by spaces; '*' for everything.
    touched TEXT NOT NULL,
    -- Bumped by every append: a worker removes the row only if nothing arrived meanwhile.
    generation BIGINT NOT NULL,
    -- When the oldest pending change was committed.
    queued_at BIGINT NOT NULL,
    -- The instance working on it, until lease_until; a row whose lease ran out is anyone's.
    claimed_by TEXT,
    -- With claimed_by NULL: not before this time (backoff after a failure).
    lease_until BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);

CREATE INDEX outbox_by_lease ON outbox (lease_until);

-- Derived state written before the outbox existed was kept only in memory until then: derive
-- every document once on the first start after the upgrade.
INSERT INTO outbox (document_id, touched, generation, queued_at, attempts)
SELECT id, '*', 1, 0, 0 FROM documents WHERE kind IN ('case', 'alerts') AND deleted_at IS NULL;
