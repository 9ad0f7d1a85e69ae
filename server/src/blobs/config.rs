//! The `[blobs]` configuration table (environment: `CASESYNC_BLOBS__KEY`). Every key is
//! documented in `ops/blobs.md`. Secrets (the S3 secret key, the master keys) never appear in
//! `Debug`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where blob objects live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// A folder on this machine (the embedded default).
    Local,
    /// Any S3-compatible service.
    S3,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlobConfig {
    pub store: StoreKind,
    /// Folder of the local store; empty means `<data_dir>/blobs`.
    pub dir: String,
    /// S3 endpoint URL; empty means AWS itself (from `region`).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Bucket in the host name (`https://BUCKET.host/KEY`) instead of the path.
    pub virtual_hosted_style: bool,
    /// Allow `http://` endpoints (loopback test servers, a proxy on the same host).
    pub allow_http: bool,
    /// Largest blob accepted, in bytes.
    pub max_blob_bytes: u64,
    /// Base64 of 32 random bytes that wrap every blob's data key. Empty: the key file.
    pub master_key: String,
    /// File holding the master key when `master_key` is empty; empty means
    /// `<data_dir>/blob-master.key`, generated (mode 0600) on first start.
    pub master_key_file: String,
    /// Earlier master keys (base64), still able to unwrap until `casesync admin blobs
    /// rotate-key` has re-wrapped every data key with the current one.
    pub previous_keys: Vec<String>,
    /// How long a blob no case references is kept (uploads may precede the case change
    /// that references them), in seconds.
    pub unreferenced_grace_secs: u64,
    /// Resumable uploads not continued for this long are dropped, in seconds.
    pub upload_expiry_secs: u64,
    /// How often the lifecycle worker runs, in seconds (0: never; tests run it by hand).
    pub sweep_interval_secs: u64,
    /// Longest side of a preview, in pixels.
    pub preview_max_px: u32,
}

impl Default for BlobConfig {
    fn default() -> Self {
        Self {
            store: StoreKind::Local,
            dir: String::new(),
            endpoint: String::new(),
            bucket: String::new(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            virtual_hosted_style: false,
            allow_http: false,
            max_blob_bytes: 25 * 1024 * 1024,
            master_key: String::new(),
            master_key_file: String::new(),
            previous_keys: vec![],
            unreferenced_grace_secs: 7 * 24 * 3600,
            upload_expiry_secs: 24 * 3600,
            sweep_interval_secs: 3600,
            preview_max_px: 320,
        }
    }
}

impl BlobConfig {
    pub fn local_dir(&self, data_dir: &Path) -> PathBuf {
        if self.dir.is_empty() {
            data_dir.join("blobs")
        } else {
            PathBuf::from(&self.dir)
        }
    }

    pub fn key_file(&self, data_dir: &Path) -> PathBuf {
        if self.master_key_file.is_empty() {
            data_dir.join("blob-master.key")
        } else {
            PathBuf::from(&self.master_key_file)
        }
    }
}

impl std::fmt::Debug for BlobConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &str| if s.is_empty() { "(unset)" } else { "(set)" };
        f.debug_struct("BlobConfig")
            .field("store", &self.store)
            .field("dir", &self.dir)
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &set(&self.secret_access_key))
            .field("virtual_hosted_style", &self.virtual_hosted_style)
            .field("allow_http", &self.allow_http)
            .field("max_blob_bytes", &self.max_blob_bytes)
            .field("master_key", &set(&self.master_key))
            .field("master_key_file", &self.master_key_file)
            .field("previous_keys", &self.previous_keys.len())
            .field("unreferenced_grace_secs", &self.unreferenced_grace_secs)
            .field("upload_expiry_secs", &self.upload_expiry_secs)
            .field("sweep_interval_secs", &self.sweep_interval_secs)
            .finish_non_exhaustive()
    }
}
