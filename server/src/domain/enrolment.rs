//! Enrolling a phone: an org admin or coordinator creates a one-time code for a user (text
//! and QR code); the phone exchanges it, without a token, for a device token bound to that
//! user, their role and site. Codes are single-use and expire; tokens expire after the
//! configured days. Attempts are rate-limited per client address and per code.
//!
//! A coordinator enrols field staff and other coordinators; only an org admin enrols org
//! admins and auditors (a coordinator must not be able to mint an auditor's token).

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{CreateEnrolmentCode, Enrol, Enrolled, EnrolmentCode};
use casesync_contract::Role;
use casesync_schema::access::{enrolment, members};
use casesync_schema::connection::write_tx;
use casesync_schema::directory::{devices, users, AuthenticatedDevice};
use casesync_schema::DbError;
use serde_json::json;

use super::access::require_role;
use casesync_schema::access::audit_key::ChainKey;

use super::audit::{record_in, Actor, AuditAction, AuditEvent};
use super::enrolment_qr::qr_png_base64;
use crate::domain::error::DomainError;
use crate::state::AppState;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Creates a code for `request.user`. `server_url` is where phones reach this server.
pub fn create_code(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: CreateEnrolmentCode,
    server_url: &str,
) -> Result<EnrolmentCode, DomainError> {
    require_role(
        caller,
        &[Role::OrgAdmin, Role::Coordinator],
        "enrol devices",
    )?;
    let mut conn = state.db()?;
    let user = match members::find_in(&mut conn, &caller.organisation_id, request.user.trim()) {
        Ok(user) => user,
        Err(DbError::NotFound(_)) => {
            return Err(DomainError::new(
                ErrorCode::InvalidRequest,
                format!("no user \"{}\" in your organisation", request.user),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let role = user.role()?;
    if caller.role == Role::Coordinator && matches!(role, Role::OrgAdmin | Role::Auditor) {
        return Err(DomainError::forbidden(format!(
            "only an org admin enrols devices for a {role}"
        )));
    }
    let actor = Actor::device(caller);
    let (code, expires_at) = issue(
        &mut conn,
        &state.audit_key,
        &actor,
        &user,
        state.now(),
        state.config.access.enrolment_code_minutes,
    )?;
    drop(conn);
    let qr_text = enrol_link(server_url, &code);
    Ok(EnrolmentCode {
        qr_png_base64: qr_png_base64(&qr_text)?,
        qr_text,
        code,
        user_id: user.id,
        role: role.as_str().to_string(),
        expires_at,
    })
}

/// Stores a code for `user`, valid `minutes` from `now`, and records who issued it (API and
/// CLI alike).
pub fn issue(
    conn: &mut casesync_schema::DbConn,
    key: &ChainKey,
    actor: &Actor,
    user: &users::User,
    now: i64,
    minutes: u32,
) -> Result<(String, i64), DomainError> {
    let expires_at = now + i64::from(minutes) * 60_000;
    let issued_by = match actor {
        Actor::Device { user_id, .. } => user_id.clone(),
        Actor::Cli { .. } => "cli".to_string(),
        Actor::Server => "server".to_string(),
        Actor::Peer { server, .. } => format!("peer:{server}"),
    };
    let event = AuditEvent::new(AuditAction::EnrolmentCodeCreated)
        .organisation(&user.organisation_id)
        .detail(json!({ "user_id": user.id, "expires_at": expires_at }));
    let code = write_tx(conn, |conn| {
        let code = enrolment::create(conn, &user.id, &issued_by, now, expires_at)?;
        record_in(conn, key, actor, &[event], now)?;
        Ok(code)
    })?;
    Ok((code, expires_at))
}

/// What a phone scans: the server's address and the code.
pub fn enrol_link(server_url: &str, code: &str) -> String {
    format!(
        "casesync-enrol:?server={}&code={code}",
        server_url.trim_end_matches('/')
    )
}

/// Exchanges a code for a device token. `client` is the caller's address (rate limit).
pub fn redeem(state: &AppState, request: Enrol, client: &str) -> Result<Enrolled, DomainError> {
    let name = request.device_name.trim().to_string();
    if name.is_empty() || name.len() > 200 {
        return Err(DomainError::new(
            ErrorCode::InvalidRequest,
            "device_name must be 1 to 200 characters",
        ));
    }
    let cfg = &state.config.access;
    let now = state.now();
    let window = i64::try_from(cfg.enrol_window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let code_key = format!("code:{}", enrolment::hash_code(&request.code));
    let limiter = &state.enrol_limiter;
    if !limiter.allow(
        &format!("ip:{client}"),
        cfg.enrol_attempts_per_ip,
        window,
        now,
    ) || !limiter.allow(&code_key, cfg.enrol_attempts_per_code, window, now)
    {
        return Err(DomainError::new(
            ErrorCode::RateLimited,
            "too many enrolment attempts; wait a few minutes",
        ));
    }
    let expires_at = now + i64::from(cfg.device_token_days) * DAY_MS;
    let mut conn = state.db()?;
    let enrolled = write_tx(&mut conn, |conn| {
        let Some(user_id) = enrolment::redeem(conn, &request.code, now)? else {
            return Ok(None);
        };
        let user = users::find(conn, &user_id)?;
        let device = devices::enrol(conn, &user.id, &name, Some(expires_at))?;
        enrolment::attach_device(conn, &request.code, &device.device_id)?;
        let actor = Actor::Device {
            device_id: device.device_id.clone(),
            user_id: user.id.clone(),
            organisation_id: user.organisation_id.clone(),
        };
        let event = AuditEvent::new(AuditAction::DeviceEnrolled)
            .detail(json!({ "device_id": device.device_id, "expires_at": expires_at }));
        record_in(conn, &state.audit_key, &actor, &[event], now)?;
        Ok(Some((user, device)))
    })?;
    let Some((user, device)) = enrolled else {
        return Err(DomainError::new(
            ErrorCode::Unauthorized,
            "the enrolment code is unknown, used or expired",
        ));
    };
    Ok(Enrolled {
        device_id: device.device_id,
        token: device.token,
        role: user.role,
        user_id: user.id,
        organisation_id: user.organisation_id,
        site_id: user.site_id,
        expires_at,
    })
}
