//! Organisations, sites, users and devices: who may sync what.

pub mod devices;
pub mod documents;
pub mod organisations;
pub mod sites;
pub mod summaries;
pub mod users;

pub use devices::{AuthenticatedDevice, EnrolledDevice};
pub use documents::DocumentRow;
pub use organisations::Organisation;
pub use sites::Site;
pub use summaries::CaseSummaryRow;
pub use users::User;

/// A fresh random id for a row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
