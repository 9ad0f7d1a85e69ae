//! Attachments: photos and scanned documents, content-addressed by SHA-256, encrypted at rest
//! and kept in object storage (a local folder by default, S3 in production). The database
//! holds which blobs exist (with their wrapped data keys), which cases reference them, and
//! the progress of resumable uploads; the routes are in `crate::routes::blobs`.

pub mod access;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod ingest;
pub mod keyring;
pub mod lifecycle;
pub mod preview;
pub mod range;
pub mod read;
pub mod references;
pub mod rotate;
pub mod sniff;
pub mod store;
pub mod uploads;

use casesync_contract::wire::BlobInfo;
use casesync_schema::blobs::BlobRow;

pub use config::{BlobConfig, StoreKind};
pub use lifecycle::erase_case_blobs;

use crate::config::Config;
use crate::error::ApiError;
use keyring::{DataKey, Keyring};
use store::BlobStore;

/// Everything blob handling needs, shared through `AppState::blobs`.
#[derive(Debug)]
pub struct Blobs {
    pub store: BlobStore,
    pub keys: Keyring,
    pub config: BlobConfig,
}

impl Blobs {
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        let blobs = &config.blobs;
        let keys = Keyring::load(blobs, &config.data_dir)?;
        let store = BlobStore::open(blobs, &config.data_dir)?;
        tracing::info!(
            store = store.describe(),
            master_key_id = keys.current_id(),
            "blob store ready"
        );
        Ok(Self {
            store,
            keys,
            config: blobs.clone(),
        })
    }

    /// A fresh object key for a blob of an organisation: the organisation namespaces it,
    /// the random tail makes every stored copy distinct (see `casesync_schema::blobs`).
    pub fn object_key(organisation_id: &str, sha256: &str) -> String {
        format!(
            "blobs/{organisation_id}/{sha256}/{}",
            uuid::Uuid::new_v4().simple()
        )
    }

    /// What a blob's wrapped data key is bound to.
    pub fn key_context(organisation_id: &str, sha256: &str) -> String {
        format!("blob:{organisation_id}/{sha256}")
    }

    pub fn data_key(&self, row: &BlobRow) -> Result<DataKey, ApiError> {
        self.keys
            .unwrap(
                &row.key_id,
                &row.wrapped_key,
                &Self::key_context(&row.organisation_id, &row.sha256),
            )
            .map_err(ApiError::internal)
    }
}

pub fn info(row: &BlobRow) -> BlobInfo {
    BlobInfo {
        sha256: row.sha256.clone(),
        size: row.size.max(0) as u64,
        media_type: row.media_type.clone(),
    }
}
