//! Tables of the coordinator pages (migration `2026-11-28-000005_web` of each backend).

diesel::table! {
    web_sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    web_sign_in_failures (id) {
        id -> BigInt,
        attempt_key -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    web_password_links (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    web_sessions,
    web_sign_in_failures,
    web_password_links
);
