//! Tables of live sync (migration 2026-11-28-000002_live).

diesel::table! {
    sync_states (device_id, storage_id, document_id) {
        device_id -> Text,
        storage_id -> Text,
        document_id -> Text,
        state -> Binary,
        updated_at -> BigInt,
    }
}

diesel::table! {
    device_caseloads (device_id) {
        device_id -> Text,
        document_id -> Text,
    }
}

diesel::table! {
    server_identity (key) {
        key -> Text,
        value -> Text,
    }
}
