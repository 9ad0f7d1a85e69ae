//! Loading the audit chain key: from `audit.key`, or from the key file, generated on first
//! start. A generated file records how many entries the trail already held: those predate the
//! key and keep their plain hashes. That number is kept with the key, outside the database,
//! because an attacker who could raise it could also rewrite those entries unkeyed.

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use casesync_schema::access::audit;
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::DbConn;

use crate::blobs::keyring::{generate_master_key, secret_file};
use crate::config::Config;

const UNKEYED: &str = "unkeyed_until";

/// Where the key file is.
pub fn key_path(config: &Config) -> PathBuf {
    if config.audit.key_file.is_empty() {
        config.data_dir.join("audit-chain.key")
    } else {
        PathBuf::from(&config.audit.key_file)
    }
}

/// The chain key, generating the key file if missing (a server or a command that writes to
/// the trail).
pub fn load_or_create(config: &Config, conn: &mut DbConn) -> anyhow::Result<ChainKey> {
    if !config.audit.key.is_empty() {
        return parse(&config.audit.key, config.audit.unkeyed_until);
    }
    let path = key_path(config);
    let text = secret_file(
        &path,
        "audit chain key",
        "keep a copy apart from the database and its backups: without it the audit trail \
         cannot be verified, and with it a copy of the database could be rewritten unnoticed",
        || {
            let (entries, _) = audit::head(conn).map_err(|e| {
                crate::blobs::keyring::KeyError::Config(format!("reading the trail: {e}"))
            })?;
            Ok(format!("{}\n{UNKEYED} {entries}", generate_master_key()?))
        },
    )
    .with_context(|| "audit chain key")?;
    from_file_text(&path, &text)
}

/// The chain key as it is; never generated (`casesync audit verify`: a new key would prove
/// nothing).
pub fn load_existing(config: &Config) -> anyhow::Result<ChainKey> {
    if !config.audit.key.is_empty() {
        return parse(&config.audit.key, config.audit.unkeyed_until);
    }
    let path = key_path(config);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "audit chain key file {}: set audit.key or audit.key_file to the server's key",
            path.display()
        )
    })?;
    from_file_text(&path, &text)
}

fn from_file_text(path: &Path, text: &str) -> anyhow::Result<ChainKey> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let key = lines.next().unwrap_or_default();
    let unkeyed_until = match lines.next() {
        None => 0,
        Some(line) => line
            .strip_prefix(UNKEYED)
            .and_then(|n| n.trim().parse().ok())
            .with_context(|| format!("{}: second line must be `{UNKEYED} N`", path.display()))?,
    };
    parse(key, unkeyed_until).with_context(|| format!("{}", path.display()))
}

fn parse(base64: &str, unkeyed_until: i64) -> anyhow::Result<ChainKey> {
    let bytes = STANDARD
        .decode(base64.trim())
        .context("audit chain key: not valid base64")?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
        anyhow::anyhow!("audit chain key: must be 32 bytes, found {}", b.len())
    })?;
    Ok(ChainKey::new(&bytes, unkeyed_until))
}
