//! Devices and their bearer tokens. A token is 32 random bytes shown once; only its SHA-256
//! is stored, so a copied database does not let anyone sync.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use casesync_contract::Role;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::DbError;
use crate::tables::{devices, users};
use crate::{now_millis, DbConn};

/// A device just enrolled, with the token it must keep.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnrolledDevice {
    pub device_id: String,
    pub user_id: String,
    pub name: String,
    /// Shown once; store it on the device.
    pub token: String,
}

/// Who is calling, once the token checks out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedDevice {
    pub device_id: String,
    pub device_name: String,
    pub user_id: String,
    pub user_name: String,
    pub role: Role,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub wipe_requested: bool,
}

/// The prefix of device tokens: lets secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "csd_";

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn enrol(
    conn: &mut DbConn,
    user_id: &str,
    name: &str,
    expires_at: Option<i64>,
) -> Result<EnrolledDevice, DbError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DbError::Invalid("device name must not be empty".into()));
    }
    let token = new_token();
    let device = EnrolledDevice {
        device_id: super::new_id(),
        user_id: user_id.to_string(),
        name: name.to_string(),
        token,
    };
    diesel::insert_into(devices::table)
        .values((
            devices::id.eq(&device.device_id),
            devices::user_id.eq(user_id),
            devices::name.eq(name),
            devices::token_hash.eq(hash_token(&device.token)),
            devices::created_at.eq(now_millis()),
            devices::expires_at.eq(expires_at),
            devices::wipe_requested.eq(false),
        ))
        .execute(conn)?;
    Ok(device)
}

type AuthRow = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    bool,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// The device a token belongs to, if the token is valid now. Revoked and expired tokens are
/// refused the same way as unknown ones.
/// Whether a device authenticated earlier may still hold its live session: `false` once it
/// is revoked, has expired, or (unless it was under the order already) must wipe. Sessions
/// ask when they may have missed the event that would have closed them.
pub fn still_admitted(
    conn: &mut DbConn,
    device_id: &str,
    under_wipe: bool,
    now: i64,
) -> Result<bool, DbError> {
    let row: Option<(Option<i64>, Option<i64>, bool)> = devices::table
        .filter(devices::id.eq(device_id))
        .select((
            devices::expires_at,
            devices::revoked_at,
            devices::wipe_requested,
        ))
        .first(conn)
        .optional()?;
    Ok(row.is_some_and(|(expires, revoked, wipe)| {
        let cut = if wipe { !under_wipe } else { revoked.is_some() };
        !cut && expires.is_none_or(|t| t > now)
    }))
}

pub fn authenticate(
    conn: &mut DbConn,
    token: &str,
    now: i64,
) -> Result<Option<AuthenticatedDevice>, DbError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let row: Option<AuthRow> = devices::table
        .inner_join(users::table)
        .filter(devices::token_hash.eq(hash_token(token)))
        .select((
            devices::id,
            devices::name,
            devices::expires_at,
            devices::revoked_at,
            devices::wipe_requested,
            users::id,
            users::name,
            users::role,
            users::organisation_id,
            users::site_id,
        ))
        .first(conn)
        .optional()?;
    let Some((device_id, device_name, expires, revoked, wipe, user_id, user_name, role, org, site)) =
        row
    else {
        return Ok(None);
    };
    // A wiped device must still reach the server once to learn that it must erase its data.
    if (revoked.is_some() && !wipe) || expires.is_some_and(|t| t <= now) {
        return Ok(None);
    }
    let role =
        Role::parse(&role).ok_or_else(|| DbError::Invalid(format!("unknown role {role}")))?;
    Ok(Some(AuthenticatedDevice {
        device_id,
        device_name,
        user_id,
        user_name,
        role,
        organisation_id: org,
        site_id: site,
        wipe_requested: wipe,
    }))
}
