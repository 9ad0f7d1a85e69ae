//! Storing verified bytes: the one path of a single upload and of the last part of a
//! resumable one. Nothing is stored unless the bytes hash to the name they came under and
//! sniff as an accepted type; bytes already stored in the organisation are not stored again.

use actix_web::web;
use bytes::Bytes;
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::BlobInfo;
use casesync_schema::blobs::{stored, BlobRow, Recorded};

use super::keyring::DataKey;
use super::{crypto, info, sniff, Blobs};
use crate::error::ApiError;
use crate::state::AppState;

/// The outcome of an upload: the same body for a first upload and for every retry.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub info: BlobInfo,
    /// False when the organisation already had these bytes.
    pub created: bool,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes))
}

pub fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("a blob may have at most {limit} bytes"),
    )
}

/// Checks bytes against their name and declared type; returns the sniffed media type.
pub fn check(bytes: &[u8], sha256: &str, declared: Option<&str>) -> Result<&'static str, ApiError> {
    let actual = sha256_hex(bytes);
    if actual != sha256 {
        return Err(ApiError::new(
            ErrorCode::HashMismatch,
            format!("the bytes hash to {actual}, not to {sha256}: nothing was stored"),
        ));
    }
    let media_type = sniff::media_type(bytes).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "a blob must be a JPEG, PNG, WebP or HEIC image or a PDF document",
        )
    })?;
    if sniff::contradicts(declared, media_type) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "declared as {} but the bytes are {media_type}",
                declared.unwrap_or_default()
            ),
        ));
    }
    Ok(media_type)
}

/// Verifies, encrypts and stores `bytes` as blob `sha256` of an organisation.
pub async fn ingest(
    state: &AppState,
    organisation_id: &str,
    sha256: &str,
    declared: Option<String>,
    bytes: Bytes,
) -> Result<Ingested, ApiError> {
    let limit = state.blobs.config.max_blob_bytes;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    let (org, sha) = (organisation_id.to_string(), sha256.to_string());
    let checked = bytes.clone();
    let media_type = web::block(move || check(&checked, &sha, declared.as_deref())).await??;

    let (db, org2, sha, now) = (state.clone(), org.clone(), sha256.to_string(), state.now());
    let existing = web::block(move || -> Result<Option<BlobRow>, ApiError> {
        let mut conn = db.db()?;
        Ok(stored::touch_live(&mut conn, &org2, &sha, now)?)
    })
    .await??;
    if let Some(row) = existing {
        return Ok(Ingested {
            info: info(&row),
            created: false,
        });
    }

    let key = DataKey::random().map_err(ApiError::internal)?;
    let (key_id, wrapped_key) = state
        .blobs
        .keys
        .wrap(&key, &Blobs::key_context(&org, sha256))
        .map_err(ApiError::internal)?;
    let size = bytes.len() as i64;
    let sealed = web::block(move || crypto::seal(&key, &bytes))
        .await?
        .map_err(ApiError::internal)?;
    let object_key = Blobs::object_key(&org, sha256);
    state
        .blobs
        .store
        .put(&object_key, Bytes::from(sealed))
        .await
        .map_err(ApiError::internal)?;

    let row = BlobRow {
        organisation_id: org,
        sha256: sha256.to_string(),
        object_key: object_key.clone(),
        size,
        media_type: media_type.to_string(),
        key_id,
        wrapped_key,
        created_at: now,
        touched_at: now,
        deleting_at: None,
    };
    let db = state.clone();
    let recorded = web::block(move || -> Result<(Recorded, BlobRow), ApiError> {
        let mut conn = db.db()?;
        Ok((stored::record(&mut conn, &row)?, row))
    })
    .await??;
    match recorded {
        (Recorded::New, row) => Ok(Ingested {
            info: info(&row),
            created: true,
        }),
        (Recorded::AlreadyStored(existing), _) => {
            // A concurrent upload of the same bytes won; ours is surplus.
            if let Err(e) = state.blobs.store.delete(&object_key).await {
                tracing::warn!(error = %e, "surplus blob object not deleted");
            }
            Ok(Ingested {
                info: info(&existing),
                created: false,
            })
        }
    }
}
