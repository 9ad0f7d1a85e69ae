-- Federation (docs/cross-border.md): organisations served by a peer server, what is queued
-- for each peer, what each peer is known to hold, the views peers sent here, and the names
-- of their people (no user or device rows are made for them).

-- A remote organisation's row carries the peer that serves it; NULL for this server's own.
ALTER TABLE organisations ADD COLUMN peer TEXT;

-- What is to be sent to a peer, queued in the transaction (or the derive run) that makes it
-- necessary, sent in order, kept once sent as the record of what crossed and when.
CREATE TABLE peer_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    peer TEXT NOT NULL,
    -- view_sync | view_withdrawn | alert | alert_stood_down | alert_acknowledged
    kind TEXT NOT NULL,
    -- The view, alert or acknowledgement the message is about.
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- An instance sending the row holds it until then (instances' system clocks).
    claimed_until BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    -- The peer's answer to a sent message (a view's heads, a withdrawal's confirmation).
    answer TEXT,
    -- A refusal the peer gave for good (its code and message): not retried.
    refused TEXT,
    last_error TEXT
);
-- One pending message per subject: a view changed ten times while the link was down is
-- synced once when it comes back.
CREATE UNIQUE INDEX peer_outbox_pending ON peer_outbox (peer, kind, subject)
    WHERE sent_at IS NULL AND refused IS NULL;
CREATE INDEX peer_outbox_subject ON peer_outbox (subject);

-- The heads of a document a peer was last known to hold: what to send it next.
CREATE TABLE peer_heads (
    peer TEXT NOT NULL,
    document_id TEXT NOT NULL,
    heads TEXT NOT NULL,
    PRIMARY KEY (peer, document_id)
);

-- Shared views a peer's organisation sent to one of ours: the share as the peer stated it.
CREATE TABLE peer_views (
    view_id TEXT PRIMARY KEY NOT NULL,
    peer TEXT NOT NULL,
    source_organisation TEXT NOT NULL,
    partner_organisation TEXT NOT NULL,
    reference TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    purpose TEXT NOT NULL,
    categories TEXT NOT NULL,
    cross_border BOOLEAN NOT NULL,
    shared_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX peer_views_partner ON peer_views (partner_organisation);

-- A peer's people as its server names them, for timelines and audit pages here.
CREATE TABLE peer_people (
    peer TEXT NOT NULL,
    user_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    name TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (peer, user_id)
);
