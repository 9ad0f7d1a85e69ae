//! Configuration in layers: built-in defaults, then a TOML file (`--config`, or
//! `casesync.toml` in the working directory if present), then `CASESYNC_*` environment
//! variables. Every key is documented in `ops/config.md`. Secrets never appear in `Debug`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the embedded database and local blobs.
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`; empty means SQLite under `data_dir`.
    pub database_url: String,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Database connections per instance.
    pub db_pool_size: u32,
    /// Incremental chunks per document before a snapshot is written.
    pub compact_after_chunks: usize,
    /// Seconds a document stays in memory unused.
    pub idle_document_secs: u64,
    /// Threads deriving summaries, checklists and alerts from committed changes.
    pub derive_workers: usize,
    /// With PostgreSQL: seconds between two checks for changes other instances stored that
    /// no notification announced (0: never).
    pub instance_sweep_secs: u64,
    /// `json` or `pretty` log lines.
    pub log_format: String,
    /// Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy).
    pub allow_insecure_http: bool,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Attachments (`[blobs]`, see ops/blobs.md).
    pub blobs: crate::blobs::BlobConfig,
    /// Devices, enrolment, retention (`[access]`).
    pub access: crate::domain::access::config::AccessConfig,
    /// Coordinator pages: sessions and sign-in (`[web]`).
    pub web: crate::web::config::WebConfig,
    /// What one device may take of the server (`[limits]`).
    pub limits: crate::limits::LimitsConfig,
    /// The audit trail: its chain key, how reads are written (`[audit]`).
    pub audit: crate::audit::AuditConfig,
    /// Peer servers of other organisations (`[federation]`, docs/cross-border.md).
    pub federation: crate::federation::FederationConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("casesync-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: String::new(),
            max_body_bytes: 16 * 1024 * 1024,
            db_pool_size: 16,
            compact_after_chunks: 64,
            idle_document_secs: 120,
            derive_workers: 2,
            instance_sweep_secs: 5,
            log_format: "pretty".into(),
            allow_insecure_http: false,
            tls_cert: None,
            tls_key: None,
            blobs: Default::default(),
            access: Default::default(),
            web: Default::default(),
            limits: Default::default(),
            audit: Default::default(),
            federation: Default::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &casesync_schema::connection::redact(&self.database_url()),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("db_pool_size", &self.db_pool_size)
            .field("log_format", &self.log_format)
            .field("tls", &self.tls_cert.is_some())
            .field("blobs", &self.blobs)
            .field("limits", &self.limits)
            .field("audit", &self.audit)
            .field("federation_peers", &self.federation.peers.len())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Loads the layers. `file` overrides the default `casesync.toml` lookup.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("casesync.toml")),
        }
        // Only our own keys: other CASESYNC_* variables (the CLI's CASESYNC_CONFIG, test
        // tooling) are not configuration. `__` separates nested keys.
        let known = Self::keys();
        // The filter sees the variable's own case (figment lowercases after filtering).
        let env = Env::prefixed("CASESYNC_").split("__").filter(move |key| {
            let first = key.as_str().split('.').next().unwrap_or_default();
            known.iter().any(|k| first.eq_ignore_ascii_case(k))
        });
        figment.merge(env).extract().map_err(Box::new)
    }

    /// Top-level configuration keys.
    pub fn keys() -> Vec<String> {
        match serde_json::to_value(Config::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => vec![],
        }
    }

    /// The database URL, defaulting to SQLite in the data folder.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("casesync.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// Refuses a plain-HTTP listener reachable from the network unless told otherwise.
    pub fn check_transport(&self) -> Result<(), String> {
        let tls = self.tls_cert.is_some() && self.tls_key.is_some();
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key must be set together".into());
        }
        if !tls && !self.listen.ip().is_loopback() && !self.allow_insecure_http {
            return Err(format!(
                "refusing plain HTTP on {}: configure tls_cert and tls_key, or set \
                 allow_insecure_http = true behind a TLS-terminating proxy",
                self.listen
            ));
        }
        Ok(())
    }
}
