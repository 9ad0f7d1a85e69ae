//! What a caller may see: the scope of each role (DOMAIN.md, "Who uses it").
//!
//! | role | scope | case documents it holds |
//! |---|---|---|
//! | outreach worker | assigned | cases assigned to the user (including those they opened) |
//! | reception staff | site | cases of the user's site (centre), plus cases assigned to them |
//! | caseworker | assigned | cases they own (opened) or were assigned |
//! | coordinator | organisation | every case of the organisation, and the views of cases shared with it |
//! | org admin, auditor | none | no case content |
//!
//! An assignment counts only for cases of the user's own organisation. A case shared with
//! another organisation never enters that organisation's scope: its coordinators hold the
//! share's view (kind `shared_view`, only the share's data categories) while the share
//! stands, and withdrawing it takes the view off their devices.
//! Outreach workers additionally see the missing pack (not the case) of active-missing cases
//! of their site: [`may_read_missing_pack`]; their devices do not hold those documents.
//!
//! Anything outside scope is reported exactly like a document that does not exist.

use std::collections::BTreeMap;

use casesync_contract::wire::{DocumentKind, ScopeEntry};
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::{assignments, scope as queries};
use casesync_schema::directory::{documents, AuthenticatedDevice, DocumentRow};
use casesync_schema::{DbConn, DbError};

/// How far a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Assigned,
    Site,
    Organisation,
    None,
}

pub fn scope_of(role: Role) -> ScopeKind {
    match role {
        Role::OutreachWorker | Role::Caseworker => ScopeKind::Assigned,
        Role::ReceptionStaff => ScopeKind::Site,
        Role::Coordinator => ScopeKind::Organisation,
        Role::OrgAdmin | Role::Auditor => ScopeKind::None,
    }
}

/// Whether the caller may read this document, judged from the row alone: exact for the
/// organisation and site scopes, and `false` where only the database can tell (assignments).
/// [`readable`] and [`may_read_in`] give the full answer.
pub fn may_read(caller: &AuthenticatedDevice, row: &DocumentRow) -> bool {
    if row.deleted_at.is_some() || !caller.role.reads_cases() {
        return false;
    }
    if row.kind() != Some(DocumentKind::Case) {
        // Alerts and caseloads have rules of their own; this is the organisation bound.
        return row.organisation_id == caller.organisation_id;
    }
    let own_org = row.organisation_id == caller.organisation_id;
    match scope_of(caller.role) {
        ScopeKind::Organisation => own_org,
        ScopeKind::Site => {
            own_org && row.site_id.is_some() && row.site_id.as_deref() == caller.site_id.as_deref()
        }
        ScopeKind::Assigned | ScopeKind::None => false,
    }
}

/// The full check for a row already loaded: the row's own rule, then assignments. A case
/// shared with another organisation stays out of that organisation's reach: its people hold
/// the share's view instead (`domain::shared_views`).
pub fn may_read_in(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    row: &DocumentRow,
) -> Result<bool, DbError> {
    if may_read(caller, row) {
        return Ok(true);
    }
    if row.deleted_at.is_some()
        || !caller.role.reads_cases()
        || row.kind() != Some(DocumentKind::Case)
        || row.organisation_id != caller.organisation_id
    {
        return Ok(false);
    }
    assignments::is_assigned(conn, &row.id, &caller.user_id)
}

/// The document if it exists and is in the caller's scope; `None` otherwise (same answer).
pub fn readable(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Option<DocumentRow>, DbError> {
    let Some(row) = documents::find(conn, id)? else {
        return Ok(None);
    };
    Ok(may_read_in(conn, caller, &row)?.then_some(row))
}

/// The case if the caller may read its missing pack: whoever may read the case, and
/// outreach workers for active-missing cases of their own site.
pub fn may_read_missing_pack(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Option<DocumentRow>, DbError> {
    let Some(row) = documents::find(conn, id)? else {
        return Ok(None);
    };
    if may_read_in(conn, caller, &row)? {
        return Ok(Some(row));
    }
    let same_site = row.organisation_id == caller.organisation_id
        && row.site_id.is_some()
        && row.site_id == caller.site_id
        && row.kind() == Some(DocumentKind::Case);
    if caller.role == Role::OutreachWorker && same_site {
        let missing = queries::case_status(conn, &row.id)?.as_deref() == Some("missing");
        return Ok(missing.then_some(row));
    }
    Ok(None)
}

/// Whether a device may open a case under this id: nobody ever used it, erased cases
/// included (an erased case is never revived by a phone that still holds a copy).
pub fn may_create(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<bool, DbError> {
    Ok(caller.role.reads_cases() && !queries::id_taken(conn, &id.to_string())?)
}

/// Every case document the caller may read, by id.
pub fn cases_in_scope(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
) -> Result<Vec<DocumentRow>, DbError> {
    let mut rows: BTreeMap<String, DocumentRow> = BTreeMap::new();
    let mut add = |list: Vec<DocumentRow>| {
        for row in list {
            rows.entry(row.id.clone()).or_insert(row);
        }
    };
    match scope_of(caller.role) {
        ScopeKind::None => return Ok(vec![]),
        ScopeKind::Organisation => {
            add(documents::of_organisation(
                conn,
                &caller.organisation_id,
                DocumentKind::Case,
            )?);
        }
        ScopeKind::Site => {
            if let Some(site) = &caller.site_id {
                add(queries::cases_of_site(conn, &caller.organisation_id, site)?);
            }
        }
        ScopeKind::Assigned => {}
    }
    let assigned = assignments::of_user(conn, &caller.user_id)?;
    // Assignments count only for the caller's own organisation's cases (an assignment made
    // while another organisation's case was readable through a share no longer is).
    add(queries::live_cases(conn, &assigned)?
        .into_iter()
        .filter(|r| r.organisation_id == caller.organisation_id)
        .collect());
    Ok(rows.into_values().collect())
}

/// Every document the caller's device should hold: its cases, then the shared views it
/// holds for cases of other organisations.
pub fn documents_in_scope(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
) -> Result<Vec<ScopeEntry>, DbError> {
    let views = crate::domain::shared_views::views_in_scope(conn, caller)?;
    Ok(cases_in_scope(conn, caller)?
        .into_iter()
        .filter_map(|row| {
            let id = row.id.parse().ok()?;
            Some(ScopeEntry {
                id,
                kind: row.kind().unwrap_or(DocumentKind::Case),
            })
        })
        .chain(views)
        .collect())
}
