//! The case API for coordinators and tools (`/v1/cases`), as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::CaseDocument;
use crate::views::{ChildStatus, EpisodeView, FieldConflict, TimelineEntry};
use crate::DocumentId;

/// `POST /v1/cases`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCase {
    /// Site id or name; defaults to the caller's site.
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Profile registers by field name (see the case document reference).
    #[serde(default)]
    pub profile: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedCase {
    pub id: DocumentId,
    /// `automerge:` URL an automerge-repo client can `find`.
    pub url: String,
    pub reference: String,
}

/// One row of `GET /v1/cases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub id: DocumentId,
    pub url: String,
    pub reference: String,
    pub display_name: String,
    pub site: String,
    pub status: ChildStatus,
    /// When the current status began (observed time), if the child is away.
    pub status_since: Option<i64>,
    pub open_conflicts: usize,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
}

/// `GET /v1/cases/{id}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    pub id: DocumentId,
    pub url: String,
    pub reference: String,
    pub heads: Vec<String>,
    pub status: ChildStatus,
    pub episodes: Vec<EpisodeView>,
    pub open_conflicts: usize,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::case_document_ref))]
    pub case: CaseDocument,
}

/// `GET /v1/cases/{id}/timeline`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeline {
    pub id: DocumentId,
    pub entries: Vec<TimelineEntry>,
}

/// `GET /v1/cases/{id}/conflicts`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflicts {
    pub id: DocumentId,
    pub conflicts: Vec<FieldConflict>,
}

/// A short reference people can read out on the phone: derived from the id, so a device
/// that opens a case offline knows it too.
pub fn case_reference(id: &DocumentId) -> String {
    let b = id.as_bytes();
    format!("C-{:02X}{:02X}-{:02X}{:02X}", b[0], b[1], b[2], b[3])
}
