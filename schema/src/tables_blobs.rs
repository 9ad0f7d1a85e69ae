//! Tables of attachments (migration `2026-11-28-000006_blobs` of each backend).

diesel::table! {
    blobs (organisation_id, sha256) {
        organisation_id -> Text,
        sha256 -> Text,
        object_key -> Text,
        size -> BigInt,
        media_type -> Text,
        key_id -> Text,
        wrapped_key -> Binary,
        created_at -> BigInt,
        touched_at -> BigInt,
        deleting_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    blob_references (document_id, sha256) {
        document_id -> Text,
        organisation_id -> Text,
        sha256 -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    blob_uploads (id) {
        id -> Text,
        organisation_id -> Text,
        device_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        received -> BigInt,
        key_id -> Text,
        wrapped_key -> Binary,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    blob_upload_parts (upload_id, first_byte) {
        upload_id -> Text,
        first_byte -> BigInt,
        length -> BigInt,
        object_key -> Text,
    }
}

diesel::joinable!(blob_upload_parts -> blob_uploads (upload_id));

diesel::allow_tables_to_appear_in_same_query!(
    blobs,
    blob_references,
    blob_uploads,
    blob_upload_parts
);

// References of erased cases are found by their document (the lifecycle worker).
use crate::tables::documents;
diesel::allow_tables_to_appear_in_same_query!(documents, blob_references);
