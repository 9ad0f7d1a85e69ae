//! Master key rotation: every data key wrapped by another master key than the current one
//! is unwrapped (with a key from `previous_keys`) and wrapped again with the current one.
//! Only database rows change; the encrypted objects stay as they are.

use casesync_schema::blobs::{stored, uploads};
use casesync_schema::DbConn;

use super::keyring::Keyring;
use super::Blobs;

const BATCH: i64 = 500;

/// What a rotation re-wrapped.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rotation {
    /// The master key every data key is now wrapped by.
    pub key_id: String,
    pub blobs: usize,
    pub uploads: usize,
}

/// Re-wraps every data key with the current master key. Fails on the first key that no
/// configured master key opens (nothing is lost: run again with that key in
/// `previous_keys`).
pub fn rotate(conn: &mut DbConn, keys: &Keyring) -> anyhow::Result<Rotation> {
    let current = keys.current_id().to_string();
    let mut blobs = 0;
    loop {
        let rows = stored::wrapped_by_other_keys(conn, &current, BATCH)?;
        for row in &rows {
            let context = Blobs::key_context(&row.organisation_id, &row.sha256);
            let key = keys
                .unwrap(&row.key_id, &row.wrapped_key, &context)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "blob {} of organisation {}: {e}",
                        row.sha256,
                        row.organisation_id
                    )
                })?;
            let (key_id, wrapped) = keys.wrap(&key, &context)?;
            if stored::rewrap(conn, row, &key_id, &wrapped)? {
                blobs += 1;
            }
        }
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    let mut pending = 0;
    loop {
        let rows = uploads::wrapped_by_other_keys(conn, &current, BATCH)?;
        for row in &rows {
            let context = format!("upload:{}", row.id);
            let key = keys
                .unwrap(&row.key_id, &row.wrapped_key, &context)
                .map_err(|e| anyhow::anyhow!("upload {}: {e}", row.id))?;
            let (key_id, wrapped) = keys.wrap(&key, &context)?;
            if uploads::rewrap(conn, row, &key_id, &wrapped)? {
                pending += 1;
            }
        }
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    Ok(Rotation {
        key_id: current,
        blobs,
        uploads: pending,
    })
}
