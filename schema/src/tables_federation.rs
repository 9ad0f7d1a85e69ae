//! Federation between casesync servers (migration 2026-12-07-000012_federation).

diesel::table! {
    peer_outbox (id) {
        id -> BigInt,
        peer -> Text,
        kind -> Text,
        subject -> Text,
        payload -> Text,
        created_at -> BigInt,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        claimed_until -> BigInt,
        sent_at -> Nullable<BigInt>,
        answer -> Nullable<Text>,
        refused -> Nullable<Text>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    peer_heads (peer, document_id) {
        peer -> Text,
        document_id -> Text,
        heads -> Text,
    }
}

diesel::table! {
    peer_views (view_id) {
        view_id -> Text,
        peer -> Text,
        source_organisation -> Text,
        partner_organisation -> Text,
        reference -> Text,
        legal_basis -> Text,
        purpose -> Text,
        categories -> Text,
        cross_border -> Bool,
        shared_at -> BigInt,
        received_at -> BigInt,
        withdrawn_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    peer_people (peer, user_id) {
        peer -> Text,
        user_id -> Text,
        organisation_id -> Text,
        name -> Text,
        seen_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(peer_outbox, peer_heads, peer_views, peer_people);
