//! Resumable uploads for large files on flaky links. The committed offset is in the
//! database and each part is an encrypted object, so nothing lives in this process: a device
//! whose link dropped asks any instance for the offset and sends the rest. The last part
//! triggers the same verification and storage as a single upload.

use bytes::{Bytes, BytesMut};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{is_blob_hash, UploadStatus};
use casesync_schema::blobs::{stored, uploads, Appended, PartRow, UploadRow};
use casesync_schema::directory::AuthenticatedDevice;

use super::ingest::{ingest, too_large};
use super::keyring::DataKey;
use super::{crypto, info, Blobs};
use crate::error::ApiError;
use crate::state::AppState;

pub fn upload_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such upload")
}

fn key_context(upload_id: &str) -> String {
    format!("upload:{upload_id}")
}

fn part_context(upload_id: &str, first_byte: i64) -> String {
    format!("upload:{upload_id}:{first_byte}")
}

pub fn status(row: &UploadRow) -> UploadStatus {
    UploadStatus {
        id: Some(row.id.clone()),
        sha256: row.sha256.clone(),
        size: row.size.max(0) as u64,
        offset: row.received.max(0) as u64,
        blob: None,
    }
}

/// Opens an upload of `size` bytes, or reports that the organisation already has the blob
/// (`id: None`). Blocking. The flag says whether an upload was created.
pub fn start(
    state: &AppState,
    caller: &AuthenticatedDevice,
    sha256: &str,
    size: u64,
) -> Result<(UploadStatus, bool), ApiError> {
    if !is_blob_hash(sha256) {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "a blob is named by the lowercase hex SHA-256 of its bytes",
        ));
    }
    let limit = state.blobs.config.max_blob_bytes;
    if size > limit {
        return Err(too_large(limit));
    }
    if size == 0 {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "size must be at least 1",
        ));
    }
    let now = state.now();
    let mut conn = state.db()?;
    if let Some(row) = stored::touch_live(&mut conn, &caller.organisation_id, sha256, now)? {
        return Ok((
            UploadStatus {
                id: None,
                sha256: row.sha256.clone(),
                size: row.size.max(0) as u64,
                offset: row.size.max(0) as u64,
                blob: Some(info(&row)),
            },
            false,
        ));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let key = DataKey::random().map_err(ApiError::internal)?;
    let (key_id, wrapped_key) = state
        .blobs
        .keys
        .wrap(&key, &key_context(&id))
        .map_err(ApiError::internal)?;
    let row = UploadRow {
        id,
        organisation_id: caller.organisation_id.clone(),
        device_id: caller.device_id.clone(),
        sha256: sha256.to_string(),
        size: size as i64,
        received: 0,
        key_id,
        wrapped_key,
        created_at: now,
        updated_at: now,
    };
    uploads::create(&mut conn, &row)?;
    Ok((status(&row), true))
}

fn data_key(blobs: &Blobs, row: &UploadRow) -> Result<DataKey, ApiError> {
    blobs
        .keys
        .unwrap(&row.key_id, &row.wrapped_key, &key_context(&row.id))
        .map_err(ApiError::internal)
}

fn offset_mismatch(received: i64) -> ApiError {
    ApiError::new(
        ErrorCode::UploadOffsetMismatch,
        format!("the upload has {received} bytes: send the part that starts there"),
    )
}

/// Appends the part `first..first + bytes.len()` (already checked against the row's size
/// by the route) and, when it completes the upload, stores the blob.
pub async fn append(
    state: &AppState,
    row: UploadRow,
    first: u64,
    bytes: Bytes,
) -> Result<UploadStatus, ApiError> {
    let received = row.received.max(0) as u64;
    let last = first + bytes.len() as u64;
    if last <= received {
        // A retry of a part that was committed before the link dropped.
        return if received == row.size as u64 {
            finish(state, row).await
        } else {
            Ok(status(&row))
        };
    }
    if first != received {
        return Err(offset_mismatch(row.received));
    }
    let key = data_key(&state.blobs, &row)?;
    let sealed = crypto::seal_part(&key, &part_context(&row.id, first as i64), &bytes)
        .map_err(ApiError::internal)?;
    let part = PartRow {
        upload_id: row.id.clone(),
        first_byte: first as i64,
        length: bytes.len() as i64,
        object_key: format!(
            "uploads/{}/{}/{first:012}-{}",
            row.organisation_id,
            row.id,
            uuid::Uuid::new_v4().simple()
        ),
    };
    state
        .blobs
        .store
        .put(&part.object_key, Bytes::from(sealed))
        .await
        .map_err(ApiError::internal)?;
    let (db, committed, now) = (state.clone(), part.clone(), state.now());
    let appended = actix_web::web::block(move || -> Result<Appended, ApiError> {
        let mut conn = db.db()?;
        Ok(uploads::append(&mut conn, &committed, now)?)
    })
    .await??;
    match appended {
        Appended::Committed { received } if received == row.size => {
            finish(state, UploadRow { received, ..row }).await
        }
        Appended::Committed { received } => Ok(status(&UploadRow { received, ..row })),
        Appended::Stale { received } => {
            let _ = state.blobs.store.delete(&part.object_key).await;
            match received {
                Some(received) => Err(offset_mismatch(received)),
                None => Err(upload_not_found()),
            }
        }
    }
}

/// Assembles a complete upload and stores it as a blob. A refusal (wrong hash, type) ends
/// the upload; a server failure keeps it, so that resending the last part retries.
async fn finish(state: &AppState, row: UploadRow) -> Result<UploadStatus, ApiError> {
    let (db, id) = (state.clone(), row.id.clone());
    let parts = actix_web::web::block(move || -> Result<Vec<PartRow>, ApiError> {
        let mut conn = db.db()?;
        Ok(uploads::parts(&mut conn, &id)?)
    })
    .await??;
    let key = data_key(&state.blobs, &row)?;
    let mut assembled = BytesMut::with_capacity(row.size.max(0) as usize);
    for part in &parts {
        if part.first_byte != assembled.len() as i64 {
            return Err(ApiError::internal(format!(
                "upload {} has a gap in its parts",
                row.id
            )));
        }
        let sealed = state
            .blobs
            .store
            .get(&part.object_key)
            .await
            .map_err(ApiError::internal)?;
        let plain = crypto::open_part(&key, &part_context(&row.id, part.first_byte), &sealed)
            .map_err(ApiError::internal)?;
        assembled.extend_from_slice(&plain);
    }
    let outcome = match ingest(
        state,
        &row.organisation_id,
        &row.sha256,
        None,
        assembled.freeze(),
    )
    .await
    {
        Err(e) if e.code == ErrorCode::Internal => return Err(e),
        other => other,
    };
    let (done, id) = (state.clone(), row.id.clone());
    actix_web::web::block(move || discard_blocking(&done, &id)).await??;
    let ingested = outcome?;
    Ok(UploadStatus {
        blob: Some(ingested.info),
        ..status(&row)
    })
}

/// Deletes an upload, its part rows and every object under its prefix (also parts whose
/// row was never written because the request died in between). Blocking.
pub fn discard_blocking(state: &AppState, upload_id: &str) -> Result<(), ApiError> {
    let organisation_id = {
        let mut conn = state.db()?;
        let row = uploads::find_any(&mut conn, upload_id)?;
        uploads::remove(&mut conn, upload_id)?;
        match row {
            Some(row) => row.organisation_id,
            None => return Ok(()),
        }
    };
    let prefix = format!("uploads/{organisation_id}/{upload_id}");
    if let Err(e) = state.blobs.store.delete_prefix_blocking(&prefix) {
        // The rows are gone: what is left is unreadable ciphertext; say so for cleanup.
        tracing::warn!(error = %e, upload = upload_id, "upload part objects not deleted");
    }
    Ok(())
}
