DROP TABLE alert_rules;
DROP TABLE derivation_claims;
DROP TABLE alert_documents;
DROP TABLE alert_deliveries;
DROP TABLE alerts;
