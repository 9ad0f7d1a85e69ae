//! Devices as an administrator sees them: listing, revocation and remote wipe. A revoked
//! token is refused at once; a device told to wipe may still authenticate until the wipe
//! order has been delivered to it once, then its token is dead too.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::{devices, users};
use crate::tables_access::device_wipes;
use crate::DbConn;

/// One device of an organisation, with its state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceListing {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
    pub site_id: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub wipe_requested_at: Option<i64>,
    pub wipe_delivered_at: Option<i64>,
}

/// The owner of a device, for authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceOwner {
    pub device_id: String,
    pub user_id: String,
    pub organisation_id: String,
    pub role: String,
}

type ListRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

pub fn list(conn: &mut DbConn, organisation_id: &str) -> Result<Vec<DeviceListing>, DbError> {
    let rows: Vec<ListRow> = devices::table
        .inner_join(users::table)
        .filter(users::organisation_id.eq(organisation_id))
        .order(devices::created_at.asc())
        .select((
            devices::id,
            devices::name,
            users::id,
            users::name,
            users::role,
            users::site_id,
            devices::created_at,
            devices::expires_at,
            devices::revoked_at,
            devices::last_seen_at,
        ))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let wipes: Vec<(String, i64, Option<i64>)> = device_wipes::table
        .filter(device_wipes::device_id.eq_any(ids))
        .select((
            device_wipes::device_id,
            device_wipes::requested_at,
            device_wipes::delivered_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let wipe = wipes.iter().find(|w| w.0 == r.0);
            DeviceListing {
                wipe_requested_at: wipe.map(|w| w.1),
                wipe_delivered_at: wipe.and_then(|w| w.2),
                id: r.0,
                name: r.1,
                user_id: r.2,
                user_name: r.3,
                role: r.4,
                site_id: r.5,
                created_at: r.6,
                expires_at: r.7,
                revoked_at: r.8,
                last_seen_at: r.9,
            }
        })
        .collect())
}

pub fn owner(conn: &mut DbConn, device_id: &str) -> Result<Option<DeviceOwner>, DbError> {
    let row: Option<(String, String, String, String)> = devices::table
        .inner_join(users::table)
        .filter(devices::id.eq(device_id))
        .select((devices::id, users::id, users::organisation_id, users::role))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(device_id, user_id, organisation_id, role)| DeviceOwner {
            device_id,
            user_id,
            organisation_id,
            role,
        }),
    )
}

/// Revokes the device's token (the first revocation time is kept).
pub fn revoke(conn: &mut DbConn, device_id: &str, now: i64) -> Result<(), DbError> {
    diesel::update(
        devices::table
            .filter(devices::id.eq(device_id))
            .filter(devices::revoked_at.is_null()),
    )
    .set(devices::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

/// Revokes the device and orders it to erase its case data at its next contact. Asking
/// again while an order is pending changes nothing.
pub fn request_wipe(conn: &mut DbConn, device_id: &str, by: &str, now: i64) -> Result<(), DbError> {
    crate::connection::write_tx(conn, |conn| request_wipe_in(conn, device_id, by, now))
}

/// [`request_wipe`] inside the caller's write transaction (with its audit entry).
pub fn request_wipe_in(
    conn: &mut DbConn,
    device_id: &str,
    by: &str,
    now: i64,
) -> Result<(), DbError> {
    revoke(conn, device_id, now)?;
    let pending: i64 = device_wipes::table
        .filter(device_wipes::device_id.eq(device_id))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Ok(());
    }
    diesel::update(devices::table.filter(devices::id.eq(device_id)))
        .set(devices::wipe_requested.eq(true))
        .execute(conn)?;
    diesel::insert_into(device_wipes::table)
        .values((
            device_wipes::device_id.eq(device_id),
            device_wipes::requested_by.eq(by),
            device_wipes::requested_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The wipe order reached the device: from now on its token is refused like any revoked one.
/// `true` only for the call that recorded it: two requests racing with the order see one
/// delivery.
pub fn wipe_delivered(conn: &mut DbConn, device_id: &str, now: i64) -> Result<bool, DbError> {
    crate::connection::write_tx(conn, |conn| wipe_delivered_in(conn, device_id, now))
}

/// [`wipe_delivered`] inside the caller's write transaction (with its audit entry).
pub fn wipe_delivered_in(conn: &mut DbConn, device_id: &str, now: i64) -> Result<bool, DbError> {
    diesel::update(devices::table.filter(devices::id.eq(device_id)))
        .set(devices::wipe_requested.eq(false))
        .execute(conn)?;
    let recorded = diesel::update(
        device_wipes::table
            .filter(device_wipes::device_id.eq(device_id))
            .filter(device_wipes::delivered_at.is_null()),
    )
    .set(device_wipes::delivered_at.eq(Some(now)))
    .execute(conn)?;
    Ok(recorded > 0)
}
