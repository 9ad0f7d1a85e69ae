//! Records of what the response flows ask people to do: strategy meetings, safe-and-well
//! checks, return interviews, referrals to the national referral mechanism, police
//! instruments and notifications. Each kind is an append-only log at the root of the case
//! (a fact once written is never edited), with one exception: a strategy meeting action's
//! `done` register, written when the action is carried out.
//!
//! The logs arrived after shape v1's first cases were written, so an older case may lack
//! them: a device creates a missing record log with its first entry
//! ([`super::edit::append`] does), and the server merges two logs created concurrently
//! (`casesync_server`'s record-log repair), so no entry is lost to the conflict.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::model::CaseDocument;
use super::validate::{allowed, non_empty, ShapeError};
use super::values::{Millis, Str};
use super::vocabulary::{
    NOTIFICATION_SUBJECTS, NOTIFIED_PARTIES, POLICE_INSTRUMENTS, WELLBEING_OUTCOMES,
};

/// A multi-agency strategy meeting (the found flow asks for one after 3 or more episodes in
/// 30 days): who attended, what was decided, and who does what by when.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct StrategyMeeting {
    pub id: Str,
    /// The episode the meeting was held about, if any.
    #[autosurgeon(missing = "Default::default")]
    pub episode: Option<Str>,
    pub held_at: Millis,
    /// "name, agency" of each person present.
    pub attendees: Vec<Str>,
    pub decisions: Vec<Str>,
    pub actions: Vec<MeetingAction>,
    pub author: Str,
    pub device: Str,
}

/// Something a meeting asked one person to do by a date. Overdue while `done` is unset: the
/// server alerts the owner and the coordinators.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct MeetingAction {
    pub id: Str,
    pub text: Str,
    /// The user id of the person who owns the action.
    pub owner: Str,
    pub due: Millis,
    /// Written when the action is carried out (a register: the only edit a record admits).
    #[autosurgeon(missing = "Default::default")]
    pub done: Option<ActionDone>,
}

/// Who carried out a meeting action, and when.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ActionDone {
    pub by: Str,
    pub at: Millis,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
}

/// The safe-and-well check after a child is located or returns: a missing child stays
/// missing until found and this is recorded.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct WellbeingCheck {
    pub id: Str,
    pub episode: Str,
    pub checked_at: Millis,
    /// One of [`super::vocabulary::WELLBEING_OUTCOMES`].
    pub outcome: Str,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
    pub author: Str,
    pub device: Str,
}

/// The return interview: an independent conversation after return, within 72 hours.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ReturnInterview {
    pub id: Str,
    pub episode: Str,
    pub held_at: Millis,
    /// "name, agency" of the interviewer.
    pub interviewer: Str,
    /// Whether the interviewer is independent of the placement (the handbook asks for it; a
    /// dependent interview is kept, and does not count as the step done).
    pub independent: bool,
    pub outcome: Str,
    pub author: Str,
    pub device: Str,
}

/// A referral of a possible victim of trafficking to the national referral mechanism.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NrmReferral {
    pub id: Str,
    pub referred_at: Millis,
    /// The competent authority referred to.
    pub authority: Str,
    #[autosurgeon(missing = "Default::default")]
    pub reference: Option<Str>,
    pub grounds: Str,
    pub author: Str,
    pub device: Str,
}

/// A police instrument requested for the child: the report itself, an SIS alert (Art. 32) or
/// an INTERPOL Yellow Notice. casesync records the request and its reference; it does not
/// talk to those systems.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PoliceInstrument {
    pub id: Str,
    #[autosurgeon(missing = "Default::default")]
    pub episode: Option<Str>,
    /// One of [`super::vocabulary::POLICE_INSTRUMENTS`].
    pub instrument: Str,
    pub requested_at: Millis,
    /// The reference the police gave, once known.
    #[autosurgeon(missing = "Default::default")]
    pub reference: Option<Str>,
    #[autosurgeon(missing = "Default::default")]
    pub authority: Option<Str>,
    pub author: Str,
    pub device: Str,
}

/// A party told about the child's disappearance or return.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Notification {
    pub id: Str,
    #[autosurgeon(missing = "Default::default")]
    pub episode: Option<Str>,
    /// One of [`super::vocabulary::NOTIFIED_PARTIES`].
    pub party: Str,
    /// Who exactly was told (name, office, country).
    pub to: Str,
    /// `missing` or `found`: the found flow tells again every party told of the absence.
    pub about: Str,
    pub sent_at: Millis,
    pub author: Str,
    pub device: Str,
}

/// Checks the record logs of a case: ids present, words from the vocabulary.
pub(super) fn check_records(case: &CaseDocument) -> Result<(), ShapeError> {
    for meeting in &case.strategy_meetings {
        non_empty("strategy_meetings[].id", meeting.id.as_str())?;
        for action in &meeting.actions {
            non_empty("strategy_meetings[].actions[].id", action.id.as_str())?;
            non_empty("strategy_meetings[].actions[].owner", action.owner.as_str())?;
        }
    }
    for check in &case.wellbeing_checks {
        non_empty("wellbeing_checks[].id", check.id.as_str())?;
        non_empty("wellbeing_checks[].episode", check.episode.as_str())?;
        let outcome = check.outcome.as_str();
        allowed(
            "wellbeing_checks[].outcome",
            outcome,
            WELLBEING_OUTCOMES.contains(&outcome),
        )?;
    }
    for interview in &case.return_interviews {
        non_empty("return_interviews[].id", interview.id.as_str())?;
        non_empty("return_interviews[].episode", interview.episode.as_str())?;
    }
    for referral in &case.nrm_referrals {
        non_empty("nrm_referrals[].id", referral.id.as_str())?;
        non_empty("nrm_referrals[].authority", referral.authority.as_str())?;
    }
    for instrument in &case.police_instruments {
        non_empty("police_instruments[].id", instrument.id.as_str())?;
        let kind = instrument.instrument.as_str();
        allowed(
            "police_instruments[].instrument",
            kind,
            POLICE_INSTRUMENTS.contains(&kind),
        )?;
    }
    for notification in &case.notifications {
        non_empty("notifications[].id", notification.id.as_str())?;
        let party = notification.party.as_str();
        allowed(
            "notifications[].party",
            party,
            NOTIFIED_PARTIES.contains(&party),
        )?;
        let about = notification.about.as_str();
        allowed(
            "notifications[].about",
            about,
            NOTIFICATION_SUBJECTS.contains(&about),
        )?;
    }
    Ok(())
}
