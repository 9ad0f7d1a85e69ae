//! Training exercises and the injects they played.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_exercises::{exercise_injects, exercises};
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = exercises)]
pub struct Exercise {
    pub id: String,
    pub organisation_id: String,
    pub scenario: String,
    #[serde(skip)]
    pub scenario_text: String,
    pub speed: i64,
    pub case_id: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub kept: bool,
}

pub fn create(conn: &mut DbConn, exercise: &Exercise) -> Result<(), DbError> {
    diesel::insert_into(exercises::table)
        .values(exercise)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<Exercise>, DbError> {
    Ok(exercises::table
        .find(id)
        .select(Exercise::as_select())
        .first(conn)
        .optional()?)
}

/// The exercise an organisation was made for: `Some` marks a training organisation.
pub fn of_organisation(conn: &mut DbConn, organisation: &str) -> Result<Option<Exercise>, DbError> {
    Ok(exercises::table
        .filter(exercises::organisation_id.eq(organisation))
        .select(Exercise::as_select())
        .first(conn)
        .optional()?)
}

pub fn all(conn: &mut DbConn) -> Result<Vec<Exercise>, DbError> {
    Ok(exercises::table
        .order(exercises::started_at.desc())
        .select(Exercise::as_select())
        .load(conn)?)
}

/// Exercises still running.
pub fn running(conn: &mut DbConn) -> Result<Vec<Exercise>, DbError> {
    Ok(exercises::table
        .filter(exercises::ended_at.is_null())
        .select(Exercise::as_select())
        .load(conn)?)
}

pub fn end(conn: &mut DbConn, id: &str, at: i64, kept: bool) -> Result<(), DbError> {
    diesel::update(exercises::table.find(id))
        .set((exercises::ended_at.eq(at), exercises::kept.eq(kept)))
        .execute(conn)?;
    Ok(())
}

/// Records an inject as played; `false` when it already was (another instance, or a run
/// before a crash). Not inside a transaction: on PostgreSQL the conflict would abort it.
pub fn mark_played(
    conn: &mut DbConn,
    exercise: &str,
    inject: &str,
    at: i64,
) -> Result<bool, DbError> {
    let inserted = diesel::insert_into(exercise_injects::table)
        .values((
            exercise_injects::exercise_id.eq(exercise),
            exercise_injects::inject_id.eq(inject),
            exercise_injects::played_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// (inject id, played at) of every inject played so far.
pub fn played(conn: &mut DbConn, exercise: &str) -> Result<Vec<(String, i64)>, DbError> {
    Ok(exercise_injects::table
        .filter(exercise_injects::exercise_id.eq(exercise))
        .select((exercise_injects::inject_id, exercise_injects::played_at))
        .order(exercise_injects::played_at.asc())
        .load(conn)?)
}
