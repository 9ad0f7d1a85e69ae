use actix_web::{get, web, HttpResponse};
use casesync_contract::views::ChildStatus;
use casesync_contract::wire::{CaseList, CaseSummary};
use casesync_contract::DocumentId;
use serde_json::json;

use crate::auth::Caller;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::scope;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/cases`: the caller's cases with their episode state.
#[utoipa::path(
    tag = "cases",
    responses(
        (
            status = 200,
            description = "The cases of the caller's scope with their state",
            body = CaseList
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
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
        let ids: Vec<String> = scope::cases_in_scope(&mut conn, &caller)?
            .into_iter()
            .map(|row| row.id)
            .collect();
        let rows = casesync_schema::access::scope::summaries_of(&mut conn, &ids)?;
        drop(conn);
        let cases: Vec<CaseSummary> = rows
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
            .collect();
        // Names and states of these cases are now on the caller's screen: one entry lists
        // them all (auditors find it by case id).
        if !cases.is_empty() {
            let shown: Vec<String> = cases.iter().map(|c| c.id.to_string()).collect();
            record(
                &state,
                &Actor::device(&caller),
                AuditEvent::new(AuditAction::CaseListed).detail(json!({ "cases": shown })),
            )?;
        }
        Ok(cases)
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
