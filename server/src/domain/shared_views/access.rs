//! Who holds a shared view: the coordinators of the partner organisation while the share
//! stands, and the partner's people they assign to it (assignments keyed by the view's id).
//! The sharing organisation reads it (it is theirs, and shows what was sent) but its devices
//! never hold it: they hold the case.

use casesync_contract::wire::{DocumentKind, ScopeEntry};
use casesync_contract::Role;
use casesync_schema::access::{assignments, scope as queries, shares};
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use casesync_schema::federation::views as peer_views;
use casesync_schema::{DbConn, DbError};

/// The views a device of the caller holds: those of active shares with the caller's
/// organisation whose document is written (a coordinator: all of them; others: those
/// assigned to them).
pub fn views_in_scope(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
) -> Result<Vec<ScopeEntry>, DbError> {
    if !caller.role.reads_cases() {
        return Ok(vec![]);
    }
    let mut ids: Vec<String> = shares::active_with(conn, &caller.organisation_id, None)?
        .into_iter()
        .filter_map(|s| s.view_id)
        .chain(
            peer_views::active_for(conn, &caller.organisation_id)?
                .into_iter()
                .map(|v| v.view_id),
        )
        .collect();
    if caller.role != Role::Coordinator {
        let assigned = assignments::of_user(conn, &caller.user_id)?;
        ids.retain(|id| assigned.contains(id));
    }
    Ok(
        queries::live_of_kind(conn, &ids, DocumentKind::SharedView.as_str())?
            .into_iter()
            .filter_map(|row| row.id.parse().ok())
            .map(|id| ScopeEntry {
                id,
                kind: DocumentKind::SharedView,
            })
            .collect(),
    )
}

/// Whether the caller may sync (hold) this view: while the share stands, a coordinator of
/// the partner organisation, or one of its people assigned to the view.
pub fn may_sync_view(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    row: &DocumentRow,
) -> Result<bool, DbError> {
    if row.deleted_at.is_some() || !caller.role.reads_cases() {
        return Ok(false);
    }
    let active = match shares::by_view(conn, &row.id)? {
        Some(s) => s.withdrawn_at.is_none() && s.organisation_id == caller.organisation_id,
        // A view a peer server's organisation shared with the caller's (federation).
        None => peer_views::find(conn, &row.id)?.is_some_and(|v| {
            v.withdrawn_at.is_none() && v.partner_organisation == caller.organisation_id
        }),
    };
    if !active {
        return Ok(false);
    }
    if caller.role == Role::Coordinator {
        return Ok(true);
    }
    assignments::is_assigned(conn, &row.id, &caller.user_id)
}

/// The view if the caller may assign its own people to it: a coordinator of the partner
/// organisation while the share stands.
pub fn assignable_view(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &casesync_contract::DocumentId,
) -> Result<Option<DocumentRow>, DbError> {
    let Some(row) = casesync_schema::directory::documents::find(conn, id)? else {
        return Ok(None);
    };
    let ok = row.kind() == Some(DocumentKind::SharedView)
        && caller.role == Role::Coordinator
        && may_sync_view(conn, caller, &row)?;
    Ok(ok.then_some(row))
}

/// Whether the caller may read this view through the API or the pages: whoever holds it,
/// and the sharing organisation's coordinators (active or withdrawn: the record of what was
/// sent stays theirs).
pub fn may_read_view(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    row: &DocumentRow,
) -> Result<bool, DbError> {
    if row.deleted_at.is_some() {
        return Ok(false);
    }
    if caller.role == Role::Coordinator && row.organisation_id == caller.organisation_id {
        return Ok(true);
    }
    may_sync_view(conn, caller, row)
}
