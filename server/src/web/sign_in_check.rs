//! Checking a sign-in: the rate limit per user name and client address (in the database, so
//! it holds across instances), the password, and the role. Blocking: argon2 takes tens of
//! milliseconds on purpose.

use casesync_schema::directory::User;
use casesync_schema::web::{credentials, sessions, sign_in_failures};
use serde_json::json;

use super::passwords;
use super::session::{web_device_id, PAGE_ROLES};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::error::ApiError;
use crate::state::AppState;

pub enum SignInOutcome {
    Opened {
        cookie_value: String,
        // Boxed: a user is far larger than the other variants, which carry nothing.
        user: Box<User>,
        max_age_secs: i64,
    },
    WrongCredentials,
    NotForRole,
    RateLimited,
}

pub fn check(
    state: &AppState,
    name: &str,
    password: &str,
    client: &str,
) -> Result<SignInOutcome, ApiError> {
    let cfg = &state.config.web;
    let now = state.now();
    let window = i64::try_from(cfg.sign_in_window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let key = format!("{}|{client}", name.trim().to_lowercase());
    let mut conn = state.db()?;
    if sign_in_failures::count_since(&mut conn, &key, now - window)?
        >= i64::from(cfg.sign_in_attempts)
    {
        return Ok(SignInOutcome::RateLimited);
    }
    let candidates = credentials::users_named(&mut conn, name)?;
    drop(conn);
    // Names are unique per organisation: the password tells which person it is. With no
    // candidate one verification still runs, so timing does not reveal the name exists.
    let matched = if candidates.is_empty() {
        passwords::verify(password, None);
        None
    } else {
        candidates
            .into_iter()
            .find(|u| passwords::verify(password, u.password_hash.as_deref()))
    };
    let mut conn = state.db()?;
    let Some(user) = matched else {
        sign_in_failures::record(&mut conn, &key, now, now - window)?;
        return Ok(SignInOutcome::WrongCredentials);
    };
    sign_in_failures::clear(&mut conn, &key)?;
    let role = user.role()?;
    if !PAGE_ROLES.contains(&role) {
        return Ok(SignInOutcome::NotForRole);
    }
    let max_age_secs = i64::from(cfg.session_hours) * 3600;
    let opened = sessions::open(&mut conn, &user.id, now, now + max_age_secs * 1000)?;
    drop(conn);
    record(
        state,
        &Actor::Device {
            device_id: web_device_id(&user.id),
            user_id: user.id.clone(),
            organisation_id: user.organisation_id.clone(),
        },
        AuditEvent::new(AuditAction::Login).detail(json!({ "via": "web" })),
    )?;
    Ok(SignInOutcome::Opened {
        cookie_value: opened.cookie_value,
        user: Box::new(user),
        max_age_secs,
    })
}
