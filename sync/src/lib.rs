//! casesync-sync: how case documents converge.
//!
//! A sans-IO engine over automerge. Bytes come in from devices (batch requests or
//! automerge-repo WebSocket frames), the engine admits or refuses their changes, merges them
//! and hands the result to a [`store::DocumentStore`] that the schema crate implements on
//! SQLite or PostgreSQL; what devices lack goes back out as messages.

pub mod admission;
pub mod chunks;
pub mod contain;
pub mod engine;
pub mod fuzz_checks;
pub mod history;
pub mod live;
pub mod memory;
pub mod protocol;
pub mod screen;
pub mod screen_message;
pub mod store;

pub use admission::{Refusal, Writer};
pub use engine::{
    Admitted, Engine, EngineConfig, HeldChanges, HoldLimits, MissingChanges, Received, Rejected,
};
pub use store::{
    AuditActor, AuditNote, ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, StoreError,
    WriteAudit,
};
