-- Live sync: per-peer sync state (so an in-sync phone reconnects cheaply), the caseload
-- document of each device, and facts every instance shares.
CREATE TABLE sync_states (
    device_id TEXT NOT NULL,
    storage_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    state BYTEA NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, storage_id, document_id)
);

CREATE TABLE device_caseloads (
    device_id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL UNIQUE
);

CREATE TABLE server_identity (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
