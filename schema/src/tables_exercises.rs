//! Training exercises (migration 2026-12-07-000011_exercises).

diesel::table! {
    exercises (id) {
        id -> Text,
        organisation_id -> Text,
        scenario -> Text,
        scenario_text -> Text,
        speed -> BigInt,
        case_id -> Text,
        started_at -> BigInt,
        ended_at -> Nullable<BigInt>,
        kept -> Bool,
    }
}

diesel::table! {
    exercise_injects (exercise_id, inject_id) {
        exercise_id -> Text,
        inject_id -> Text,
        played_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(exercises, exercise_injects);
