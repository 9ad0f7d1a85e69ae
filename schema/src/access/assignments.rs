//! Who a case is assigned to. An assignment makes the case part of the user's scope (on
//! top of what their role sees anyway); removing it takes the case off their devices.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_access::case_assignments;
use crate::DbConn;

/// Why a user holds a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentReason {
    /// They opened it: outreach workers and caseworkers keep the cases they open.
    Creator,
    /// A coordinator assigned it.
    Assigned,
}

impl AssignmentReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creator => "creator",
            Self::Assigned => "assigned",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = case_assignments)]
pub struct Assignment {
    pub document_id: String,
    pub user_id: String,
    pub reason: String,
    pub assigned_by: String,
    pub assigned_at: i64,
}

/// Assigns; assigning twice keeps the first record. Returns whether a row was added.
pub fn assign(
    conn: &mut DbConn,
    document_id: &str,
    user_id: &str,
    reason: AssignmentReason,
    by: &str,
    at: i64,
) -> Result<bool, DbError> {
    if is_assigned(conn, document_id, user_id)? {
        return Ok(false);
    }
    let inserted = diesel::insert_into(case_assignments::table)
        .values((
            case_assignments::document_id.eq(document_id),
            case_assignments::user_id.eq(user_id),
            case_assignments::reason.eq(reason.as_str()),
            case_assignments::assigned_by.eq(by),
            case_assignments::assigned_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(n) => Ok(n > 0),
        // A concurrent request assigned the same user first: same outcome.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Removes an assignment. Returns whether there was one.
pub fn unassign(conn: &mut DbConn, document_id: &str, user_id: &str) -> Result<bool, DbError> {
    let n = diesel::delete(
        case_assignments::table
            .filter(case_assignments::document_id.eq(document_id))
            .filter(case_assignments::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

pub fn is_assigned(conn: &mut DbConn, document_id: &str, user_id: &str) -> Result<bool, DbError> {
    let n: i64 = case_assignments::table
        .filter(case_assignments::document_id.eq(document_id))
        .filter(case_assignments::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Document ids assigned to a user.
pub fn of_user(conn: &mut DbConn, user_id: &str) -> Result<Vec<String>, DbError> {
    Ok(case_assignments::table
        .filter(case_assignments::user_id.eq(user_id))
        .select(case_assignments::document_id)
        .load(conn)?)
}

pub fn of_document(conn: &mut DbConn, document_id: &str) -> Result<Vec<Assignment>, DbError> {
    Ok(case_assignments::table
        .filter(case_assignments::document_id.eq(document_id))
        .order(case_assignments::assigned_at.asc())
        .select(Assignment::as_select())
        .load(conn)?)
}

/// Removes the assignments of a case held by users of an organisation (a share withdrawn).
pub fn remove_for_users(
    conn: &mut DbConn,
    document_id: &str,
    user_ids: &[String],
) -> Result<usize, DbError> {
    if user_ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(
        case_assignments::table
            .filter(case_assignments::document_id.eq(document_id))
            .filter(case_assignments::user_id.eq_any(user_ids)),
    )
    .execute(conn)?)
}
