//! casesync-schema: the database.
//!
//! diesel tables and embedded migrations for SQLite and PostgreSQL through one code path.
//! Implements the sync engine's [`casesync_sync::DocumentStore`] (append-only chunks per
//! document, change receipts, actor bindings) and holds organisations, sites, users,
//! devices and the read models coordinators query.

pub mod access;
pub mod alerts;
pub mod blobs;
pub mod connection;
pub mod delivery_records;
pub mod error;
pub mod exercises;
pub mod federation;
pub mod live;
pub mod outbox;
pub mod tables;
pub mod tables_access;
pub mod tables_alerts;
pub mod tables_blobs;
pub mod tables_exercises;
pub mod tables_federation;
pub mod tables_live;
pub mod tables_outbox;
pub mod tables_web;
pub mod web;

pub use connection::{open_pool, Backend, DbConn, Pool, PooledConn};
pub use error::DbError;

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
pub mod directory;
pub mod store;
pub use store::SqlStore;
