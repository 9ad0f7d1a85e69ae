//! What follows from a case's new state: checklists started by their anchor events (once,
//! even when two devices report the same event), a missing alert at once, a stand-down when
//! the child is back and seen safe and well, the handbook's escalations once the child is
//! back, a strategy meeting after repeated episodes.

use automerge::ReadDoc;
use automerge::{ObjType, Value, ROOT};
use autosurgeon::reconcile_insert;
use casesync_contract::alerts::{AlertKind, AlertMessage, Audience};
use casesync_contract::case::{
    CaseDocument, Checklist, ChecklistStep, EpisodeState, Millis, Str, Whole,
};
use casesync_contract::checklists::{for_anchor, Anchor};
use casesync_contract::deadlines;
use casesync_contract::views::{alert_pack, episode_view, found};
use casesync_contract::wire::{case_reference, DocumentKind};
use casesync_contract::DocumentId;
use casesync_sync::Writer;

use super::anchor_clock::{self, Anchored};
use super::partner_pack::partner_pack;
use super::raise::{raise, stand_down, NewAlert};
use super::rules::rules_for;
use crate::domain::error::DomainError;
use crate::domain::server_write::server_write;
use crate::state::AppState;

/// Runs after admitted changes to a case's episodes or checklists (`case` as it is now).
pub fn derive(state: &AppState, id: &DocumentId, case: &CaseDocument) -> Result<(), DomainError> {
    // Durations between events (missing more than 24 h, episodes within 30 days) are read
    // on a training exercise's scenario clock (identity for a real organisation).
    let clock = crate::domain::exercises::clock::for_organisation(state, &case.organisation.0)?;
    // Mapped once per run (and not at all for a real organisation).
    let clocked = clock.case(case);
    let intake = (case.created_at.0, Anchored::Creation);
    start_checklist(state, id, case, Anchor::Intake, "intake", intake)?;
    for episode in &case.episodes {
        for (anchor, states) in [
            (
                Anchor::Absence,
                &[EpisodeState::Late, EpisodeState::Absent][..],
            ),
            (Anchor::Missing, &[EpisodeState::Missing][..]),
            (
                Anchor::Found,
                &[EpisodeState::Located, EpisodeState::Returned][..],
            ),
        ] {
            let first = episode
                .events
                .iter()
                .filter(|e| {
                    EpisodeState::parse(e.state.as_str()).is_some_and(|s| states.contains(&s))
                })
                .min_by_key(|e| (e.observed_at, e.id.clone()));
            if let Some(event) = first {
                let anchored = Anchored::Event {
                    episode: &episode.id.0,
                    event: &event.id.0,
                };
                let at = (event.observed_at.0, anchored);
                start_checklist(state, id, case, anchor, &episode.id.0, at)?;
            }
        }
        react_to_episode(state, id, case, &clocked, episode)?;
    }
    flag_repeat_episodes(state, id, &clocked)
}

/// `clocked` is `case` on the scenario clock (the case itself for a real organisation).
fn react_to_episode(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    clocked: &CaseDocument,
    episode: &casesync_contract::case::Episode,
) -> Result<(), DomainError> {
    let Some(view) = episode_view(episode) else {
        return Ok(());
    };
    let reference = case_reference(id);
    // Every episode in which the child was recorded missing raises its missing alert (once:
    // the key dedupes), whatever came after. A phone that syncs `missing` and `located`
    // together, or a derive run that reads both, must give the same alerts as one that read
    // them one by one: raised, then stood down below if the child is back and safe.
    if view.state == EpisodeState::Missing || view.missing_since.is_some() {
        // Drawn once: the pack goes with the alert, its name into the message.
        let pack = alert_pack(case, &reference);
        let name = pack.name.clone();
        raise(
            state,
            NewAlert {
                pack: Some(pack),
                ..NewAlert::of_case(
                    id,
                    case,
                    AlertKind::Missing,
                    Audience::Site,
                    format!("missing:{id}:{}", episode.id),
                    AlertMessage::new("alert-missing")
                        .with("name", name)
                        .with("reference", &reference),
                )
            },
        )?;
        alert_sharing_organisations(state, id, case, &episode.id.0)?;
    }
    let same = clocked.episodes.iter().find(|e| e.id == episode.id);
    escalate_when_back(state, id, clocked, same.unwrap_or(episode))?;
    if found::stands_down(case, &view) {
        // Back and seen safe and well (a disagreement counts as missing, and `located`
        // alone is not safe yet). Stand this episode's alerts down.
        let open = {
            let mut conn = state.db()?;
            casesync_schema::alerts::open_for_case(&mut conn, &id.to_string())?
        };
        // This episode's missing and absence alerts, in this organisation and in those the
        // case is shared with.
        let prefixes = [
            format!("missing:{id}:{}", episode.id),
            format!("absence:{id}:{}", episode.id),
        ];
        for row in open.iter().filter(|r| {
            prefixes
                .iter()
                .any(|p| r.dedupe_key == *p || r.dedupe_key.starts_with(&format!("{p}:")))
        }) {
            stand_down(state, row)?;
        }
    }
    Ok(())
}

/// The handbook's escalations once the child is back (missing more than 24 h, a second
/// episode, a crime, mental health needs, sexual exploitation risk): one alert to the
/// coordinators per episode, naming the criteria that held when it was raised.
fn escalate_when_back(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    episode: &casesync_contract::case::Episode,
) -> Result<(), DomainError> {
    let reasons = found::escalations(case, episode);
    if reasons.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = reasons.iter().map(found::Escalation::code).collect();
    raise(
        state,
        NewAlert::of_case(
            id,
            case,
            AlertKind::FoundEscalation,
            Audience::Coordinators,
            format!("found:{id}:{}", episode.id),
            AlertMessage::new("alert-found-escalation")
                .with("reference", case_reference(id))
                .with("reasons", reasons.join(",")),
        ),
    )?;
    Ok(())
}

/// Organisations the case is shared with act too: the alert goes to their coordinators'
/// document (their devices hold it), with only what each share covers, named by the share's
/// reference (the partner holds the view, not the case).
fn alert_sharing_organisations(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    episode_id: &str,
) -> Result<(), DomainError> {
    let shares = {
        let mut conn = state.db()?;
        casesync_schema::access::shares::active_of_document(&mut conn, &id.to_string())?
    };
    for share in &shares {
        let pack = partner_pack(case, &share.categories(), &share.id);
        let message = AlertMessage::new("alert-missing-shared")
            .with("name", &pack.name)
            .with("share", &share.id);
        let dedupe_key = format!("missing:{id}:{episode_id}:{}", share.organisation_id);
        raise(
            state,
            NewAlert {
                case_id: *id,
                organisation_id: share.organisation_id.clone(),
                site_id: String::new(),
                kind: AlertKind::Missing,
                audience: Audience::Coordinators,
                dedupe_key: dedupe_key.clone(),
                message: message.clone(),
                pack: Some(pack.clone()),
            },
        )?;
        // A partner on a peer server: the alert crosses (once; this run may be a retry).
        crate::federation::enqueue::alert_raised(
            state,
            share,
            &case.organisation.0,
            &dedupe_key,
            &message,
            Some(&pack),
        )?;
    }
    Ok(())
}

fn flag_repeat_episodes(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
) -> Result<(), DomainError> {
    let rules = rules_for(state, &case.organisation.0)?;
    let mut opened: Vec<(i64, &str)> = case
        .episodes
        .iter()
        .map(|e| (e.opened_at.0, e.id.as_str()))
        .collect();
    opened.sort();
    let window = rules.repeat_window_days * 24 * 3_600_000;
    let Some(&(latest, latest_id)) = opened.last() else {
        return Ok(());
    };
    let recent = opened
        .iter()
        .filter(|(at, _)| latest - at <= window)
        .count();
    if recent >= rules.repeat_episodes.max(1) {
        let reference = case_reference(id);
        raise(
            state,
            NewAlert::of_case(
                id,
                case,
                AlertKind::StrategyMeeting,
                Audience::Coordinators,
                format!("strategy:{id}:{latest_id}"),
                AlertMessage::new("alert-strategy-meeting")
                    .with("reference", reference)
                    .with("episodes", recent)
                    .with("days", rules.repeat_window_days),
            ),
        )?;
    }
    Ok(())
}

/// Starts the checklist of `anchor` for `anchor_id` unless it was started before.
/// A one-time effect claimed this long ago and still not visible was abandoned by an
/// instance that died between the claim and the write: half the outbox lease, so that the
/// survivor that picks up the dead instance's work takes it over.
pub const HALF_DONE_AFTER_MS: i64 = 5_000;

fn start_checklist(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    anchor: Anchor,
    anchor_id: &str,
    (observed_at, anchored): (i64, Anchored<'_>),
) -> Result<(), DomainError> {
    let template = for_anchor(anchor);
    if case
        .checklists
        .iter()
        .any(|c| c.template.as_str() == template.id && c.anchor.as_str() == anchor_id)
    {
        return Ok(());
    }
    // Deadlines run from the phone's time of the event unless the server's receipt shows
    // that time cannot be true.
    let received = anchor_clock::received_at(state, id, anchored)?;
    let (anchored_at, _) = deadlines::anchor_time(observed_at, received);
    let key = format!("checklist:{}:{id}:{anchor_id}", template.id);
    let claimed = {
        let mut conn = state.db()?;
        casesync_schema::alerts::claim_derivation(&mut conn, &key, HALF_DONE_AFTER_MS)?
    };
    if !claimed {
        // Another run claimed it and the case does not show it yet: being written elsewhere,
        // or its writer died in between. Failing sends the run back to the outbox, which
        // retries it: by then the checklist is there, or the claim is stale and taken over.
        return Err(DomainError::new(
            casesync_contract::errors::ErrorCode::Unavailable,
            format!("checklist {key} is being started elsewhere"),
        ));
    }
    let checklist = Checklist {
        id: Str(format!("{}-{anchor_id}", template.id)),
        template: Str::from(template.id),
        template_version: Whole(template.version),
        anchor: Str::from(anchor_id),
        anchored_at: Millis(anchored_at),
        steps: template
            .steps
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    ChecklistStep {
                        status: Str::from("open"),
                        by: None,
                        at: None,
                        note: None,
                    },
                )
            })
            .collect(),
    };
    let writer = Writer::server(&case.organisation.0);
    server_write(state, id, DocumentKind::Case, &writer, None, |tx| {
        let list = match tx.get(ROOT, "checklists").map_err(|e| e.to_string())? {
            Some((Value::Object(ObjType::List), list)) => list,
            _ => return Err("the case has no checklists list".to_string()),
        };
        let end = tx.length(&list);
        reconcile_insert(tx, list, end, &checklist).map_err(|e| e.to_string())
    })?;
    Ok(())
}
