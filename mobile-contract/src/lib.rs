//! casesync-contract: what a field device and the casesync server agree on.
//!
//! Plain types and pure functions, no I/O: a phone app links this crate. It holds the case
//! document model (shape v1), the views derived from a case (episode state, timeline,
//! conflicts), the write-permission rules, the wire types of the APIs and the error codes.

pub mod ids;

pub use ids::DocumentId;
pub mod alerts;
pub mod case;
pub mod checklists;
pub mod deadlines;
pub mod errors;
pub mod i18n;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod permissions;
pub mod records;
pub mod risk;
// Generated developer references and their drift checks (test-only: schemars is a
// dev-dependency, so a phone app does not link it).
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod reference;
pub mod roles;
pub mod sharing;
pub mod views;
pub mod wire;

pub use roles::Role;
