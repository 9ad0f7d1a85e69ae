//! Shares that carry only what they name (DOMAIN.md, "Data protection": minimisation). A
//! coordinator shares a case with a partner organisation naming a legal basis, a purpose and
//! data categories; the server derives from the case, for each share, a separate document
//! of kind `shared_view` holding only what those categories cover ([`project`], by the
//! [`CATEGORY_TABLE`]). Partner devices hold the view, never the case. They report back by
//! appending [`Contribution`]s to the view; the server admits each into the case as the
//! entry [`contribution_entry`] makes, marked with a [`crate::case::Provenance`].

mod categories;
mod contribution;
mod covered;
mod project;
mod records;
mod view;
mod write;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod categories_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod contribution_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod fixture;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod project_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod view_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod write_tests;

pub use categories::{cover, AttachmentCover, CategoryCover, CATEGORY_TABLE, HEADER_FIELDS};
pub use contribution::{
    check_contribution, contribution_entry, contribution_entry_id, ContributedEntry, Contribution,
    ContributionKind, CONTRIBUTION_KINDS,
};
pub use project::project;
pub use records::SharedRecord;
pub use view::{
    check_shared_view, read_shared_view, SharedAttachment, SharedCase, SharedChecklist,
    SharedChecklistStep, SharedEpisode, SharedEpisodeEvent, SharedFact, SharedLegalBasis,
    SharedObservation, SharedReferral, SharedRiskAssessment, SharedViewDocument, SHARED_VIEW_KIND,
    SHARED_VIEW_SCHEMA_VERSION,
};
pub use write::write_view_case;
