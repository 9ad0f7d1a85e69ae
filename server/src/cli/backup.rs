//! `casesync backup DIR` and `casesync restore DIR` (ops/backup.md).
//!
//! A backup is a folder: the database (SQLite: a consistent copy made with `VACUUM INTO`
//! while the server keeps serving; PostgreSQL: `pg_dump --format=custom`), every object of
//! the blob store as it lies at rest (sealed: the blob master key is not in the backup, nor
//! any other key), and `MANIFEST.json` saying what it holds. The database is copied before
//! the blobs, so every blob the copied database names is in the backup (one uploaded later
//! is an extra file; only an erasure between the two steps leaves a reference without its
//! blob, and that case is erased anyway).
//!
//! Restore goes into an empty database and blob store (it refuses otherwise), then checks
//! what it restored: every case reads, and the audit chain verifies.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};
use casesync_schema::{open_pool, Backend};
use serde::{Deserialize, Serialize};

use crate::blobs::store::BlobStore;
use crate::config::Config;

const DATABASE_SQLITE: &str = "casesync.sqlite3";
const DATABASE_POSTGRES: &str = "casesync.pgdump";
const BLOBS: &str = "blobs";
const MANIFEST: &str = "MANIFEST.json";
/// The audit trail's checkpoints (`crate::audit::checkpoint`) are not backed up: one taken
/// after the database was copied would make the restored trail look truncated. A restore is
/// a deliberate rollback; the restored server writes a new checkpoint when it starts.
const AUDIT_CHECKPOINTS: &str = "audit/";

#[derive(Serialize, Deserialize)]
struct Manifest {
    casesync_version: String,
    made_at: i64,
    /// `sqlite` or `postgres`.
    backend: String,
    database_file: String,
    documents: i64,
    blobs: usize,
    blob_bytes: u64,
    /// Not in the backup: keep them apart, and restore them with it.
    keys_to_keep: Vec<String>,
}

pub fn backup(config: &Config, dir: &Path, json: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty: a backup goes into a new folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir.join(BLOBS))?;
    let url = config.database_url();
    let (pool, backend) = open_pool(&url, 1)?;
    let documents = count_documents(&pool)?;
    let (backend_name, database_file) = match &backend {
        Backend::Sqlite(_) => {
            let target = dir.join(DATABASE_SQLITE);
            let mut conn = pool.get()?;
            casesync_schema::connection::sqlite_copy_into(&mut conn, &target)?;
            ("sqlite", DATABASE_SQLITE)
        }
        Backend::Postgres(_) => {
            let target = dir.join(DATABASE_POSTGRES);
            let status = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&target)
                .arg(&url)
                .status()
                .context("running pg_dump (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            ("postgres", DATABASE_POSTGRES)
        }
    };
    let store = BlobStore::open(&config.blobs, &config.data_dir)?;
    let (blobs, blob_bytes) = copy_out(&store, &dir.join(BLOBS))?;
    let manifest = Manifest {
        casesync_version: env!("CARGO_PKG_VERSION").into(),
        made_at: casesync_schema::now_millis(),
        backend: backend_name.into(),
        database_file: database_file.into(),
        documents,
        blobs,
        blob_bytes,
        keys_to_keep: keys_to_keep(config),
    };
    std::fs::write(dir.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    report(json, "backup", &manifest, started)
}

pub fn restore(config: &Config, dir: &Path, json: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(dir.join(MANIFEST)).with_context(|| format!("reading {MANIFEST}"))?,
    )?;
    let url = config.database_url();
    match Backend::from_url(&url)? {
        Backend::Sqlite(path) => {
            if manifest.backend != "sqlite" {
                bail!("this backup holds a {} database", manifest.backend);
            }
            if Path::new(&path).exists() {
                bail!("{path} exists: restore into a new data folder");
            }
            if let Some(parent) = Path::new(&path).parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(dir.join(&manifest.database_file), &path)?;
        }
        Backend::Postgres(_) => {
            if manifest.backend != "postgres" {
                bail!("this backup holds a {} database", manifest.backend);
            }
            let (pool, _) = open_pool(&url, 1)?;
            if count_documents(&pool)? > 0 {
                bail!("the database already holds documents: restore into an empty one");
            }
            drop(pool);
            let status = Command::new("pg_restore")
                .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
                .arg(&url)
                .arg(dir.join(&manifest.database_file))
                .status()
                .context("running pg_restore (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_restore failed ({status})");
            }
        }
    }
    let store = BlobStore::open(&config.blobs, &config.data_dir)?;
    let restored_blobs = copy_in(&store, &dir.join(BLOBS))?;
    // What was restored reads: the documents are all there and the audit chain holds.
    let (pool, _) = open_pool(&url, 1)?;
    let documents = count_documents(&pool)?;
    if documents != manifest.documents {
        bail!(
            "restored {documents} documents, the backup holds {}",
            manifest.documents
        );
    }
    if restored_blobs != manifest.blobs {
        bail!(
            "restored {restored_blobs} blobs, the backup holds {}",
            manifest.blobs
        );
    }
    let mut conn = pool.get()?;
    let key = crate::audit::key::load_existing(config)?;
    let audit = casesync_schema::access::audit_verify::verify(&mut conn, &key)?;
    if !audit.intact() {
        bail!("the restored audit chain does not verify");
    }
    report(json, "restore", &manifest, started)
}

fn count_documents(pool: &casesync_schema::Pool) -> anyhow::Result<i64> {
    let mut conn = pool.get()?;
    Ok(casesync_schema::store::count_documents(&mut conn)?)
}

fn keys_to_keep(config: &Config) -> Vec<String> {
    let master = if config.blobs.master_key.is_empty() {
        config
            .blobs
            .key_file(&config.data_dir)
            .display()
            .to_string()
    } else {
        "blobs.master_key (configuration)".to_string()
    };
    vec![
        format!("blob master key: {master}"),
        format!(
            "audit chain key: {}",
            crate::audit::key::key_path(config).display()
        ),
        format!(
            "erasure ledger: the objects under {} in the blob store (a restore keeps them, and \
             the next start erases again every case they name)",
            crate::domain::gdpr::ledger::PREFIX
        ),
    ]
}

/// Every object of the store into `dir`, one file per key. Returns (objects, bytes).
fn copy_out(store: &BlobStore, dir: &Path) -> anyhow::Result<(usize, u64)> {
    let mut bytes = 0;
    let keys = store.list_blocking()?;
    let mut copied = 0;
    for key in keys.iter().filter(|k| !k.starts_with(AUDIT_CHECKPOINTS)) {
        // Gone since it was listed (an erasure): nothing to keep.
        let Some(data) = store.get_blocking(key)? else {
            continue;
        };
        copied += 1;
        let path = safe_join(dir, key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &data)?;
        bytes += data.len() as u64;
    }
    Ok((copied, bytes))
}

/// Every file under `dir` into the store, under its relative path. Refuses a store that
/// already holds objects.
fn copy_in(store: &BlobStore, dir: &Path) -> anyhow::Result<usize> {
    // What an operator keeps apart from backups may be there already: the erasure ledger
    // (re-applied at the next start) and the audit checkpoints.
    let kept_apart = |k: &String| {
        k.starts_with(crate::domain::gdpr::ledger::PREFIX) || k.starts_with(AUDIT_CHECKPOINTS)
    };
    if store.list_blocking()?.iter().any(|k| !kept_apart(k)) {
        bail!("the blob store is not empty: restore into an empty one");
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    for file in &files {
        let key = file
            .strip_prefix(dir)?
            .to_str()
            .context("a blob file name that is not UTF-8")?
            .to_string();
        store.put_blocking(&key, std::fs::read(file)?.into())?;
    }
    Ok(files.len())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `dir/key`, refusing a key that would leave `dir`.
fn safe_join(dir: &Path, key: &str) -> anyhow::Result<PathBuf> {
    if key
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        bail!("blob key {key:?} cannot be a file name");
    }
    Ok(dir.join(key))
}

fn report(json: bool, what: &str, manifest: &Manifest, started: Instant) -> anyhow::Result<()> {
    let seconds = started.elapsed().as_secs_f64();
    if json {
        let mut value = serde_json::to_value(manifest)?;
        value["seconds"] = serde_json::json!(seconds);
        println!("{value}");
    } else {
        println!(
            "{what}: {} documents, {} blobs ({} bytes), {} database, {seconds:.1} s",
            manifest.documents, manifest.blobs, manifest.blob_bytes, manifest.backend
        );
        let label = if what == "backup" {
            "not in the backup, keep apart"
        } else {
            "the restored data needs the key it was made with"
        };
        for key in &manifest.keys_to_keep {
            println!("{label}: {key}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_join;
    use std::path::Path;

    #[test]
    fn a_key_cannot_leave_the_backup_folder() {
        let dir = Path::new("/backup/blobs");
        assert!(safe_join(dir, "org/ab/cd").is_ok());
        for bad in ["../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b"] {
            assert!(safe_join(dir, bad).is_err(), "{bad}");
        }
    }
}
