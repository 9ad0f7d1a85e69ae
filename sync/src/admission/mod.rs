//! Admission: what a device's changes must satisfy before anything of them is stored.
//!
//! 1. Every change the server does not have yet is authored by an actor bound to the sending
//!    device (the first device to use an actor id owns it), so no device can forge another's.
//! 2. Its dependencies are known, so the stored document never waits on missing history.
//!    (Changes that arrive before their dependencies wait outside the document, in the
//!    session's [`crate::HeldChanges`], until those arrive.)
//! 3. After merging, the document still reads as a document of its kind, and every edit is
//!    allowed for the device user's role.
//! 4. Entries it appends name its own user and device as their `author` and `device`.

mod alerts_policy;
mod authorship;
mod case_policy;
mod refusal;
mod touched;
mod view_policy;

pub use alerts_policy::check_alerts;
pub use case_policy::check_case;
pub use refusal::Refusal;
pub use view_policy::check_view;

use casesync_contract::Role;

/// Who is writing: the device and its user, as the server authenticated them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    pub device: String,
    pub user: String,
    /// `None` for the server itself, which is trusted.
    pub role: Option<Role>,
    pub organisation: String,
    pub site: Option<String>,
    /// The peer server (federation) the changes came through: its people's entries name
    /// them, not this writer. `None` for this server's own devices and itself.
    pub peer: Option<String>,
}

impl Writer {
    /// The server, writing on its own behalf (alerts, caseloads, coordinator actions that it
    /// has already checked).
    pub fn server(organisation: &str) -> Self {
        Self {
            device: "server".into(),
            user: "server".into(),
            role: None,
            organisation: organisation.to_string(),
            site: None,
            peer: None,
        }
    }
}
