//! Shared views (issue 16): what a partner organisation holds of a case shared with it.
//!
//! For each share the server derives a document of kind `shared_view`, owned by the sharing
//! organisation, holding only what the share's data categories cover
//! (`casesync_contract::sharing`), with the share's legal basis, purpose and reference. The
//! partner's coordinators hold the view (it is listed in their caseloads), never the case.
//! The view is kept current by the case's derive run (`refresh`), and every version sent is
//! recorded with its SHA-256 (`share_versions`). Withdrawing the share, or the legal basis
//! entry it rests on, takes the view off the partner's devices; the record stays. What a
//! partner contributes in the view enters the source case with its provenance
//! (`contributions`).

mod access;
mod contributions;
mod document;
mod read;
mod refresh;

pub use access::{assignable_view, may_read_view, may_sync_view, views_in_scope};
pub use contributions::admit_contributions;
pub use read::{held_views, read_view, HeldView};
pub use refresh::{refresh, Refreshed};
