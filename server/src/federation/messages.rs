//! What crosses between two casesync servers: JSON messages posted one at a time to the
//! peer's `POST /federation/v1/messages`, over mutual TLS. Every message names the
//! organisation it speaks for (`from_organisation`) and the one it is for
//! (`to_organisation`); the receiving server checks both against the peering. Every message
//! is idempotent: sent twice, it is applied once.

use casesync_contract::alerts::{AlertMessage, AlertPack};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/federation/v1/messages";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    ViewSync(ViewSync),
    ViewWithdrawn(ViewWithdrawn),
    Alert(PeerAlert),
    AlertStoodDown(AlertStoodDown),
    AlertAcknowledged(AlertAcknowledged),
}

impl Message {
    /// (the organisation the message speaks for, the organisation it is for).
    pub fn parties(&self) -> (&str, &str) {
        let (from, to) = match self {
            Self::ViewSync(m) => (&m.from_organisation, &m.to_organisation),
            Self::ViewWithdrawn(m) => (&m.from_organisation, &m.to_organisation),
            Self::Alert(m) => (&m.from_organisation, &m.to_organisation),
            Self::AlertStoodDown(m) => (&m.from_organisation, &m.to_organisation),
            Self::AlertAcknowledged(m) => (&m.from_organisation, &m.to_organisation),
        };
        (from, to)
    }

    /// The legal basis the message rests on, for those that carry a share's.
    pub fn legal_basis(&self) -> Option<&str> {
        match self {
            Self::ViewSync(m) => Some(&m.share.legal_basis),
            Self::Alert(m) => Some(&m.legal_basis),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::ViewSync(_) => "view_sync",
            Self::ViewWithdrawn(_) => "view_withdrawn",
            Self::Alert(_) => "alert",
            Self::AlertStoodDown(_) => "alert_stood_down",
            Self::AlertAcknowledged(_) => "alert_acknowledged",
        }
    }
}

/// The share a view is under, as the sharing server states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareHeader {
    pub reference: String,
    pub source_organisation: String,
    pub partner_organisation: String,
    pub legal_basis: String,
    pub purpose: String,
    pub categories: Vec<String>,
    pub cross_border: bool,
    pub shared_at: i64,
}

/// Both servers' copies of a view brought together: the sender's heads and the changes it
/// believes the receiver lacks; the answer carries what the sender lacks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewSync {
    pub view_id: String,
    pub from_organisation: String,
    pub to_organisation: String,
    pub share: ShareHeader,
    /// Hex change hashes.
    pub heads: Vec<String>,
    /// Automerge changes, base64.
    pub changes: Vec<String>,
    /// The sender's people who wrote in the view, so the receiver can name them.
    pub people: Vec<Person>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ViewSyncAnswer {
    pub heads: Vec<String>,
    pub changes: Vec<String>,
}

/// A person of a peer's organisation, as their server names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: String,
    pub organisation_id: String,
    pub name: String,
}

/// The share was withdrawn (or lapsed): the receiver erases its copy of the view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewWithdrawn {
    pub view_id: String,
    pub from_organisation: String,
    pub to_organisation: String,
    pub reference: String,
    pub reason: String,
    pub withdrawn_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WithdrawalConfirmed {
    pub erased_at: i64,
}

/// A missing-child alert for the receiving organisation, about a view it holds, with only
/// what the share covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerAlert {
    /// The alert's id on the sending server.
    pub alert_id: String,
    pub view_id: String,
    pub from_organisation: String,
    pub to_organisation: String,
    pub legal_basis: String,
    pub kind: String,
    pub message: AlertMessage,
    pub pack: Option<AlertPack>,
    pub raised_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertStoodDown {
    pub alert_id: String,
    pub from_organisation: String,
    pub to_organisation: String,
    pub stood_down_at: i64,
}

/// A person of the sending server acknowledged an alert the receiving server raised.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertAcknowledged {
    /// The alert's id on the receiving server (the one it sent).
    pub alert_id: String,
    pub from_organisation: String,
    pub to_organisation: String,
    pub by: Person,
    pub acknowledged_at: i64,
}
