//! Which derived state a change can have affected, from the root keys it wrote under.

use std::collections::BTreeSet;

use casesync_contract::wire::DocumentKind;
use casesync_sync::{Admitted, DeriveWork};

use crate::domain::access::shares::SHARES_KEY;

/// What a change requires to be recomputed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The case's summary row (name, state, conflicts).
    pub summary: bool,
    /// Only the summary's last-updated time.
    pub touch: bool,
    /// The blob references.
    pub blobs: bool,
    /// Checklists started and alerts raised or stood down.
    pub alerts: bool,
    /// Acknowledgements in an alert document.
    pub acks: bool,
    /// Contributions a partner appended to a shared view, for the source case.
    pub contributions: bool,
    /// The shared views of the case's active shares (any change of the case, or of its
    /// shares, may change what a view holds).
    pub views: bool,
    /// A shared view changed: the peer server holding its other copy is sent the changes.
    pub peers: bool,
}

impl Needs {
    /// What the admitted changes can have changed (and the fields of log entries: an
    /// observation with photos changes the references).
    pub fn of(admitted: &Admitted) -> Self {
        if admitted.added.is_empty() {
            return Self::default();
        }
        Self::of_keys(admitted.kind, admitted.created, &admitted.touched)
    }

    /// What pending work recorded in the outbox requires.
    pub fn of_work(kind: DocumentKind, work: &DeriveWork) -> Self {
        Self::of_keys(kind, work.created, &work.touched)
    }

    fn of_keys(kind: DocumentKind, created: bool, keys: &BTreeSet<String>) -> Self {
        let touched = |wanted: &[&str]| created || wanted.iter().any(|k| keys.contains(*k));
        match kind {
            DocumentKind::Case => {
                // Work about the case's shares alone is not activity on the case.
                let only_shares = !created && keys.iter().all(|k| k == SHARES_KEY);
                Self {
                    summary: touched(&["profile", "episodes", "organisation", "site"]),
                    touch: !only_shares,
                    blobs: touched(&["attachments", "observations.attachments", "profile"]),
                    // Records carry out steps: a safe-and-well check stands an alert down.
                    alerts: touched(&[
                        "episodes",
                        "checklists",
                        "created_at",
                        "strategy_meetings",
                        "wellbeing_checks",
                        "return_interviews",
                        "nrm_referrals",
                        "police_instruments",
                        "notifications",
                    ]),
                    acks: false,
                    contributions: false,
                    views: true,
                    peers: false,
                }
            }
            DocumentKind::Alerts => Self {
                acks: touched(&["acks"]),
                ..Self::default()
            },
            DocumentKind::SharedView => Self {
                contributions: touched(&["contributions"]),
                peers: created || !keys.is_empty(),
                ..Self::default()
            },
            DocumentKind::Caseload => Self::default(),
        }
    }

    /// For the engine: whether an append leaves derive work to record in the outbox.
    pub fn any(kind: DocumentKind, work: &DeriveWork) -> bool {
        !Self::of_work(kind, work).is_empty()
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
