//! The records the stories write (`casesync_contract::case::records`), as the devices of the
//! people who did the work write them: police instruments, notifications, safe-and-well
//! checks, return interviews, NRM referrals and strategy meetings.

use casesync_contract::case::edit::set_action_done;
use casesync_contract::case::{
    ActionDone, CaseLog, MeetingAction, Millis, Notification, NrmReferral, PoliceInstrument,
    ReturnInterview, Str, StrategyMeeting, WellbeingCheck,
};

use super::cast::Member;
use super::story::{new_entry_id, Story};
use super::DemoError;

fn writer(by: &Member) -> (Str, Str) {
    (
        Str(by.device.user_id.clone()),
        Str(by.device.device_id.clone()),
    )
}

/// A police instrument requested at `at` for `episode`, with its reference once given.
pub fn police(
    story: &Story<'_>,
    by: &Member,
    episode: &str,
    instrument: &str,
    at: i64,
    reference: Option<&str>,
    authority: &str,
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = PoliceInstrument {
        id: Str(new_entry_id("police")),
        episode: Some(Str::from(episode)),
        instrument: Str::from(instrument),
        requested_at: Millis(at),
        reference: reference.map(Str::from),
        authority: Some(Str::from(authority)),
        author,
        device,
    };
    story.append(by, at, CaseLog::PoliceInstruments, &entry)
}

/// `party` (`to`) told at `at` that the child of `episode` is missing or found.
pub fn notify(
    story: &Story<'_>,
    by: &Member,
    episode: &str,
    (party, to): (&str, &str),
    about: &str,
    at: i64,
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = Notification {
        id: Str(new_entry_id("notice")),
        episode: Some(Str::from(episode)),
        party: Str::from(party),
        to: Str::from(to),
        about: Str::from(about),
        sent_at: Millis(at),
        author,
        device,
    };
    story.append(by, at, CaseLog::Notifications, &entry)
}

pub fn wellbeing(
    story: &Story<'_>,
    by: &Member,
    episode: &str,
    at: i64,
    note: &str,
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = WellbeingCheck {
        id: Str(new_entry_id("wellbeing")),
        episode: Str::from(episode),
        checked_at: Millis(at),
        outcome: Str::from("safe_and_well"),
        note: Some(Str::from(note)),
        author,
        device,
    };
    story.append(by, at, CaseLog::WellbeingChecks, &entry)
}

pub fn return_interview(
    story: &Story<'_>,
    by: &Member,
    episode: &str,
    at: i64,
    interviewer: &str,
    outcome: &str,
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = ReturnInterview {
        id: Str(new_entry_id("interview")),
        episode: Str::from(episode),
        held_at: Millis(at),
        interviewer: Str::from(interviewer),
        independent: true,
        outcome: Str::from(outcome),
        author,
        device,
    };
    story.append(by, at, CaseLog::ReturnInterviews, &entry)
}

pub fn nrm_referral(
    story: &Story<'_>,
    by: &Member,
    at: i64,
    authority: &str,
    grounds: &str,
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = NrmReferral {
        id: Str(new_entry_id("nrm")),
        referred_at: Millis(at),
        authority: Str::from(authority),
        reference: None,
        grounds: Str::from(grounds),
        author,
        device,
    };
    story.append(by, at, CaseLog::NrmReferrals, &entry)
}

/// A strategy meeting with its actions as (text, owner, due, done at); each owner marks
/// their own action done, from their device.
pub fn strategy_meeting(
    story: &Story<'_>,
    by: &Member,
    episode: &str,
    at: i64,
    attendees: &[&str],
    decisions: &[&str],
    actions: &[(&str, &Member, i64, Option<i64>)],
) -> Result<(), DemoError> {
    let (author, device) = writer(by);
    let entry = StrategyMeeting {
        id: Str(new_entry_id("meeting")),
        episode: Some(Str::from(episode)),
        held_at: Millis(at),
        attendees: attendees.iter().map(|a| Str::from(*a)).collect(),
        decisions: decisions.iter().map(|d| Str::from(*d)).collect(),
        actions: actions
            .iter()
            .map(|(text, owner, due, _)| MeetingAction {
                id: Str(new_entry_id("action")),
                text: Str::from(*text),
                owner: Str(owner.device.user_id.clone()),
                due: Millis(*due),
                done: None,
            })
            .collect(),
        author,
        device,
    };
    story.append(by, at, CaseLog::StrategyMeetings, &entry)?;
    for ((_, owner, _, done), action) in actions.iter().zip(&entry.actions) {
        let Some(done_at) = done else {
            continue;
        };
        let done = ActionDone {
            by: Str(owner.device.user_id.clone()),
            at: Millis(*done_at),
            note: None,
        };
        story.write(owner, *done_at, |doc| {
            set_action_done(doc, entry.id.as_str(), action.id.as_str(), &done)?;
            Ok(())
        })?;
    }
    Ok(())
}
