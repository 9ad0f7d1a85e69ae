//! The automerge-repo network protocol, version "1": the frames an official automerge-repo
//! client (JS `@automerge/automerge-repo-network-websocket`, Rust `samod`, Swift) exchanges
//! with the server on `/v1/sync/ws`.
//!
//! # Frames
//!
//! Every WebSocket **binary** message is one CBOR map with text keys. Byte fields (`data`)
//! are CBOR byte strings; document ids are base58check text (the part of an `automerge:` URL
//! after the colon); peer ids are any text the peer chose for its process lifetime.
//!
//! | `type` | other keys | direction |
//! |---|---|---|
//! | `join` | `senderId`, `supportedProtocolVersions: ["1"]`, `peerMetadata` | device → server, first frame |
//! | `peer` | `senderId`, `targetId`, `selectedProtocolVersion: "1"`, `peerMetadata` | server → device, answers `join` |
//! | `request` | `senderId`, `targetId`, `documentId`, `data` | device asks for a document it lacks |
//! | `sync` | `senderId`, `targetId`, `documentId`, `data` | both ways, one automerge sync message |
//! | `doc-unavailable` | `senderId`, `targetId`, `documentId` | "I don't have it (or you may not see it)" |
//! | `ephemeral` | `senderId`, `targetId`, `documentId`, `sessionId`, `count`, `data` | relayed, never stored |
//! | `remote-subscription-change` | `senderId`, `targetId`, `add`, `remove` (storage ids) | both ways |
//! | `remote-heads-changed` | `senderId`, `targetId`, `documentId`, `newHeads: {storageId: {heads, timestamp}}` | both ways |
//! | `leave` | `senderId` | advisory, before closing |
//! | `error` | `message` (JS also writes `senderId`, `targetId`) | the sender then closes |
//!
//! `peerMetadata` is `{storageId?: text, isEphemeral: bool}`: a device with a local database
//! sends a stable `storageId` and `isEphemeral: false` so the server can keep its sync state
//! between connections. `data` in `request`/`sync` is an automerge sync message
//! (`automerge::sync::Message::encode`) and is never empty.
//!
//! # A session
//!
//! 1. The device opens the socket and sends `join`; the server answers `peer` at once (a JS
//!    client gives up waiting after one second and treats documents as unavailable), or
//!    `error` and closes if the device supports no version the server speaks.
//! 2. For each document it wants, the device sends `request` (it has nothing) or `sync` (it
//!    has some of it); the server answers `sync` frames until both sides converge, or
//!    `doc-unavailable` when the document does not exist or is outside the device's scope.
//! 3. The server may itself start with `sync` for a document the device should hold (new
//!    alerts, caseload changes); the device accepts it.
//!
//! [`decode`] reads frames leniently, as the reference implementations do; [`encode`] writes
//! what every official client can read.

mod cbor_map;
mod decode;
mod encode;
mod error;
mod fields;
mod message;

// The workspace denies unwrap/expect; in tests a panic is the failure report we want.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use decode::decode;
pub use encode::encode;
pub use error::ProtocolError;
pub use message::{PeerId, PeerMetadata, RemoteHeads, RepoMessage};

/// The only protocol version there is, and the one the server selects.
pub const PROTOCOL_VERSION: &str = "1";

/// The version to answer a `join` with, or `None` when the peer supports none we speak (then
/// send `error` and close).
///
/// A `join` without `supportedProtocolVersions` predates negotiation and speaks "1", as the
/// JS server assumes.
pub fn select_protocol_version(supported: Option<&[String]>) -> Option<&'static str> {
    match supported {
        None => Some(PROTOCOL_VERSION),
        Some(versions) => versions
            .iter()
            .any(|v| v == PROTOCOL_VERSION)
            .then_some(PROTOCOL_VERSION),
    }
}
