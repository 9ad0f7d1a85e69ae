//! What every request handler shares. Nothing here is the truth: documents live in the
//! database, so instances can be added or restarted freely.

use std::sync::Arc;

use casesync_schema::{Pool, SqlStore};
use casesync_sync::Engine;

use crate::clock::Clock;
use crate::config::Config;
use crate::feed::ChangeFeed;

pub type CaseEngine = Engine<SqlStore>;

#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<CaseEngine>,
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub feed: ChangeFeed,
    /// What the server derives from documents after changes (summaries, alerts, ...).
    pub projections: Arc<crate::domain::projections::Projections>,
    /// Attachments: object storage, master keys, limits.
    pub blobs: Arc<crate::blobs::Blobs>,
    /// Enrolment attempts per client address and per code (this instance).
    pub enrol_limiter: Arc<crate::limits::SlidingWindow>,
    /// What one device may take of this instance: sockets, sync requests.
    pub device_limits: Arc<crate::limits::DeviceLimits>,
    pub instance: Arc<Instance>,
    /// Changes this instance's sessions held until their history arrived.
    pub held_figures: Arc<crate::pipeline::HeldFigures>,
    /// Seals the audit chain (kept outside the database: `audit::key`).
    pub audit_key: casesync_schema::access::audit_key::ChainKey,
    /// Reads recorded in batches off the request path (live sends, blob downloads).
    pub audit_reads: Arc<crate::audit::reads::ReadLog>,
    /// Flips to true when the server begins to stop: live sessions close gracefully.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// True once the erasure ledger has been re-applied since start: until then nothing but
    /// the probes is served (`domain::gdpr::ledger`).
    pub erasures_applied: Arc<std::sync::atomic::AtomicBool>,
    /// Peer servers (federation); empty when none is configured.
    pub federation: Arc<crate::federation::Federation>,
}

/// Who this server is to automerge-repo peers.
#[derive(Debug, Clone)]
pub struct Instance {
    /// This process: distinguishes its own notifications from other instances'.
    pub id: String,
    /// The peer id in `peer` frames.
    pub peer_id: String,
    /// Shared by every instance on the same database: peers may keep sync state keyed by it.
    pub storage_id: String,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn db(&self) -> Result<casesync_schema::PooledConn, crate::domain::error::DomainError> {
        self.pool
            .get()
            .map_err(|e| crate::domain::error::DomainError::internal(format!("database pool: {e}")))
    }
}
