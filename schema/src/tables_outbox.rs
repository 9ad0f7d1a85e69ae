//! The outbox of derived work (migration 2026-12-03-000007_outbox).

diesel::table! {
    outbox (document_id) {
        document_id -> Text,
        touched -> Text,
        generation -> BigInt,
        queued_at -> BigInt,
        claimed_by -> Nullable<Text>,
        lease_until -> Nullable<BigInt>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}
