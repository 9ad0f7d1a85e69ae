pub mod assignments;
pub mod conflicts;
pub mod create;
pub mod erase;
pub mod export;
pub mod get;
pub mod legal_hold;
pub mod list;
pub mod missing_pack;
pub mod retention;
pub mod shares;
pub mod timeline;

use casesync_contract::DocumentId;

use crate::auth::Caller;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::error::ApiError;
use crate::state::AppState;

/// The case id from the path, if it names a case the caller may read, after recording the
/// read (`view` says which) in the audit trail. Malformed, unknown and out-of-scope ids all
/// answer 404; a read that cannot be recorded is not served.
pub fn readable_case(
    state: &AppState,
    caller: &Caller,
    id: &str,
    view: &str,
) -> Result<DocumentId, ApiError> {
    let (id, row) = {
        let mut conn = state.db()?;
        crate::domain::access::readable_case(&mut conn, caller, id)?
    };
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::CaseRead)
            .case(&id, &row.organisation_id)
            .detail(serde_json::json!({ "view": view })),
    )?;
    Ok(id)
}

/// Receipts of a case's changes as the views want them.
pub fn receipts(
    state: &AppState,
    id: &DocumentId,
) -> Result<impl Fn(&automerge::ChangeHash) -> Option<casesync_contract::views::Receipt>, ApiError>
{
    let mut conn = state.db()?;
    let map = casesync_schema::store::receipts_of(&mut conn, id)?;
    Ok(move |hash: &automerge::ChangeHash| {
        map.get(&hash.to_string())
            .map(|(device, at)| casesync_contract::views::Receipt {
                device: device.clone(),
                received_at: *at,
            })
    })
}
