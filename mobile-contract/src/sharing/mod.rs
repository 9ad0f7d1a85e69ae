//! Shares that carry only what they name (DOMAIN.md, "Data protection": minimisation). A
//! coordinator shares a case with a partner organisation naming a legal basis, a purpose and
//! data categories; the [`CATEGORY_TABLE`] says what of the case each category covers.

mod categories;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod categories_tests;

pub use categories::{cover, AttachmentCover, CategoryCover, CATEGORY_TABLE, HEADER_FIELDS};
