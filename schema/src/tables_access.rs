//! Tables of access control, the audit trail and data protection (migration
//! 2026-11-28-000003_access).

diesel::table! {
    case_assignments (document_id, user_id) {
        document_id -> Text,
        user_id -> Text,
        reason -> Text,
        assigned_by -> Text,
        assigned_at -> BigInt,
    }
}

diesel::table! {
    case_shares (id) {
        id -> Text,
        document_id -> Text,
        organisation_id -> Text,
        legal_basis -> Text,
        purpose -> Text,
        data_categories -> Text,
        cross_border -> Bool,
        shared_by -> Text,
        shared_at -> BigInt,
        withdrawn_at -> Nullable<BigInt>,
        withdrawn_by -> Nullable<Text>,
        view_id -> Nullable<Text>,
        rests_on -> Nullable<Text>,
    }
}

diesel::table! {
    share_versions (share_id, version) {
        share_id -> Text,
        version -> Integer,
        sent_at -> BigInt,
        categories -> Text,
        digest -> Text,
    }
}

diesel::table! {
    legal_holds (document_id) {
        document_id -> Text,
        reason -> Text,
        placed_by -> Text,
        placed_at -> BigInt,
    }
}

diesel::table! {
    case_retention (document_id) {
        document_id -> Text,
        retention_class -> Text,
        set_by -> Text,
        set_at -> BigInt,
    }
}

diesel::table! {
    enrolment_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
        created_by -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        device_id -> Nullable<Text>,
    }
}

diesel::table! {
    device_wipes (device_id) {
        device_id -> Text,
        requested_by -> Text,
        requested_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> BigInt,
        actor_kind -> Text,
        actor_user -> Nullable<Text>,
        actor_device -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        action -> Text,
        case_id -> Nullable<Text>,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    case_assignments,
    case_shares,
    share_versions,
    legal_holds,
    case_retention,
    enrolment_codes,
    device_wipes,
    audit_log,
    audit_head,
);
