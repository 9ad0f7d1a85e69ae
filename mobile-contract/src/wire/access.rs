//! Wire types of access control and data protection: assignments and shares of a case,
//! legal holds, retention, device enrolment and administration, the audit trail.

use serde::{Deserialize, Serialize};

use crate::DocumentId;

/// The data categories a share or a cross-border notification names: what of the case
/// the other party receives (DOMAIN.md, "Data protection"). The names of
/// [`crate::sharing::CATEGORY_TABLE`], in its order; the table says what each covers.
pub const DATA_CATEGORIES: &[&str] = &[
    "identity",
    "contact",
    "physical_description",
    "photos",
    "family",
    "location",
    "asylum_status",
    "episodes",
    "risk_assessment",
    "observations",
    "documents",
    "response",
    "response_records",
    "casework_records",
    "legal_bases",
    "referrals",
    "health",
    "ethnicity",
    "religion",
    "biometrics",
];

/// Special categories (GDPR Art. 9): sharing them needs a stronger justification, so the
/// server records them separately on the share. The table's `special` ones.
pub const SPECIAL_CATEGORIES: &[&str] = &["health", "ethnicity", "religion", "biometrics"];

/// `POST /v1/cases/{id}/assignments`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignCase {
    /// User id or name, in the coordinator's organisation.
    pub user: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseAssignment {
    pub case_id: DocumentId,
    pub user_id: String,
    /// `creator` or `assigned`.
    pub reason: String,
    pub assigned_by: String,
    pub assigned_at: i64,
}

/// `POST /v1/cases/{id}/shares`: share a case with another organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareCase {
    /// Organisation id or name.
    pub organisation: String,
    /// One of the lawful bases (`legal_obligation`, `public_task`, `vital_interests`,
    /// `consent`, `legitimate_interest`).
    pub legal_basis: String,
    /// Why: shown with the share wherever it is listed.
    pub purpose: String,
    /// The data categories the share covers, from [`DATA_CATEGORIES`].
    pub data_categories: Vec<String>,
    /// The other organisation is in another country.
    #[serde(default)]
    pub cross_border: bool,
    /// The id of the case's legal basis entry the share rests on (it must state
    /// `legal_basis`). Withdrawing that entry (a later entry whose `withdraws` names it)
    /// withdraws the share. Since issue 16.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rests_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseShare {
    pub id: String,
    pub case_id: DocumentId,
    pub organisation_id: String,
    pub legal_basis: String,
    pub purpose: String,
    pub data_categories: Vec<String>,
    pub cross_border: bool,
    pub shared_by: String,
    pub shared_at: i64,
    pub withdrawn_at: Option<i64>,
    /// The shared view document the partner holds (kind `shared_view`). Since issue 16.
    #[serde(default)]
    pub view_id: Option<DocumentId>,
    #[serde(default)]
    pub rests_on: Option<String>,
    /// What was sent under the share: every version of the view's content, oldest first.
    #[serde(default)]
    pub sent: Vec<ShareSent>,
    /// For an organisation on a peer server (federation): what crossed to that server and
    /// who there acknowledged the share's alerts. Since issue 18.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<ShareAcross>,
}

/// A share with an organisation on a peer server: the messages sent to it about the share,
/// and the acknowledgements of its alerts by the peer's people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareAcross {
    /// This server's name for the peer.
    pub server: String,
    /// Oldest first.
    pub messages: Vec<PeerMessage>,
    pub acknowledgements: Vec<RemoteAcknowledgement>,
}

/// One message to a peer: `view_sync` (the view and its updates), `alert`,
/// `alert_stood_down`, `view_withdrawn`. Pending while `sent_at` and `refused` are empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerMessage {
    pub kind: String,
    pub queued_at: i64,
    pub sent_at: Option<i64>,
    /// The peer's refusal, for good (its code and message).
    pub refused: Option<String>,
    /// Why the last attempt failed, while the message waits.
    pub last_error: Option<String>,
    pub attempts: i32,
}

/// A person on a peer server who acknowledged an alert: "name, organisation, server".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteAcknowledgement {
    pub alert_id: String,
    pub name: String,
    pub organisation: String,
    pub server: String,
    pub acknowledged_at: i64,
}

/// One version of a shared view's content as the partner received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareSent {
    pub version: i32,
    pub sent_at: i64,
    pub data_categories: Vec<String>,
    /// SHA-256 (hex) of the view's `case` content as sent (its JSON form).
    pub sha256: String,
}

/// `POST /v1/cases/{id}/legal-hold`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceLegalHold {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalHoldState {
    pub case_id: DocumentId,
    pub held: bool,
    pub reason: Option<String>,
    pub placed_by: Option<String>,
    pub placed_at: Option<i64>,
}

/// `POST /v1/cases/{id}/retention`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetRetention {
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionState {
    pub case_id: DocumentId,
    pub class: String,
    /// Days kept after the last activity on the case.
    pub days: u32,
}

/// `DELETE /v1/cases/{id}`: what erasure removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseErased {
    pub case_id: DocumentId,
    pub erased_at: i64,
    pub chunks: usize,
    pub receipts: usize,
    pub assignments: usize,
    pub shares: usize,
    /// Whether attachments were erased too (false when no blob store is configured).
    pub attachments_erased: bool,
}

/// `POST /v1/enrolments`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateEnrolmentCode {
    /// User id or name, in the caller's organisation.
    pub user: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentCode {
    /// Shown once: type it on the phone or scan the QR code.
    pub code: String,
    pub user_id: String,
    pub role: String,
    pub expires_at: i64,
    /// What the QR code says: `casesync-enrol:?server=...&code=...`.
    pub qr_text: String,
    /// The QR code as a PNG image, base64.
    pub qr_png_base64: String,
}

/// `POST /v1/enrol`: the phone's side, without a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrol {
    pub code: String,
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolled {
    pub device_id: String,
    /// The bearer token; shown once, store it in the device's keystore.
    pub token: String,
    pub user_id: String,
    pub role: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub expires_at: i64,
}

/// One row of `GET /v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSummary {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
    pub site_id: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub wipe_requested_at: Option<i64>,
    pub wipe_delivered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceList {
    pub devices: Vec<DeviceSummary>,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    /// `device`, `server` or `cli`.
    pub actor_kind: String,
    pub actor_user: Option<String>,
    pub actor_device: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: serde_json::Value,
    pub hash: String,
}

/// `GET /v1/audit?case=ID&after=SEQ&limit=N`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditList {
    pub entries: Vec<AuditRecord>,
    /// Pass as `after` for the next page; `None` at the end.
    pub next_after: Option<i64>,
}
