//! Missing-child alerts and the handbook's response flows.
//!
//! After every admitted change of a case, [`derive`] starts the checklists whose anchor
//! event arrived (once), raises a `missing` alert at once (no waiting period) and stands
//! alerts down when the child is found. The [`escalation`] worker watches deadlines:
//! overdue steps, unresolved absences, return interviews, repeat episodes, and alerts nobody
//! acknowledged. Alerts are written into alert documents ([`documents`]) that devices sync
//! like any document; raising is exactly-once across instances through a unique key.

pub mod action_watch;
pub mod anchor_clock;
pub mod deliveries;
pub mod derive;
pub mod documents;
pub mod escalation;
pub mod list;
pub mod partner_pack;
pub mod purge;
pub mod raise;
pub mod risk_watch;
pub mod rules;

pub use list::list_alerts;
