//! Opening a case for a page: the same scope rule as the API (unknown, malformed and
//! out-of-scope ids all answer the "not found" page) and an audit entry for every view.

use casesync_contract::DocumentId;
use casesync_schema::directory::DocumentRow;
use serde_json::json;

use super::error::PageError;
use super::session::PageUser;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::state::AppState;

/// The case if the person may read it, after recording the view (`view` says which page).
/// Blocking. A view that cannot be recorded is not shown.
pub fn open_case(
    state: &AppState,
    user: &PageUser,
    id: &str,
    view: &str,
) -> Result<(DocumentId, DocumentRow), PageError> {
    let device = user.as_device();
    let lang = user.lang;
    let mut conn = state.db().map_err(|e| PageError::from_api(lang, e))?;
    let (id, row) = crate::domain::access::readable_case(&mut conn, &device, id)
        .map_err(|e| PageError::from_api(lang, e))?;
    drop(conn);
    record(
        state,
        &Actor::device(&device),
        AuditEvent::new(AuditAction::CaseRead)
            .case(&id, &row.organisation_id)
            .detail(json!({ "view": view, "via": "web" })),
    )
    .map_err(|e| PageError::from_api(lang, e))?;
    Ok((id, row))
}

/// Runs blocking page work off the async executor, mapping a failed task to the error page.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    actix_web::web::block(f).await?
}
