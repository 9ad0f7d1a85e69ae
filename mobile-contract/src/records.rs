//! What the records of a case (`crate::case::records`) mean for its response flows: the
//! checklist steps a record carries out, the meeting actions that are overdue, and the
//! parties the found flow must tell again. The server's escalations, the case page and the
//! flowchart all read a step's status through [`step_status`], so a step done by a record
//! is done everywhere, whether or not anybody also ticked it.

use crate::case::{CaseDocument, Checklist, ChecklistStep, Millis, Str};

/// The record that carries out a step, when one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfilment {
    /// The record log (`wellbeing_checks`, ...).
    pub log: &'static str,
    pub record: String,
    pub author: String,
    pub at: i64,
}

/// A step's status: its own register (`done`, `not_applicable`) first, else `done` when a
/// record carries it out, else `open`.
pub fn step_status(
    case: &CaseDocument,
    checklist: &Checklist,
    step: &str,
    recorded: Option<&ChecklistStep>,
) -> &'static str {
    match recorded.map(|r| r.status.as_str()) {
        Some("done") => "done",
        Some("not_applicable") => "not_applicable",
        _ if fulfilment(case, checklist, step).is_some() => "done",
        _ => "open",
    }
}

/// The record that carries out `step` of `checklist`, if any. Records of an episode count
/// for the checklists of that episode only.
pub fn fulfilment(case: &CaseDocument, checklist: &Checklist, step: &str) -> Option<Fulfilment> {
    let episode = checklist.anchor.as_str();
    let of_episode = |e: &Option<Str>| e.as_ref().is_none_or(|e| e.as_str() == episode);
    let found = |log, id: &Str, author: &Str, at: &Millis| Fulfilment {
        log,
        record: id.0.clone(),
        author: author.0.clone(),
        at: at.0,
    };
    match (checklist.template.as_str(), step) {
        ("intake", "trafficking_referral") => case
            .nrm_referrals
            .iter()
            .map(|r| found("nrm_referrals", &r.id, &r.author, &r.referred_at))
            .next(),
        ("missing_first_hours", "report_police") => police(case, episode, &["police_report"]),
        ("missing_first_hours", "record_sis_interpol") => {
            police(case, episode, &["sis_alert", "yellow_notice"])
        }
        ("missing_first_hours", "inform_guardian_social_worker") => {
            let told = |party: &str| {
                case.notifications.iter().find(|n| {
                    n.party.as_str() == party
                        && n.about.as_str() == "missing"
                        && of_episode(&n.episode)
                })
            };
            // Both must be told; the later notification completes the step.
            let (guardian, social_worker) = (told("guardian")?, told("social_worker")?);
            let last = if guardian.sent_at >= social_worker.sent_at {
                guardian
            } else {
                social_worker
            };
            Some(found(
                "notifications",
                &last.id,
                &last.author,
                &last.sent_at,
            ))
        }
        ("found_or_returned", "safe_and_well_check") => case
            .wellbeing_checks
            .iter()
            .find(|c| c.episode.as_str() == episode)
            .map(|c| found("wellbeing_checks", &c.id, &c.author, &c.checked_at)),
        ("found_or_returned", "return_interview") => case
            .return_interviews
            .iter()
            .find(|i| i.episode.as_str() == episode && i.independent)
            .map(|i| found("return_interviews", &i.id, &i.author, &i.held_at)),
        ("found_or_returned", "tell_notified_parties") => {
            let pending = parties_to_tell_again(case, episode);
            let last = case
                .notifications
                .iter()
                .filter(|n| n.about.as_str() == "found" && of_episode(&n.episode))
                .max_by_key(|n| n.sent_at.0)?;
            pending
                .is_empty()
                .then(|| found("notifications", &last.id, &last.author, &last.sent_at))
        }
        _ => None,
    }
}

fn police(case: &CaseDocument, episode: &str, kinds: &[&str]) -> Option<Fulfilment> {
    case.police_instruments
        .iter()
        .find(|p| {
            kinds.contains(&p.instrument.as_str())
                && p.episode.as_ref().is_none_or(|e| e.as_str() == episode)
        })
        .map(|p| Fulfilment {
            log: "police_instruments",
            record: p.id.0.clone(),
            author: p.author.0.clone(),
            at: p.requested_at.0,
        })
}

/// The parties told that the child of `episode` was missing and not yet told that the child
/// is back, as (party, to): the found flow's "tell every party that was notified".
pub fn parties_to_tell_again(case: &CaseDocument, episode: &str) -> Vec<(String, String)> {
    let of_episode = |e: &Option<Str>| e.as_ref().is_none_or(|e| e.as_str() == episode);
    let mut pending: Vec<(String, String)> = vec![];
    for told in case
        .notifications
        .iter()
        .filter(|n| n.about.as_str() == "missing" && of_episode(&n.episode))
    {
        let again = case.notifications.iter().any(|n| {
            n.about.as_str() == "found"
                && of_episode(&n.episode)
                && n.party == told.party
                && n.to
                    .as_str()
                    .trim()
                    .eq_ignore_ascii_case(told.to.as_str().trim())
        });
        let key = (told.party.0.clone(), told.to.0.clone());
        if !again && !pending.contains(&key) {
            pending.push(key);
        }
    }
    pending
}

/// A strategy meeting's action not done by its due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueAction {
    pub meeting: String,
    pub action: String,
    pub text: String,
    pub owner: String,
    pub due: i64,
}

/// Every action of every strategy meeting of `case` still undone at `now`, past its due time
/// plus `grace_minutes`.
pub fn overdue_actions(case: &CaseDocument, now: i64, grace_minutes: i64) -> Vec<OverdueAction> {
    case.strategy_meetings
        .iter()
        .flat_map(|meeting| meeting.actions.iter().map(move |a| (meeting, a)))
        .filter(|(_, action)| action.done.is_none() && now > action.due.0 + grace_minutes * 60_000)
        .map(|(meeting, action)| OverdueAction {
            meeting: meeting.id.0.clone(),
            action: action.id.0.clone(),
            text: action.text.0.clone(),
            owner: action.owner.0.clone(),
            due: action.due.0,
        })
        .collect()
}

#[cfg(test)]
#[path = "records_tests.rs"]
mod tests;
