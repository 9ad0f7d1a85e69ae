//! Tables of alerts and response flows (migration 2026-11-28-000004_alerts).

diesel::table! {
    alerts (id) {
        id -> Text,
        dedupe_key -> Text,
        organisation_id -> Text,
        site_id -> Nullable<Text>,
        case_id -> Text,
        kind -> Text,
        audience -> Text,
        document_id -> Text,
        status -> Text,
        raised_at -> BigInt,
        stood_down_at -> Nullable<BigInt>,
        last_sent_at -> BigInt,
        resent -> Integer,
        escalated_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    alert_deliveries (alert_id, device_id) {
        alert_id -> Text,
        device_id -> Text,
        delivered_at -> Nullable<BigInt>,
        acknowledged_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    alert_documents (organisation_id, site_key) {
        organisation_id -> Text,
        site_key -> Text,
        document_id -> Text,
    }
}

diesel::table! {
    derivation_claims (key) {
        key -> Text,
        claimed_at -> BigInt,
    }
}

diesel::table! {
    alert_rules (organisation_id) {
        organisation_id -> Text,
        rules -> Text,
        updated_at -> BigInt,
    }
}
