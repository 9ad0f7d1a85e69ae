//! Properties of the derived views over case documents that phones edit concurrently.
//!
//! - Merge order: phones' copies merged in any order give the same views (timeline, episode
//!   state and child status, profile conflicts, missing pack), and an episode's events in
//!   any list order give the same episode state.
//! - Safety first (views/episode.rs): when the latest events of an episode disagree, one
//!   phone saying the child is back and another that the child is away or missing, the
//!   child counts as missing; never as back.
//! - Edits the permission rules allow to a role, made concurrently on several phones and
//!   merged, leave a document that reads as a case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::{ActorId, AutoCommit};
use casesync_contract::case::edit::append_episode_event;
use casesync_contract::case::{
    self, CaseLog, Episode, EpisodeEvent, EpisodeState, Millis, NewCase, Observation, Str,
    OBSERVATION_KINDS, PROFILE_FIELDS,
};
use casesync_contract::permissions::{self, Operation, Zone};
use casesync_contract::views::{
    child_status, episode_view, missing_pack, profile_conflicts, timeline, ChildStatus, NoReceipts,
};
use casesync_contract::{DocumentId, Role};
use proptest::prelude::*;
use proptest::test_runner::Config;

const EPISODE: &str = "ep-0";

/// A case with one open episode (the child was reported absent), as the server stores it
/// before the phones take their copies.
fn base_case() -> AutoCommit {
    let mut profile = BTreeMap::new();
    profile.insert("given_name".to_string(), "Abena".to_string());
    let mut doc = case::new_case_document(
        &NewCase {
            case_id: DocumentId::from_bytes([7; 16]),
            organisation: "org-a".into(),
            site: "site-1".into(),
            jurisdiction: Some("IT".into()),
            created_at: 1_000,
            profile,
        },
        ActorId::from(vec![0; 16]),
    )
    .unwrap();
    let episode = Episode {
        id: Str::from(EPISODE),
        opened_at: Millis(2_000),
        events: vec![event("ev-0", EpisodeState::Absent, 2_000, &[], "dev-base")],
    };
    case::append(&mut doc, CaseLog::Episodes, &episode).unwrap();
    doc.commit();
    doc
}

fn event(id: &str, state: EpisodeState, at: i64, seen: &[String], device: &str) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state.as_str()),
        observed_at: Millis(at),
        author: Str::from(format!("user-{device}")),
        device: Str::from(device),
        note: None,
        supersedes: Some(seen.iter().map(|s| Str::from(s.as_str())).collect()),
        details: None,
        provenance: None,
    }
}

/// What a phone does to its copy.
#[derive(Debug, Clone)]
enum Edit {
    Observe {
        kind: usize,
        at: i64,
    },
    SetProfile {
        field: usize,
        value: u8,
    },
    /// An episode event, having seen every event the phone's copy holds.
    Record {
        state: EpisodeState,
        at: i64,
    },
    /// A new episode, opened with its first event.
    OpenEpisode {
        state: EpisodeState,
        at: i64,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let state = prop::sample::select(EpisodeState::ALL.to_vec());
    let at = 2_001i64..10_000;
    prop_oneof![
        3 => (0..OBSERVATION_KINDS.len(), at.clone()).prop_map(|(kind, at)| Edit::Observe { kind, at }),
        2 => (0..4usize, 0..3u8).prop_map(|(field, value)| Edit::SetProfile { field, value }),
        3 => (state.clone(), at.clone()).prop_map(|(state, at)| Edit::Record { state, at }),
        1 => (state, at).prop_map(|(state, at)| Edit::OpenEpisode { state, at }),
    ]
}

/// One phone: its role and what it does, in order.
#[derive(Debug, Clone)]
struct Phone {
    role: Role,
    edits: Vec<Edit>,
}

fn phone() -> impl Strategy<Value = Phone> {
    let role = prop::sample::select(vec![
        Role::OutreachWorker,
        Role::ReceptionStaff,
        Role::Caseworker,
        Role::Coordinator,
        Role::OrgAdmin,
        Role::Auditor,
    ]);
    (role, prop::collection::vec(edit(), 1..6)).prop_map(|(role, edits)| Phone { role, edits })
}

/// Whether the rules let `role` make `edit` (permissions.rs: zones and operations, and the
/// episode states a role may record).
fn allowed(role: Role, edit: &Edit) -> bool {
    let may = |zone, operation| permissions::check(role, zone, operation, "").is_ok();
    match edit {
        Edit::Observe { .. } => may(Zone::Observations, Operation::Append),
        // Every phone's copy holds `given_name`: writing any of these is an edit.
        Edit::SetProfile { .. } => {
            may(Zone::Profile, Operation::Append) && may(Zone::Profile, Operation::Edit)
        }
        Edit::Record { state, .. } => {
            may(Zone::EpisodeEvents, Operation::Append)
                && permissions::may_record_state(role, state.as_str())
        }
        Edit::OpenEpisode { state, .. } => {
            may(Zone::Episodes, Operation::Append)
                && permissions::may_record_state(role, state.as_str())
        }
    }
}

/// Makes `edit` on phone `n`'s copy; `k` numbers it among the phone's edits.
fn apply(doc: &mut AutoCommit, n: usize, k: usize, edit: &Edit) {
    let device = format!("dev-{n}");
    let id = format!("{device}-{k}");
    match edit {
        Edit::Observe { kind, at } => {
            let obs = Observation {
                id: Str::from(id.as_str()),
                kind: Str::from(OBSERVATION_KINDS[*kind]),
                text: Str::from("seen near the station"),
                observed_at: Millis(*at),
                place: None,
                author: Str::from(format!("user-{device}")),
                device: Str::from(device.as_str()),
                attachments: None,
                provenance: None,
            };
            case::append(doc, CaseLog::Observations, &obs).unwrap();
        }
        Edit::SetProfile { field, value } => {
            let field = PROFILE_FIELDS[*field].0;
            case::set_profile_field(doc, field, &format!("{field} {value}")).unwrap();
        }
        Edit::Record { state, at } => {
            let seen = event_ids(doc, EPISODE);
            let ev = event(&id, *state, *at, &seen, &device);
            assert!(append_episode_event(doc, EPISODE, &ev).unwrap());
        }
        Edit::OpenEpisode { state, at } => {
            let episode = Episode {
                id: Str::from(format!("ep-{id}")),
                opened_at: Millis(*at),
                events: vec![event(&format!("{id}-ev"), *state, *at, &[], &device)],
            };
            case::append(doc, CaseLog::Episodes, &episode).unwrap();
        }
    }
    doc.commit();
}

fn event_ids(doc: &AutoCommit, episode: &str) -> Vec<String> {
    case::read_case(doc)
        .unwrap()
        .episodes
        .iter()
        .filter(|e| e.id.as_str() == episode)
        .flat_map(|e| e.events.iter().map(|ev| ev.id.as_str().to_string()))
        .collect()
}

/// Each phone's copy after its edits (only those its role may make when `only_allowed`).
/// Phone `n` first takes what the phones before it in `synced_from` recorded: it has seen
/// their events when it records its own.
fn phones_copies(
    phones: &[Phone],
    synced_from: &[Vec<usize>],
    only_allowed: bool,
) -> Vec<AutoCommit> {
    let mut base = base_case();
    let mut copies: Vec<AutoCommit> = Vec::new();
    for (n, phone) in phones.iter().enumerate() {
        let mut doc = base.fork().with_actor(ActorId::from(vec![n as u8 + 1; 16]));
        for &other in synced_from.get(n).into_iter().flatten().filter(|&&o| o < n) {
            doc.merge(&mut copies[other].clone()).unwrap();
        }
        for (k, edit) in phone.edits.iter().enumerate() {
            if !only_allowed || allowed(phone.role, edit) {
                apply(&mut doc, n, k, edit);
            }
        }
        copies.push(doc);
    }
    copies
}

/// The server's copy: the base case with every phone's copy merged in `order`.
fn merged(copies: &[AutoCommit], order: &[usize]) -> AutoCommit {
    let mut doc = base_case().with_actor(ActorId::from(vec![0xff; 16]));
    for &n in order {
        doc.merge(&mut copies[n].clone()).unwrap();
    }
    doc
}

/// Everything derived from a case that a person reads.
#[derive(Debug, PartialEq)]
struct Views {
    timeline: Vec<casesync_contract::views::TimelineEntry>,
    status: (ChildStatus, Option<casesync_contract::views::EpisodeView>),
    episodes: Vec<Option<casesync_contract::views::EpisodeView>>,
    conflicts: Vec<casesync_contract::views::FieldConflict>,
    pack: casesync_contract::views::MissingPack,
}

fn views(doc: &mut AutoCommit) -> Views {
    let case = case::read_case(doc).expect("a merged case reads as a case");
    let doc = doc.document();
    Views {
        timeline: timeline(doc, &case, &NoReceipts),
        status: child_status(&case.episodes),
        episodes: case.episodes.iter().map(episode_view).collect(),
        conflicts: profile_conflicts(doc, &NoReceipts),
        pack: missing_pack(&case, "REF-1", 20_000),
    }
}

fn phones_and_syncs() -> impl Strategy<Value = (Vec<Phone>, Vec<Vec<usize>>)> {
    prop::collection::vec(phone(), 2..5).prop_flat_map(|phones| {
        let n = phones.len();
        let syncs = prop::collection::vec(prop::collection::vec(0..n, 0..n), n);
        (Just(phones), syncs)
    })
}

proptest! {
    #![proptest_config(Config { cases: 48, ..Config::default() })]

    #[test]
    fn merge_order_does_not_change_the_views(
        (phones, syncs) in phones_and_syncs(),
        shuffle in any::<prop::sample::Index>(),
    ) {
        let copies = phones_copies(&phones, &syncs, false);
        let order: Vec<usize> = (0..copies.len()).collect();
        let mut reversed = order.clone();
        reversed.reverse();
        let mut rotated = order.clone();
        rotated.rotate_left(shuffle.index(copies.len()));
        let mut first = merged(&copies, &order);
        let expected = views(&mut first);
        for other in [reversed, rotated] {
            let mut doc = merged(&copies, &other);
            let (mut theirs, mut ours) = (doc.get_heads(), first.get_heads());
            theirs.sort();
            ours.sort();
            prop_assert_eq!(theirs, ours);
            prop_assert_eq!(&views(&mut doc), &expected, "merged in order {:?}", other);
        }
    }

    #[test]
    fn the_order_of_an_episodes_events_does_not_change_its_state(
        (phones, syncs) in phones_and_syncs(),
        seed in any::<u64>(),
    ) {
        let copies = phones_copies(&phones, &syncs, false);
        let order: Vec<usize> = (0..copies.len()).collect();
        let case = case::read_case(&merged(&copies, &order)).unwrap();
        let episode = case.episodes.iter().find(|e| e.id.as_str() == EPISODE).unwrap();
        let mut shuffled = episode.clone();
        // Reverse, then rotate by the seed: another order of the same events.
        shuffled.events.reverse();
        let len = shuffled.events.len();
        shuffled.events.rotate_left((seed as usize) % len);
        prop_assert_eq!(episode_view(&shuffled), episode_view(episode));
        let mut episodes = case.episodes.clone();
        episodes.reverse();
        prop_assert_eq!(child_status(&episodes), child_status(&case.episodes));
    }

    #[test]
    fn disagreeing_events_count_the_child_as_missing(
        extra in prop::collection::vec(prop::sample::select(EpisodeState::ALL.to_vec()), 0..3),
        times in prop::collection::vec(2_001i64..10_000, 5),
        seen_before in prop::collection::vec(any::<bool>(), 5),
        placed in any::<prop::sample::Index>(),
        merged_from in any::<prop::sample::Index>(),
    ) {
        // One phone says the child returned, another that the child is missing, others say
        // what they say; each records one event on the open episode, concurrently, unless
        // it synced with the phone before it first (then its event supersedes that one's).
        // Closing is left out: a closed episode no longer decides the child's status.
        let mut states = vec![EpisodeState::Returned, EpisodeState::Missing];
        states.extend(extra.into_iter().filter(|s| *s != EpisodeState::Closed));
        let shift = placed.index(states.len());
        states.rotate_left(shift);
        let phones: Vec<Phone> = states
            .iter()
            .zip(&times)
            .map(|(state, at)| Phone {
                role: Role::ReceptionStaff,
                edits: vec![Edit::Record { state: *state, at: *at }],
            })
            .collect();
        let syncs: Vec<Vec<usize>> = (0..phones.len())
            .map(|n| if n > 0 && seen_before[n] { vec![n - 1] } else { vec![] })
            .collect();
        let copies = phones_copies(&phones, &syncs, true);
        let mut order: Vec<usize> = (0..copies.len()).collect();
        order.rotate_left(merged_from.index(copies.len()));
        let case = case::read_case(&merged(&copies, &order)).unwrap();
        let episode = case.episodes.iter().find(|e| e.id.as_str() == EPISODE).unwrap();

        // The latest events: those no other event lists as seen.
        let seen: HashSet<&str> = episode
            .events
            .iter()
            .flat_map(|e| e.supersedes.iter().flatten().map(Str::as_str))
            .collect();
        let latest: BTreeSet<EpisodeState> = episode
            .events
            .iter()
            .filter(|e| !seen.contains(e.id.as_str()))
            .map(|e| EpisodeState::parse(e.state.as_str()).unwrap())
            .collect();
        let away = latest.iter().any(|s| s.is_away());
        let back = latest.iter().any(|s| !s.is_away());

        let view = episode_view(episode).unwrap();
        let (status, _) = child_status(&case.episodes);
        if latest.contains(&EpisodeState::Missing) || (away && back) {
            prop_assert_eq!(view.state, EpisodeState::Missing, "latest: {:?}", latest);
            prop_assert_eq!(status, ChildStatus::Missing);
            prop_assert!(view.missing_since.is_some());
        }
        if away {
            // Never back while someone's latest word is that the child is away.
            prop_assert!(view.state.is_away(), "{:?} with latest {:?}", view.state, latest);
            prop_assert!(!matches!(status, ChildStatus::Located | ChildStatus::Returned));
        }
        if latest.len() == 1 {
            prop_assert_eq!(Some(&view.state), latest.iter().next());
            prop_assert!(view.disagreement.is_empty());
        } else {
            prop_assert_eq!(&view.disagreement, &latest.iter().copied().collect::<Vec<_>>());
        }
        // The pack drawn up for the police says the same.
        prop_assert_eq!(missing_pack(&case, "REF-1", 20_000).status, status);
    }

    #[test]
    fn edits_the_rules_allow_leave_a_valid_case(
        (phones, syncs) in phones_and_syncs(),
    ) {
        let copies = phones_copies(&phones, &syncs, true);
        let order: Vec<usize> = (0..copies.len()).collect();
        let mut doc = merged(&copies, &order);
        let case = case::read_case(&doc);
        prop_assert!(case.is_ok(), "{:?}", case.err());
        let case = case.unwrap();
        prop_assert!(case::validate::check_case(&case).is_ok());
        // Every allowed entry made it; nothing else did.
        let allowed_observations = phones
            .iter()
            .flat_map(|p| p.edits.iter().filter(|e| allowed(p.role, e)))
            .filter(|e| matches!(e, Edit::Observe { .. }))
            .count();
        prop_assert_eq!(case.observations.len(), allowed_observations);
        views(&mut doc);
    }
}
