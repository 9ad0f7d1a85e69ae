//! The outbox of derived work (migration 2026-12-03-000007_outbox; `stamp` from
//! 2026-12-07-000008_shared_views).

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
        stamp -> BigInt,
    }
}
