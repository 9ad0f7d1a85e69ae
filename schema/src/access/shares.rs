//! Explicit shares of a case with another organisation. Each names its legal basis, purpose
//! and the data categories it covers; withdrawing keeps the record.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_access::case_shares;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = case_shares)]
pub struct ShareRow {
    pub id: String,
    pub document_id: String,
    pub organisation_id: String,
    pub legal_basis: String,
    pub purpose: String,
    /// JSON array of category names.
    pub data_categories: String,
    pub cross_border: bool,
    pub shared_by: String,
    pub shared_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_by: Option<String>,
    /// The shared view document (kind `shared_view`) the partner holds instead of the case.
    pub view_id: Option<String>,
    /// The case's legal basis entry the share rests on, if it names one.
    pub rests_on: Option<String>,
}

impl ShareRow {
    pub fn categories(&self) -> Vec<String> {
        serde_json::from_str(&self.data_categories).unwrap_or_default()
    }
}

/// A share about to be recorded.
#[derive(Debug, Clone)]
pub struct NewShare<'a> {
    pub document_id: &'a str,
    pub organisation_id: &'a str,
    pub legal_basis: &'a str,
    pub purpose: &'a str,
    pub data_categories: &'a [String],
    pub cross_border: bool,
    pub shared_by: &'a str,
    pub shared_at: i64,
    pub view_id: &'a str,
    pub rests_on: Option<&'a str>,
}

pub fn create(conn: &mut DbConn, new: &NewShare<'_>) -> Result<ShareRow, DbError> {
    let categories = serde_json::to_string(new.data_categories)
        .map_err(|e| DbError::Invalid(format!("data categories: {e}")))?;
    let row = ShareRow {
        id: crate::directory::new_id(),
        document_id: new.document_id.to_string(),
        organisation_id: new.organisation_id.to_string(),
        legal_basis: new.legal_basis.to_string(),
        purpose: new.purpose.to_string(),
        data_categories: categories,
        cross_border: new.cross_border,
        shared_by: new.shared_by.to_string(),
        shared_at: new.shared_at,
        withdrawn_at: None,
        withdrawn_by: None,
        view_id: Some(new.view_id.to_string()),
        rests_on: new.rests_on.map(str::to_string),
    };
    diesel::insert_into(case_shares::table)
        .values((
            case_shares::id.eq(&row.id),
            case_shares::document_id.eq(&row.document_id),
            case_shares::organisation_id.eq(&row.organisation_id),
            case_shares::legal_basis.eq(&row.legal_basis),
            case_shares::purpose.eq(&row.purpose),
            case_shares::data_categories.eq(&row.data_categories),
            case_shares::cross_border.eq(row.cross_border),
            case_shares::shared_by.eq(&row.shared_by),
            case_shares::shared_at.eq(row.shared_at),
            case_shares::view_id.eq(&row.view_id),
            case_shares::rests_on.eq(&row.rests_on),
        ))
        .execute(conn)?;
    Ok(row)
}

/// Withdraws an active share of a document. `None` if there is no such active share.
pub fn withdraw(
    conn: &mut DbConn,
    document_id: &str,
    share_id: &str,
    by: &str,
    at: i64,
) -> Result<Option<ShareRow>, DbError> {
    let n = diesel::update(
        case_shares::table
            .filter(case_shares::id.eq(share_id))
            .filter(case_shares::document_id.eq(document_id))
            .filter(case_shares::withdrawn_at.is_null()),
    )
    .set((
        case_shares::withdrawn_at.eq(Some(at)),
        case_shares::withdrawn_by.eq(Some(by)),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(case_shares::table
        .filter(case_shares::id.eq(share_id))
        .select(ShareRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the document is shared with the organisation now.
pub fn is_shared_with(
    conn: &mut DbConn,
    document_id: &str,
    organisation_id: &str,
) -> Result<bool, DbError> {
    let n: i64 = case_shares::table
        .filter(case_shares::document_id.eq(document_id))
        .filter(case_shares::organisation_id.eq(organisation_id))
        .filter(case_shares::withdrawn_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Document ids shared with an organisation now.
pub fn shared_with(conn: &mut DbConn, organisation_id: &str) -> Result<Vec<String>, DbError> {
    Ok(case_shares::table
        .filter(case_shares::organisation_id.eq(organisation_id))
        .filter(case_shares::withdrawn_at.is_null())
        .select(case_shares::document_id)
        .distinct()
        .load(conn)?)
}

/// Every share of a document, active or withdrawn, oldest first.
pub fn of_document(conn: &mut DbConn, document_id: &str) -> Result<Vec<ShareRow>, DbError> {
    Ok(case_shares::table
        .filter(case_shares::document_id.eq(document_id))
        .order(case_shares::shared_at.asc())
        .select(ShareRow::as_select())
        .load(conn)?)
}

/// The share a view document belongs to, active or withdrawn.
pub fn by_view(conn: &mut DbConn, view_id: &str) -> Result<Option<ShareRow>, DbError> {
    Ok(case_shares::table
        .filter(case_shares::view_id.eq(view_id))
        .select(ShareRow::as_select())
        .first(conn)
        .optional()?)
}

/// The active shares of a document, oldest first.
pub fn active_of_document(conn: &mut DbConn, document_id: &str) -> Result<Vec<ShareRow>, DbError> {
    Ok(case_shares::table
        .filter(case_shares::document_id.eq(document_id))
        .filter(case_shares::withdrawn_at.is_null())
        .order(case_shares::shared_at.asc())
        .select(ShareRow::as_select())
        .load(conn)?)
}

/// The active shares with an organisation, for the documents given (all of them when
/// `documents` is `None`).
pub fn active_with(
    conn: &mut DbConn,
    organisation_id: &str,
    documents: Option<&[String]>,
) -> Result<Vec<ShareRow>, DbError> {
    let mut query = case_shares::table
        .filter(case_shares::organisation_id.eq(organisation_id))
        .filter(case_shares::withdrawn_at.is_null())
        .select(ShareRow::as_select())
        .into_boxed();
    if let Some(documents) = documents {
        query = query.filter(case_shares::document_id.eq_any(documents));
    }
    Ok(query.load(conn)?)
}

/// Gives a share made before shared views existed its view id; returns the id it has now
/// (another instance may have given it one first).
pub fn ensure_view_id(
    conn: &mut DbConn,
    share_id: &str,
    proposed: &str,
) -> Result<String, DbError> {
    diesel::update(
        case_shares::table
            .filter(case_shares::id.eq(share_id))
            .filter(case_shares::view_id.is_null()),
    )
    .set(case_shares::view_id.eq(Some(proposed)))
    .execute(conn)?;
    case_shares::table
        .filter(case_shares::id.eq(share_id))
        .select(case_shares::view_id)
        .first::<Option<String>>(conn)?
        .ok_or_else(|| DbError::NotFound(format!("view of share {share_id}")))
}
