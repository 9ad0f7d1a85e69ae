//! The typed messages of the automerge-repo network protocol v1.
//!
//! One variant per wire `type`. Field names follow the Rust convention; the wire key of each
//! is given in its doc comment (and in the module doc of `protocol`).

use std::collections::BTreeMap;
use std::fmt;

use casesync_contract::DocumentId;

/// The wire `type` strings, in one place so that encoder and decoder cannot disagree.
pub(crate) mod wire_type {
    pub const JOIN: &str = "join";
    pub const PEER: &str = "peer";
    pub const LEAVE: &str = "leave";
    pub const REQUEST: &str = "request";
    pub const SYNC: &str = "sync";
    pub const DOC_UNAVAILABLE: &str = "doc-unavailable";
    pub const EPHEMERAL: &str = "ephemeral";
    pub const ERROR: &str = "error";
    pub const REMOTE_SUBSCRIPTION_CHANGE: &str = "remote-subscription-change";
    pub const REMOTE_HEADS_CHANGED: &str = "remote-heads-changed";
}

/// A peer id: an opaque string chosen by each peer for the lifetime of its process (a browser
/// tab, an app launch). It says nothing about who the peer is; authentication happens on the
/// HTTP upgrade, never from this value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(String);

impl PeerId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for PeerId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for PeerId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

/// What a peer says about its storage in `join` / `peer` (wire key `peerMetadata`).
///
/// A storage id names a persistent store (an IndexedDB, a phone's database) that many peer
/// ids may share over time; a peer that advertises one, and is not ephemeral, lets the other
/// side keep its automerge sync state across reconnections, keyed by that storage id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// Wire key `storageId`; absent when the peer has no storage.
    pub storage_id: Option<String>,
    /// Wire key `isEphemeral`: the peer will not come back with this storage id, so its sync
    /// state is not worth saving. Absent counts as `false`, as in JS.
    pub is_ephemeral: bool,
}

/// The heads a storage id was last seen at, in `remote-heads-changed`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteHeads {
    /// Wire key `heads`: change hashes as text, kept opaque. automerge-repo 2.x writes each
    /// 32-byte hash as base58check; 1.x wrote lowercase hex.
    pub heads: Vec<String>,
    /// Wire key `timestamp`: milliseconds since the Unix epoch on the peer that first saw them.
    pub timestamp: u64,
}

/// One frame of the automerge-repo network protocol v1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoMessage {
    /// `join`: the client's first frame.
    Join {
        /// `senderId`
        sender_id: PeerId,
        /// `supportedProtocolVersions`; `None` when absent, which JS servers read as "1".
        supported_protocol_versions: Option<Vec<String>>,
        /// `peerMetadata` (or `metadata`, the spelling of the written spec).
        peer_metadata: PeerMetadata,
    },
    /// `peer`: the server's answer to `join`.
    Peer {
        /// `senderId`: the server's peer id.
        sender_id: PeerId,
        /// `targetId`: the client's peer id from its `join`.
        target_id: PeerId,
        /// `selectedProtocolVersion`
        selected_protocol_version: String,
        /// `peerMetadata`
        peer_metadata: PeerMetadata,
    },
    /// `request`: "sync this document with me, and tell me if you do not have it".
    Request {
        sender_id: PeerId,
        target_id: PeerId,
        /// `documentId`
        document_id: DocumentId,
        /// `data`: an automerge sync message.
        data: Vec<u8>,
    },
    /// `sync`: one automerge sync message for one document.
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// `doc-unavailable`: the sender does not have the document (or will not share it).
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// `ephemeral`: application data that is relayed, never stored (presence, cursors).
    Ephemeral {
        /// The peer that first sent it; relays keep it unchanged.
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        /// `sessionId`: random per sender process.
        session_id: String,
        /// `count`: increases per message within a session; receivers drop repeats.
        count: u64,
        /// `data`: CBOR chosen by the application.
        data: Vec<u8>,
    },
    /// `error`: the sender is about to close the connection; `message` says why.
    Error {
        /// `senderId`, written by JS servers, absent from samod and the written spec.
        sender_id: Option<PeerId>,
        /// `targetId`, likewise.
        target_id: Option<PeerId>,
        message: String,
    },
    /// `leave`: advisory, the sender is about to disconnect (samod, Swift; JS never sends it).
    Leave { sender_id: PeerId },
    /// `remote-subscription-change`: change the storage ids whose heads the sender wants to
    /// hear about through `remote-heads-changed`.
    RemoteSubscriptionChange {
        sender_id: PeerId,
        target_id: PeerId,
        /// `add` (absent or null reads as empty)
        add: Vec<String>,
        /// `remove` (absent or null reads as empty)
        remove: Vec<String>,
    },
    /// `remote-heads-changed`: the heads of a document at other storage ids.
    RemoteHeadsChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        /// `newHeads`: storage id -> `{heads, timestamp}`.
        new_heads: BTreeMap<String, RemoteHeads>,
    },
}

impl RepoMessage {
    /// The wire `type` of this message, for logs and metrics.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Join { .. } => wire_type::JOIN,
            Self::Peer { .. } => wire_type::PEER,
            Self::Request { .. } => wire_type::REQUEST,
            Self::Sync { .. } => wire_type::SYNC,
            Self::DocUnavailable { .. } => wire_type::DOC_UNAVAILABLE,
            Self::Ephemeral { .. } => wire_type::EPHEMERAL,
            Self::Error { .. } => wire_type::ERROR,
            Self::Leave { .. } => wire_type::LEAVE,
            Self::RemoteSubscriptionChange { .. } => wire_type::REMOTE_SUBSCRIPTION_CHANGE,
            Self::RemoteHeadsChanged { .. } => wire_type::REMOTE_HEADS_CHANGED,
        }
    }

    /// Who sent it, when the frame says so (every type but some `error` frames).
    pub fn sender_id(&self) -> Option<&PeerId> {
        match self {
            Self::Join { sender_id, .. }
            | Self::Peer { sender_id, .. }
            | Self::Request { sender_id, .. }
            | Self::Sync { sender_id, .. }
            | Self::DocUnavailable { sender_id, .. }
            | Self::Ephemeral { sender_id, .. }
            | Self::Leave { sender_id }
            | Self::RemoteSubscriptionChange { sender_id, .. }
            | Self::RemoteHeadsChanged { sender_id, .. } => Some(sender_id),
            Self::Error { sender_id, .. } => sender_id.as_ref(),
        }
    }

    /// The document the message is about, for the types that name one.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Self::Request { document_id, .. }
            | Self::Sync { document_id, .. }
            | Self::DocUnavailable { document_id, .. }
            | Self::Ephemeral { document_id, .. }
            | Self::RemoteHeadsChanged { document_id, .. } => Some(*document_id),
            Self::Join { .. }
            | Self::Peer { .. }
            | Self::Error { .. }
            | Self::Leave { .. }
            | Self::RemoteSubscriptionChange { .. } => None,
        }
    }
}
