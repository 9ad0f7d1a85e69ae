-- Access control, audit trail and data protection (PostgreSQL). Times: ms since the Unix epoch.

-- Who a case is assigned to. `reason` is 'creator' (the user opened it: an outreach worker
-- or caseworker keeps the cases they open) or 'assigned' (a coordinator assigned it).
CREATE TABLE case_assignments (
    document_id TEXT NOT NULL REFERENCES documents(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (document_id, user_id)
);
CREATE INDEX case_assignments_user ON case_assignments (user_id);

-- Explicit shares of a case with another organisation, each with its legal basis and the
-- data categories it covers. Withdrawn shares stay as records.
CREATE TABLE case_shares (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    legal_basis TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- JSON array of data category names.
    data_categories TEXT NOT NULL,
    cross_border BOOLEAN NOT NULL DEFAULT FALSE,
    shared_by TEXT NOT NULL,
    shared_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    withdrawn_by TEXT
);
CREATE INDEX case_shares_document ON case_shares (document_id);
CREATE INDEX case_shares_organisation ON case_shares (organisation_id);

-- A legal hold blocks erasure (and retention expiry) while it stands.
CREATE TABLE legal_holds (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents(id),
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at BIGINT NOT NULL
);

-- The retention class of a case; cases without a row have the configured default class.
CREATE TABLE case_retention (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents(id),
    retention_class TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);

-- One-time enrolment codes; only the SHA-256 of a code is stored.
CREATE TABLE enrolment_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    device_id TEXT
);

-- Remote wipes: requested by a person, delivered once to the device (then its token dies).
CREATE TABLE device_wipes (
    device_id TEXT PRIMARY KEY NOT NULL REFERENCES devices(id),
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    delivered_at BIGINT
);

-- The audit trail: append-only and hash-chained. hash = SHA-256 over the entry's fields and
-- the previous entry's hash, so an altered or removed entry breaks the chain.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_user TEXT,
    actor_device TEXT,
    organisation_id TEXT,
    action TEXT NOT NULL,
    case_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, seq);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, seq);

-- The head of the chain: one row, locked by every append so that appends are serialized
-- (on every instance) and the last entry cannot be removed unnoticed.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The application never updates or deletes audit entries; the database refuses it too.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
