//! Table definitions shared by both backends (the migrations per backend create them).

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        created_at -> BigInt,
        peer -> Nullable<Text>,
    }
}

diesel::table! {
    sites (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        created_at -> BigInt,
        country -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organisation_id -> Text,
        site_id -> Nullable<Text>,
        role -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        created_at -> BigInt,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    devices (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        expires_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        wipe_requested -> Bool,
        last_seen_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    device_actors (actor) {
        actor -> Text,
        device_id -> Text,
        bound_at -> BigInt,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        kind -> Text,
        organisation_id -> Text,
        site_id -> Nullable<Text>,
        last_seq -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    doc_chunks (document_id, seq) {
        document_id -> Text,
        seq -> BigInt,
        kind -> Text,
        bytes -> Binary,
        created_at -> BigInt,
    }
}

diesel::table! {
    change_receipts (document_id, change_hash) {
        document_id -> Text,
        change_hash -> Text,
        device_id -> Text,
        received_at -> BigInt,
    }
}

diesel::table! {
    case_summaries (document_id) {
        document_id -> Text,
        organisation_id -> Text,
        site_id -> Text,
        reference -> Text,
        display_name -> Text,
        status -> Text,
        status_since -> Nullable<BigInt>,
        open_conflicts -> Integer,
        updated_at -> BigInt,
    }
}

diesel::joinable!(sites -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(devices -> users (user_id));
diesel::joinable!(doc_chunks -> documents (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    sites,
    users,
    devices,
    device_actors,
    documents,
    doc_chunks,
    change_receipts,
    case_summaries,
);
