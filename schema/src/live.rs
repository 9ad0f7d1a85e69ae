//! What live sync keeps in the database: peers' sync states, each device's caseload
//! document id, and the identity all instances present to peers.

use casesync_contract::DocumentId;
use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_live::{device_caseloads, server_identity, sync_states};
use crate::DbConn;

/// The saved sync state of a device's peer store for a document.
pub fn load_sync_state(
    conn: &mut DbConn,
    device: &str,
    storage_id: &str,
    document: &DocumentId,
) -> Result<Option<Vec<u8>>, DbError> {
    Ok(sync_states::table
        .filter(sync_states::device_id.eq(device))
        .filter(sync_states::storage_id.eq(storage_id))
        .filter(sync_states::document_id.eq(document.to_string()))
        .select(sync_states::state)
        .first(conn)
        .optional()?)
}

pub fn save_sync_state(
    conn: &mut DbConn,
    device: &str,
    storage_id: &str,
    document: &DocumentId,
    state: &[u8],
    now: i64,
) -> Result<(), DbError> {
    let doc = document.to_string();
    write_tx(conn, |conn| {
        diesel::delete(
            sync_states::table
                .filter(sync_states::device_id.eq(device))
                .filter(sync_states::storage_id.eq(storage_id))
                .filter(sync_states::document_id.eq(&doc)),
        )
        .execute(conn)?;
        diesel::insert_into(sync_states::table)
            .values((
                sync_states::device_id.eq(device),
                sync_states::storage_id.eq(storage_id),
                sync_states::document_id.eq(&doc),
                sync_states::state.eq(state),
                sync_states::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// The id of a device's caseload document, if it has one yet.
pub fn caseload_of(conn: &mut DbConn, device: &str) -> Result<Option<DocumentId>, DbError> {
    let id: Option<String> = device_caseloads::table
        .filter(device_caseloads::device_id.eq(device))
        .select(device_caseloads::document_id)
        .first(conn)
        .optional()?;
    Ok(id.and_then(|s| s.parse().ok()))
}

/// The device whose caseload this document is.
pub fn caseload_owner(conn: &mut DbConn, document: &DocumentId) -> Result<Option<String>, DbError> {
    Ok(device_caseloads::table
        .filter(device_caseloads::document_id.eq(document.to_string()))
        .select(device_caseloads::device_id)
        .first(conn)
        .optional()?)
}

/// Records a device's caseload id; if another instance got there first, returns theirs.
pub fn claim_caseload(
    conn: &mut DbConn,
    device: &str,
    document: &DocumentId,
) -> Result<DocumentId, DbError> {
    write_tx(conn, |conn| {
        if let Some(existing) = caseload_of(conn, device)? {
            return Ok(existing);
        }
        diesel::insert_into(device_caseloads::table)
            .values((
                device_caseloads::device_id.eq(device),
                device_caseloads::document_id.eq(document.to_string()),
            ))
            .execute(conn)?;
        Ok(*document)
    })
}

/// A value every instance agrees on, set by whichever instance asks first.
pub fn identity_value(conn: &mut DbConn, key: &str, proposed: &str) -> Result<String, DbError> {
    write_tx(conn, |conn| {
        let existing: Option<String> = server_identity::table
            .filter(server_identity::key.eq(key))
            .select(server_identity::value)
            .first(conn)
            .optional()?;
        if let Some(value) = existing {
            return Ok(value);
        }
        diesel::insert_into(server_identity::table)
            .values((
                server_identity::key.eq(key),
                server_identity::value.eq(proposed),
            ))
            .execute(conn)?;
        Ok(proposed.to_string())
    })
}
