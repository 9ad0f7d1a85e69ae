pub mod conflicts;
pub mod create;
pub mod get;
pub mod list;
pub mod timeline;

use casesync_contract::DocumentId;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The case id from the path, if it names a case the caller may read. Malformed, unknown and
/// out-of-scope ids all answer 404.
pub fn readable_case(state: &AppState, caller: &Caller, id: &str) -> Result<DocumentId, ApiError> {
    let id: DocumentId = id.parse().map_err(|_| ApiError::not_found())?;
    let mut conn = state.db()?;
    let row =
        crate::domain::scope::readable(&mut conn, caller, &id)?.ok_or_else(ApiError::not_found)?;
    if row.kind() != Some(casesync_contract::wire::DocumentKind::Case) {
        return Err(ApiError::not_found());
    }
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
