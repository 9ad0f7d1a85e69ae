-- Attachments (photos, scanned documents). Times are milliseconds since the Unix epoch (UTC).

-- One stored blob per organisation and content hash. The object holds ciphertext only; its
-- data key, wrapped by a master key (key_id), lives here so that a copied bucket reveals
-- nothing and a key rotation rewrites rows, not objects.
CREATE TABLE blobs (
    organisation_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- Unique per stored copy: a re-upload during a sweep never reuses a key being deleted.
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    key_id TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    -- Last upload, or last time a case stopped referencing it: the grace period runs from here.
    touched_at BIGINT NOT NULL,
    -- Set by the sweep before the object is deleted.
    deleting_at BIGINT,
    PRIMARY KEY (organisation_id, sha256)
);
CREATE INDEX blobs_touched ON blobs (touched_at);

-- Which case references which blob (attachments, observation attachments, profile photo),
-- recomputed after every admitted change of the case.
CREATE TABLE blob_references (
    document_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (document_id, sha256)
);
CREATE INDEX blob_references_blob ON blob_references (sha256, organisation_id);

-- Resumable uploads: progress here, parts (encrypted) in object storage, so that any
-- instance can continue an upload another one started.
CREATE TABLE blob_uploads (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    key_id TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX blob_uploads_updated ON blob_uploads (updated_at);

CREATE TABLE blob_upload_parts (
    upload_id TEXT NOT NULL REFERENCES blob_uploads(id) ON DELETE CASCADE,
    first_byte BIGINT NOT NULL,
    length BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    PRIMARY KEY (upload_id, first_byte)
);
