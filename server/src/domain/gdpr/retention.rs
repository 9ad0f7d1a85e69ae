//! Retention classes and their expiry job. Each case has a class (the configured default
//! unless a coordinator set one); a case quiet for longer than its class's days, and not
//! under a legal hold, is erased by the server like an erasure request, with the class in
//! its tombstone.

use std::time::Duration;

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{RetentionState, SetRetention};
use casesync_contract::DocumentId;
use casesync_schema::access::retention;
use casesync_schema::directory::{documents, AuthenticatedDevice};
use serde_json::json;

use super::erase::{erase, Holds};
use crate::domain::access::{readable_case, require_owning_coordinator};
use crate::domain::audit::{audited, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Cases looked at per page.
const BATCH: i64 = 500;

pub fn set_class(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    request: SetRetention,
) -> Result<RetentionState, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, "set retention")?;
    let classes = &state.config.access.retention_classes;
    let Some(days) = classes.get(&request.class).copied() else {
        return Err(DomainError::new(
            ErrorCode::InvalidRequest,
            format!(
                "unknown retention class \"{}\"; one of: {}",
                request.class,
                classes.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    drop(conn);
    audited(state, &Actor::device(caller), |conn| {
        retention::set_class_in(conn, &row.id, &request.class, &caller.user_id, state.now())?;
        let event = AuditEvent::new(AuditAction::RetentionSet)
            .case(&id, &row.organisation_id)
            .detail(json!({ "class": request.class, "days": days }));
        Ok(((), vec![event]))
    })?;
    Ok(RetentionState {
        case_id: id,
        class: request.class,
        days,
    })
}

/// Erases every case past its retention. Returns how many were erased.
pub fn expire_due(state: &AppState) -> Result<usize, DomainError> {
    let cfg = &state.config.access;
    let Some(shortest) = cfg.retention_classes.values().min().copied() else {
        return Ok(0);
    };
    let now = state.now();
    let mut erased = 0;
    let mut offset = 0;
    loop {
        let page = {
            let mut conn = state.db()?;
            retention::quiet_cases(&mut conn, now - i64::from(shortest) * DAY_MS, offset, BATCH)?
        };
        let mut kept = 0;
        for candidate in &page {
            if expire_one(state, candidate, now)? {
                erased += 1;
            } else {
                kept += 1;
            }
        }
        // Erased cases leave the list; the ones kept are skipped on the next page.
        offset += kept;
        if (page.len() as i64) < BATCH {
            break;
        }
    }
    if erased > 0 {
        tracing::info!(erased, "cases past retention erased");
    }
    Ok(erased)
}

/// Erases one quiet case if its class says it is due. Returns whether it was erased.
fn expire_one(
    state: &AppState,
    candidate: &retention::RetentionCandidate,
    now: i64,
) -> Result<bool, DomainError> {
    let cfg = &state.config.access;
    let Some(days) = cfg.retention_days(candidate.class.as_deref()) else {
        return Ok(false);
    };
    if candidate.last_activity + i64::from(days) * DAY_MS > now {
        return Ok(false);
    }
    let Ok(id) = candidate.document_id.parse::<DocumentId>() else {
        return Ok(false);
    };
    let row = {
        let mut conn = state.db()?;
        documents::find(&mut conn, &id)?
    };
    let Some(row) = row else { return Ok(false) };
    let class = candidate
        .class
        .clone()
        .unwrap_or_else(|| cfg.default_retention_class.clone());
    let why = json!({ "reason": "retention_expired", "class": class, "days": days });
    match erase(state, &Actor::Server, &id, &row, why, Holds::Respect) {
        Ok(_) => Ok(true),
        // A hold placed since the candidates were listed.
        Err(e) if e.code() == ErrorCode::LegalHold => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs [`expire_due`] every `retention_check_secs`, off the request path.
pub fn spawn(state: &AppState) {
    let state = state.clone();
    let period = Duration::from_secs(state.config.access.retention_check_secs.max(1));
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await; // not at start-up: let the server come up first
        loop {
            tick.tick().await;
            let state = state.clone();
            match actix_web::rt::task::spawn_blocking(move || expire_due(&state)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "retention expiry failed"),
                Err(e) => tracing::warn!(error = %e, "retention expiry panicked"),
            }
        }
    });
}
