//! Devices for org admins and coordinators: list, revoke, remote wipe. Revoking or wiping
//! publishes `DeviceCut`, so live sessions of the device close within a second; its next
//! batch request is refused (revoked) or told to wipe (and refused after that).

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{DeviceList, DeviceSummary};
use casesync_contract::Role;
use casesync_schema::access::devices;
use casesync_schema::directory::AuthenticatedDevice;
use serde_json::json;

use super::require_role;
use crate::domain::audit::{audited, record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

/// Roles that administer devices.
pub const DEVICE_ADMINS: &[Role] = &[Role::OrgAdmin, Role::Coordinator];

pub fn list(state: &AppState, caller: &AuthenticatedDevice) -> Result<DeviceList, DomainError> {
    require_role(caller, DEVICE_ADMINS, "list devices")?;
    let mut conn = state.db()?;
    let rows = devices::list(&mut conn, &caller.organisation_id)?;
    drop(conn);
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::Admin).detail(json!({ "operation": "devices.list" })),
    )?;
    Ok(DeviceList {
        devices: rows
            .into_iter()
            .map(|d| DeviceSummary {
                id: d.id,
                name: d.name,
                user_id: d.user_id,
                user_name: d.user_name,
                role: d.role,
                site_id: d.site_id,
                created_at: d.created_at,
                expires_at: d.expires_at,
                revoked_at: d.revoked_at,
                last_seen_at: d.last_seen_at,
                wipe_requested_at: d.wipe_requested_at,
                wipe_delivered_at: d.wipe_delivered_at,
            })
            .collect(),
    })
}

/// Revokes a device of the caller's organisation: its token is refused from now on.
pub fn revoke(
    state: &AppState,
    caller: &AuthenticatedDevice,
    device: &str,
) -> Result<(), DomainError> {
    cut(state, caller, device, false)
}

/// Revokes a device and orders it to erase its case data at its next contact.
pub fn wipe(
    state: &AppState,
    caller: &AuthenticatedDevice,
    device: &str,
) -> Result<(), DomainError> {
    cut(state, caller, device, true)
}

fn cut(
    state: &AppState,
    caller: &AuthenticatedDevice,
    device: &str,
    wipe: bool,
) -> Result<(), DomainError> {
    require_role(caller, DEVICE_ADMINS, "revoke devices")?;
    let mut conn = state.db()?;
    let owner = devices::owner(&mut conn, device)?
        .filter(|o| o.organisation_id == caller.organisation_id)
        .ok_or_else(|| DomainError::new(ErrorCode::NotFound, "no such device"))?;
    let now = state.now();
    drop(conn);
    audited(state, &Actor::device(caller), |conn| {
        let action = if wipe {
            devices::request_wipe_in(conn, &owner.device_id, &caller.user_id, now)?;
            AuditAction::DeviceWipeRequested
        } else {
            devices::revoke(conn, &owner.device_id, now)?;
            AuditAction::DeviceRevoked
        };
        let event = AuditEvent::new(action).detail(json!({
            "device_id": owner.device_id,
            "user_id": owner.user_id,
        }));
        Ok(((), vec![event]))
    })?;
    state.feed.publish_event(FeedEvent::DeviceCut {
        device_id: owner.device_id,
    });
    Ok(())
}

/// The device received its wipe order (batch reply or caseload): its token dies now. Both
/// sync paths call this once the order is on its way to the device.
pub fn wipe_delivered(state: &AppState, device: &AuthenticatedDevice) -> Result<(), DomainError> {
    let first = audited(state, &Actor::device(device), |conn| {
        if !devices::wipe_delivered_in(conn, &device.device_id, state.now())? {
            return Ok((false, vec![]));
        }
        let event = AuditEvent::new(AuditAction::DeviceWipeDelivered)
            .detail(json!({ "device_id": device.device_id }));
        Ok((true, vec![event]))
    })?;
    if !first {
        return Ok(());
    }
    state.feed.publish_event(FeedEvent::DeviceCut {
        device_id: device.device_id.clone(),
    });
    Ok(())
}
