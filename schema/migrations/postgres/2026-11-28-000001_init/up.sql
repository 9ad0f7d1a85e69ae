-- casesync schema v1 (PostgreSQL). Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT REFERENCES sites(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    -- SHA-256 (hex) of the bearer token; the token itself is never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    wipe_requested BOOLEAN NOT NULL DEFAULT FALSE,
    last_seen_at BIGINT
);

-- Actor ids are bound to the first device that authors with them.
CREATE TABLE device_actors (
    actor TEXT PRIMARY KEY NOT NULL,
    device_id TEXT NOT NULL,
    bound_at BIGINT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT,
    -- Number of the last chunk appended: a per-document sequence, bumped under the row lock.
    last_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX documents_org ON documents (organisation_id, kind);

CREATE TABLE doc_chunks (
    document_id TEXT NOT NULL REFERENCES documents(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (document_id, seq)
);

CREATE TABLE change_receipts (
    document_id TEXT NOT NULL,
    change_hash TEXT NOT NULL,
    device_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (document_id, change_hash)
);

-- Read model for coordinators, recomputed after each admitted change.
CREATE TABLE case_summaries (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents(id),
    organisation_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL,
    status_since BIGINT,
    open_conflicts INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_summaries_org ON case_summaries (organisation_id, site_id);
