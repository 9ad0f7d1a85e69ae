-- Coordinator pages: sign-in sessions, failed sign-ins (rate limit), one-time set-password
-- links. In the database so that any instance serves any browser. Times: ms since the epoch.

-- A signed-in browser. Only the SHA-256 of the cookie value is stored; the CSRF token is the
-- synchronizer token every form of the session carries.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- One row per failed sign-in, keyed by user name and client address: the limit holds across
-- instances. Old rows are pruned as new ones are written.
CREATE TABLE web_sign_in_failures (
    id BIGSERIAL PRIMARY KEY,
    attempt_key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX web_sign_in_failures_key ON web_sign_in_failures (attempt_key, at);

-- One-time links that let a person choose their password (printed by the CLI).
CREATE TABLE web_password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
