//! Alerts: what the server raises when a child goes missing or a deadline passes.
//!
//! Alerts travel in server-authored **alert documents** (one per site, one per organisation
//! for coordinators) that devices hold like any other document, so an alert reaches a phone
//! live over WebSocket or in its next batch, and survives restarts. Shape v1:
//! `{kind: "alerts", schema_version: 1, organisation, site, alerts: {<alert id>: AlertEntry},
//!   acks: [AlertAck]}`. Devices write only acknowledgements: appended to `acks`, naming
//! themselves. An alert carries the missing pack's minimal fields, never the whole case.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Language;
use crate::DocumentId;

mod message;
pub use message::AlertMessage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The child is missing: act now (no waiting period).
    Missing,
    /// Absent and unresolved too long, or a high-risk child absent: staff must decide.
    AbsenceDecision,
    /// A checklist step is overdue (e.g. police not yet informed), or a strategy meeting's
    /// action.
    OverdueStep,
    /// 3 or more episodes in 30 days: convene a strategy meeting.
    StrategyMeeting,
    /// An alert nobody acknowledged in time, raised to coordinators.
    Unacknowledged,
    /// The child is back, and the handbook's escalation criteria hold (missing more than
    /// 24 h, a second episode, a crime, mental health needs, sexual exploitation risk).
    FoundEscalation,
    /// A risk assessment is due for review, or a caseworker's level awaits a coordinator's
    /// confirmation.
    RiskReview,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::AbsenceDecision => "absence_decision",
            Self::OverdueStep => "overdue_step",
            Self::StrategyMeeting => "strategy_meeting",
            Self::Unacknowledged => "unacknowledged",
            Self::FoundEscalation => "found_escalation",
            Self::RiskReview => "risk_review",
        }
    }
}

/// Who an alert is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every device of the child's site (and the organisation's coordinators).
    Site,
    /// The organisation's coordinators and caseworkers.
    Coordinators,
}

/// The missing pack's minimal projection, as an alert carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPack {
    pub name: String,
    pub reference: String,
    /// SHA-256 of the current photo, fetched as a blob by those who may.
    pub photo: Option<String>,
    pub description: Option<String>,
    pub clothing: Option<String>,
    pub last_seen_place: Option<String>,
    pub last_seen_at: Option<i64>,
    /// Whom to call: the site's duty line or the guardian.
    pub contact: Option<String>,
}

/// One alert as it stands in an alert document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEntry {
    pub id: String,
    pub kind: AlertKind,
    pub audience: Audience,
    #[cfg_attr(test, schemars(with = "String"))]
    pub case_id: DocumentId,
    pub case_url: String,
    /// The text in English, rendered from `message_key` and `message_args`: for clients
    /// older than the keys. Show [`AlertEntry::text`] in the user's language instead.
    pub message: String,
    /// The catalogue key of the text (`alert-missing`, ...); absent from alerts raised before
    /// keys existed (2026-12), whose text is `message` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_key: Option<String>,
    /// The key's arguments, all strings (see [`AlertMessage`] for those naming vocabulary).
    #[serde(default)]
    pub message_args: BTreeMap<String, String>,
    pub raised_at: i64,
    /// `open` or `stood_down`.
    pub status: String,
    pub stood_down_at: Option<i64>,
    /// How many times it was sent again for want of acknowledgement.
    pub resent: i64,
    pub pack: Option<AlertPack>,
}

impl AlertEntry {
    /// The key and arguments, when the alert carries them.
    pub fn message(&self) -> Option<AlertMessage> {
        self.message_key.as_ref().map(|key| AlertMessage {
            key: key.clone(),
            args: self.message_args.clone(),
        })
    }

    /// The text in `language`: the key rendered with the shared catalogue, or `message`
    /// for an alert without a key or with a key this build does not know (a newer server).
    pub fn text(&self, language: Language) -> String {
        match self.message() {
            Some(message) if crate::i18n::Catalogue::shared().has(language, &message.key) => {
                message.render(language)
            }
            _ => self.message.clone(),
        }
    }
}

/// A device's acknowledgement, appended to `acks` by the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AlertAck {
    pub alert_id: String,
    pub device: String,
    pub user: String,
    pub at: i64,
}

/// Per device: has it received the alert, has a person acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub device_id: String,
    pub device_name: String,
    pub user_name: String,
    pub delivered_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

/// One row of `GET /v1/alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertStatus {
    pub alert: AlertEntry,
    pub alert_document: DocumentId,
    pub escalated_at: Option<i64>,
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub alerts: Vec<AlertStatus>,
}
