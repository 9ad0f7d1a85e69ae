-- Alerts and response flows. `dedupe_key` makes raising an alert exactly-once across
-- instances and repeated reports: whoever inserts the key first raises it.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    organisation_id TEXT NOT NULL,
    site_id TEXT,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    document_id TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    stood_down_at BIGINT,
    last_sent_at BIGINT NOT NULL,
    resent INTEGER NOT NULL DEFAULT 0,
    escalated_at BIGINT
);
CREATE INDEX alerts_org_status ON alerts (organisation_id, status);
CREATE INDEX alerts_case ON alerts (case_id);

CREATE TABLE alert_deliveries (
    alert_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    delivered_at BIGINT,
    acknowledged_at BIGINT,
    PRIMARY KEY (alert_id, device_id)
);

-- One alert document per site, and one per organisation (site_key '') for coordinators.
CREATE TABLE alert_documents (
    organisation_id TEXT NOT NULL,
    site_key TEXT NOT NULL,
    document_id TEXT NOT NULL UNIQUE,
    PRIMARY KEY (organisation_id, site_key)
);

-- Derivations that must happen once (a checklist started by its anchor event).
CREATE TABLE derivation_claims (
    key TEXT PRIMARY KEY NOT NULL,
    claimed_at BIGINT NOT NULL
);

-- Escalation rules per organisation (JSON); defaults from the configuration.
CREATE TABLE alert_rules (
    organisation_id TEXT PRIMARY KEY NOT NULL,
    rules TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
