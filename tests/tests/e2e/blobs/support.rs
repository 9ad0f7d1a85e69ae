//! Helpers of the blob tests: a server on either store, test images made in code, the bytes
//! the store holds at rest, and a device attaching blobs to a case.

use std::path::{Path, PathBuf};

use casesync_contract::case::{self, AttachmentRef, CaseLog, Millis, Str, Whole};
use casesync_contract::DocumentId;
use casesync_server::blobs::{BlobConfig, StoreKind};
use casesync_tests::db::TestDb;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use sha2::{Digest, Sha256};

pub use super::samples::{assert_encrypted_at_rest, jpeg, png, sha256_hex};

/// Declares a test that runs on SQLite and PostgreSQL, each with the local folder and S3:
/// `blob_test!(name, |db, store| { ... })`.
macro_rules! blob_test {
    ($name:ident, |$db:ident, $store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::blobs::support::Store;
            use casesync_tests::db::{Kind, TestDb};

            fn run($db: TestDb, $store: Store) $body

            fn variant(kind: Kind, store: Store) {
                if !store.available() {
                    return;
                }
                if let Some(db) = TestDb::new(kind) {
                    run(db, store);
                }
            }

            #[test]
            fn sqlite_local() {
                variant(Kind::Sqlite, Store::Local);
            }

            #[test]
            fn sqlite_s3() {
                variant(Kind::Sqlite, Store::S3);
            }

            #[test]
            fn postgres_local() {
                variant(Kind::Postgres, Store::Local);
            }

            #[test]
            fn postgres_s3() {
                variant(Kind::Postgres, Store::S3);
            }
        }
    };
}
pub(crate) use blob_test;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Local,
    S3,
}

/// The S3 server the test scripts start (ops/services/s3.sh).
struct S3Env {
    endpoint: String,
    access_key: String,
    secret_key: String,
    region: String,
    root: PathBuf,
}

fn s3_env() -> Option<S3Env> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(S3Env {
        endpoint: var("TEST_S3_ENDPOINT")?,
        access_key: var("TEST_S3_ACCESS_KEY")?,
        secret_key: var("TEST_S3_SECRET_KEY")?,
        region: var("TEST_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        root: PathBuf::from(var("TEST_S3_ROOT")?),
    })
}

impl Store {
    /// Whether this variant can run; under `CI=true` a missing S3 server is a failure.
    pub fn available(self) -> bool {
        if self == Store::Local || s3_env().is_some() {
            return true;
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("TEST_S3_* is not set: under CI=true the S3 blob tests must run");
        }
        eprintln!(
            "skipping S3 variant: TEST_S3_ENDPOINT is not set (bash ops/services/s3.sh start)"
        );
        false
    }
}

/// A server on one store, and where that store keeps its bytes on disk.
pub struct BlobServer {
    pub server: TestServer,
    pub store: Store,
    /// The local blob folder, or this test's bucket folder in the s3s-fs root.
    pub at_rest: PathBuf,
    pub config: BlobConfig,
}

impl BlobServer {
    pub fn start(db: &TestDb, store: Store) -> Self {
        Self::start_with(db, store, |_| {})
    }

    /// A server whose blob settings are `tweak`ed (the store settings are filled in).
    pub fn start_with(db: &TestDb, store: Store, tweak: impl FnOnce(&mut BlobConfig)) -> Self {
        let mut config = BlobConfig {
            // Tests run the lifecycle pass themselves, with the test clock.
            sweep_interval_secs: 0,
            ..BlobConfig::default()
        };
        let at_rest = match store {
            Store::Local => config.local_dir(&db.data_dir()),
            Store::S3 => {
                let s3 = s3_env().expect("S3 variant without TEST_S3_*");
                // One bucket per test (a folder of the s3s-fs root is a bucket), so that
                // what a test finds at rest is its own.
                let bucket = bucket_name(&db.data_dir());
                let dir = s3.root.join(&bucket);
                std::fs::create_dir_all(&dir).expect("create bucket folder");
                config.store = StoreKind::S3;
                config.endpoint = s3.endpoint;
                config.bucket = bucket;
                config.region = s3.region;
                config.access_key_id = s3.access_key;
                config.secret_access_key = s3.secret_key;
                config.allow_http = true;
                dir
            }
        };
        tweak(&mut config);
        let chosen = config.clone();
        let server = TestServer::start_with(db, move |c| c.blobs = chosen);
        Self {
            server,
            store,
            at_rest,
            config,
        }
    }

    /// Another instance on the same database and store (its own process state), with
    /// these blob settings.
    pub fn instance_with(&self, db: &TestDb, tweak: impl FnOnce(&mut BlobConfig)) -> TestServer {
        let mut config = self.config.clone();
        tweak(&mut config);
        TestServer::start_with(db, move |c| c.blobs = config)
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Every file of attachments the store holds (blobs and uploads), with its bytes. The
    /// audit trail's checkpoint (`audit/`) lives in the same store and is left out: it is
    /// rewritten whenever the trail grows, which every request here makes it do.
    pub fn files_at_rest(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut found = vec![];
        walk(&self.at_rest, &mut found);
        let audit = self.at_rest.join("audit");
        found.retain(|(path, _)| !path.starts_with(&audit));
        found
    }

    /// The files at rest under a key prefix (`blobs/ORG`, `uploads/ORG`).
    pub fn files_under(&self, prefix: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let base = self.at_rest.join(prefix);
        self.files_at_rest()
            .into_iter()
            .filter(|(p, _)| p.starts_with(&base))
            .collect()
    }
}

impl Drop for BlobServer {
    fn drop(&mut self) {
        if self.store == Store::S3 {
            let _ = std::fs::remove_dir_all(&self.at_rest);
        }
    }
}

fn bucket_name(data_dir: &Path) -> String {
    let tag = hex::encode(Sha256::digest(data_dir.display().to_string().as_bytes()));
    format!("cs-{}", &tag[..24])
}

fn walk(dir: &Path, found: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, found);
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
}

/// The device appends an attachment entry for `sha256` to a case it holds and syncs it.
pub fn attach(device: &mut Device, case: &DocumentId, sha256: &str, size: usize, media_type: &str) {
    let entry = AttachmentRef {
        sha256: Str::from(sha256),
        size: Whole(size as i64),
        media_type: Str::from(media_type),
        captured_at: Millis(T0),
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
        sensitivity: None,
        caption: Some(Str::from("dated photo")),
    };
    case::append(device.doc(case), CaseLog::Attachments, &entry).expect("append attachment");
    device.doc(case).commit();
    device.sync().expect("sync attachment");
}

/// `PUT /v1/blobs/{sha256}` with a device token.
pub fn put(
    server: &TestServer,
    token: &str,
    sha256: &str,
    bytes: &[u8],
    content_type: Option<&str>,
) -> reqwest::blocking::Response {
    let mut request = reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/{sha256}")))
        .bearer_auth(token)
        .body(bytes.to_vec());
    if let Some(ct) = content_type {
        request = request.header("Content-Type", ct);
    }
    request.send().expect("PUT blob")
}

/// `GET` a path with a device token and optional Range.
pub fn get(
    server: &TestServer,
    token: &str,
    path: &str,
    range: Option<&str>,
) -> reqwest::blocking::Response {
    let mut request = reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token);
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    request.send().expect("GET")
}

/// The error code of a JSON error response.
pub fn error_code(response: reqwest::blocking::Response) -> String {
    let body: serde_json::Value = response.json().expect("error body");
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
