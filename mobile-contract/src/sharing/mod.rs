//! Shares that carry only what they name (DOMAIN.md, "Data protection": minimisation). A
//! coordinator shares a case with a partner organisation naming a legal basis, a purpose and
//! data categories; the [`CATEGORY_TABLE`] says what of the case each category covers. A
//! partner reports back with [`Contribution`]s; the server admits each into the case as the
//! entry [`contribution_entry`] makes, marked with a [`crate::case::Provenance`].

mod categories;
mod contribution;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod categories_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod contribution_tests;

pub use categories::{cover, AttachmentCover, CategoryCover, CATEGORY_TABLE, HEADER_FIELDS};
pub use contribution::{
    check_contribution, contribution_entry, contribution_entry_id, ContributedEntry, Contribution,
    ContributionKind, CONTRIBUTION_KINDS,
};
