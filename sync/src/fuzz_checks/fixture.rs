//! The case every `case_sync` input is pushed to, built the same way every time (fixed ids,
//! actors and change times) so that the seed corpus, made once, keeps matching it: seeds
//! name its changes by hash.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use automerge::transaction::CommitOptions;
use automerge::{ActorId, AutoCommit};
use casesync_contract::case::{
    self, CaseDocument, CaseLog, Episode, EpisodeEvent, Millis, Observation, Str, Whole,
};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};

use super::legacy_entries::{LegacyEpisode, LegacyObservation, LegacySkeleton};
use crate::store::DocumentMeta;
use crate::Writer;

/// The case's document id.
pub(crate) const CASE_ID: [u8; 16] = *b"casesync-fuzzing";
pub(crate) const ORGANISATION: &str = "org-a";
pub(crate) const SITE: &str = "site-1";
/// The outreach worker's phone that created the case (and wrote its first observation).
pub(crate) const DEVICE_A: &str = "dev-a";
pub(crate) const ACTOR_A: [u8; 16] = [0xa1; 16];
/// The reception centre's phone that opened an episode.
pub(crate) const DEVICE_R: &str = "dev-r";
pub(crate) const ACTOR_R: [u8; 16] = [0xb2; 16];
/// A device that wrote nothing yet.
pub(crate) const DEVICE_B: &str = "dev-b";
/// "Now", for receipts and for the views drawn from a case.
pub(crate) const NOW: i64 = 1_800_000_000_000;
/// The automerge time of every change the fixture and the seeds make.
const CHANGE_TIME: i64 = 1_790_000_000;

pub(crate) fn case_id() -> DocumentId {
    DocumentId::from_bytes(CASE_ID)
}

pub(crate) fn meta() -> DocumentMeta {
    DocumentMeta {
        kind: DocumentKind::Case,
        organisation: ORGANISATION.into(),
        site: Some(SITE.into()),
    }
}

pub(crate) fn writer(device: &str, role: Role) -> Writer {
    Writer {
        device: device.into(),
        user: format!("user-{device}"),
        role: Some(role),
        organisation: ORGANISATION.into(),
        site: Some(SITE.into()),
        peer: None,
    }
}

pub(crate) fn commit(doc: &mut AutoCommit) {
    doc.commit_with(CommitOptions::default().with_time(CHANGE_TIME));
}

pub(crate) fn observation(id: &str, device: &str, at: i64) -> Observation {
    Observation {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen near the station"),
        observed_at: Millis(at),
        place: Some(Str::from("central station")),
        author: Str::from(format!("user-{device}")),
        device: Str::from(device),
        attachments: None,
        provenance: None,
    }
}

pub(crate) fn event(id: &str, state: &str, device: &str, at: i64) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str::from(format!("user-{device}")),
        device: Str::from(device),
        note: None,
        supersedes: Some(vec![]),
        details: None,
        provenance: None,
    }
}

/// The entries of the stored case that nobody may edit or delete afterwards.
pub(crate) fn fixture_observation() -> Observation {
    observation("obs-fixture", DEVICE_A, 1_700_000_000_000)
}

pub(crate) fn fixture_event() -> EpisodeEvent {
    event("ev-fixture", "late", DEVICE_R, 1_700_000_100_000)
}

/// The stored case as the phone that created it holds it (actor [`ACTOR_A`]), after the
/// reception centre's episode reached it.
///
/// Built from constants: a failure here is a bug of this module, which the corpus test
/// reports on its first input.
#[allow(clippy::expect_used)]
pub(crate) fn phone_a() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(ACTOR_A));
    let mut profile = BTreeMap::new();
    profile.insert("given_name".to_string(), Str::from("Abena"));
    let skeleton = CaseDocument {
        schema_version: Whole(case::SCHEMA_VERSION),
        kind: Str::from(case::CASE_KIND),
        case_id: Str(case_id().to_string()),
        organisation: Str::from(ORGANISATION),
        site: Str::from(SITE),
        jurisdiction: Some(Str::from("IT")),
        created_at: Millis(1_690_000_000_000),
        profile,
        observations: vec![],
        episodes: vec![],
        risk_assessments: vec![],
        checklists: vec![],
        legal_bases: vec![],
        referrals: vec![],
        attachments: vec![],
        strategy_meetings: vec![],
        wellbeing_checks: vec![],
        return_interviews: vec![],
        nrm_referrals: vec![],
        police_instruments: vec![],
        notifications: vec![],
    };
    {
        let skeleton = LegacySkeleton::from(skeleton);
        autosurgeon::reconcile(&mut doc, &skeleton).expect("the case skeleton is written");
        commit(&mut doc);
        let observation = LegacyObservation::from(fixture_observation());
        case::append(&mut doc, CaseLog::Observations, &observation)
            .expect("an observation is appended");
        commit(&mut doc);
        let mut centre = doc.fork().with_actor(ActorId::from(ACTOR_R));
        let episode = Episode {
            id: Str::from("ep-fixture"),
            opened_at: Millis(1_700_000_100_000),
            events: vec![fixture_event()],
        };
        let episode = LegacyEpisode::from(episode);
        case::append(&mut centre, CaseLog::Episodes, &episode).expect("an episode is opened");
        commit(&mut centre);
        doc.merge(&mut centre).expect("the episode merges");
    }
    doc
}

/// The stored case's bytes (a saved document), built once.
pub(crate) fn stored_bytes() -> &'static [u8] {
    static SAVED: OnceLock<Vec<u8>> = OnceLock::new();
    SAVED.get_or_init(|| phone_a().save())
}
