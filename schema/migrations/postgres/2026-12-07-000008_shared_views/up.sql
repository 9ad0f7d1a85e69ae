-- Shared views (issue 16): a partner organisation holds a document derived from the case
-- that carries only the share's data categories, never the case itself.

-- The view document of the share (kind 'shared_view'), chosen when the share is made.
ALTER TABLE case_shares ADD COLUMN view_id TEXT;
-- The id of the case's legal basis entry the share rests on, if it names one: withdrawing
-- that entry (an entry whose `withdraws` names it) withdraws the share.
ALTER TABLE case_shares ADD COLUMN rests_on TEXT;
CREATE UNIQUE INDEX case_shares_view ON case_shares (view_id);

-- What was sent: every version of a view's content the partner was given, with the
-- categories it covered and the SHA-256 of its content as stored in the view.
CREATE TABLE share_versions (
    share_id TEXT NOT NULL REFERENCES case_shares(id),
    version INTEGER NOT NULL,
    sent_at BIGINT NOT NULL,
    -- JSON array of category names.
    categories TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (share_id, version)
);

-- Work recorded in the outbox without an append (a share made) takes the document's current
-- chunk number as generation, which a run in progress may already have read: every record
-- now also draws a random stamp, and a run removes the row only if both are still the ones
-- it read.
ALTER TABLE outbox ADD COLUMN stamp BIGINT NOT NULL DEFAULT 0;
