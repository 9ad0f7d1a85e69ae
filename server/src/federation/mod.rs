//! Federation: two organisations' own casesync servers cooperating across a border
//! (docs/cross-border.md).
//!
//! A share with an organisation a peer server serves works as on one server (the view is
//! derived here, with only the share's categories), and then crosses: the view document is
//! synced to the peer, where the partner's staff hold it; their contributions come back the
//! same way and enter the source case with their provenance. Missing-child alerts for the
//! partner and their acknowledgements cross too; a withdrawal erases the peer's copy and is
//! confirmed back. What is to be sent waits in a durable outbox (`peer_outbox`) while the
//! link is down. The link is mutual TLS: a peer is who its certificate says, and speaks
//! only for the organisations its peering names.

pub mod config;
pub mod enqueue;
pub mod listener;
pub mod messages;
mod names;
pub mod peers;
pub mod receive;
pub mod receive_alert;
pub mod receive_view;
pub mod record;
pub mod send;
pub mod tls;

pub use config::FederationConfig;
pub use peers::Federation;
