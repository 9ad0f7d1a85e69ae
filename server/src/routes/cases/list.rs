use actix_web::{get, web, HttpResponse};
use casesync_contract::views::ChildStatus;
use casesync_contract::wire::{CaseList, CaseSummary};
use casesync_contract::DocumentId;
use casesync_schema::directory::summaries;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /v1/cases`: the caller's cases with their episode state.
#[get("/v1/cases")]
pub async fn list_cases(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let cases = web::block(move || -> Result<Vec<CaseSummary>, ApiError> {
        if !caller.role.reads_cases() {
            return Ok(vec![]);
        }
        let mut conn = state.db()?;
        let rows = summaries::of_organisation(&mut conn, &caller.organisation_id)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let id: DocumentId = row.document_id.parse().ok()?;
                Some(CaseSummary {
                    id,
                    url: id.url(),
                    reference: row.reference,
                    display_name: row.display_name,
                    site: row.site_id,
                    status: parse_status(&row.status),
                    status_since: row.status_since,
                    open_conflicts: row.open_conflicts.max(0) as usize,
                    updated_at: row.updated_at,
                })
            })
            .collect())
    })
    .await??;
    Ok(HttpResponse::Ok().json(CaseList { cases }))
}

fn parse_status(s: &str) -> ChildStatus {
    match s {
        "late" => ChildStatus::Late,
        "absent" => ChildStatus::Absent,
        "missing" => ChildStatus::Missing,
        "located" => ChildStatus::Located,
        "returned" => ChildStatus::Returned,
        _ => ChildStatus::Present,
    }
}
