//! The seed corpus: small, meaningful inputs for each target, made from the same fixture
//! the checks use, so they are the same bytes on every run. The example `fuzz_seeds` writes
//! them to `fuzz/corpus/<target>/seed-<name>`; the corpus test checks that the files there
//! are still these bytes.

use automerge::sync::{self, SyncDoc as _};
use automerge::{ActorId, AutoCommit, Change};
use casesync_contract::case::{self, CaseLog, Episode, Millis, Str};
use casesync_contract::wire::{
    DocumentKind, DocumentPush, DocumentReply, DocumentStatus, ScopeEntry, SyncRequest,
    SyncResponse,
};
use casesync_contract::Role;

use super::case_doc::{
    FIX_CHECKSUMS_BIT, JSON, LOAD, LOAD_CHECKED, LOAD_INCREMENTAL, TEXT_OBJECTS_BIT,
};
use super::case_sync::{BATCH_BIT, DEVICE_B_BIT};
use super::fixture::{self, commit, ACTOR_A, DEVICE_A};

/// One seed: its target, a name for its file, its bytes.
pub struct Seed {
    pub target: &'static str,
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every seed of every target.
pub fn all() -> Vec<Seed> {
    let mut seeds = Vec::new();
    seeds.extend(frames());
    seeds.extend(batch_bodies());
    seeds.extend(case_pushes());
    seeds.extend(case_docs());
    seeds
}

fn seed(target: &'static str, name: &'static str, bytes: Vec<u8>) -> Seed {
    Seed {
        target,
        name,
        bytes,
    }
}

/// The role index a header byte carries.
fn role_bits(role: Role) -> u8 {
    Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as u8
}

/// A phone's new changes on top of the stored case.
struct Push {
    /// The phone's changes the server lacks, in causal order.
    changes: Vec<Change>,
    /// A sync message from the phone that carries them, after hearing the server's heads.
    message: Vec<u8>,
}

fn push_from(mut phone: AutoCommit) -> Push {
    let mut server = fixture::phone_a();
    let changes: Vec<Change> = phone.get_changes(&server.get_heads()).into_iter().collect();
    let mut server_state = sync::State::new();
    let mut phone_state = sync::State::new();
    let mut message = Vec::new();
    // The server speaks first (it announces its heads); the phone's answer carries what
    // the server lacks.
    for _ in 0..4 {
        if let Some(m) = server.sync().generate_sync_message(&mut server_state) {
            let _ = phone.sync().receive_sync_message(&mut phone_state, m);
        }
        match phone.sync().generate_sync_message(&mut phone_state) {
            Some(m) if !m.changes.is_empty() || changes.is_empty() => {
                message = m.encode();
                break;
            }
            Some(m) => {
                let _ = server.sync().receive_sync_message(&mut server_state, m);
            }
            None => {}
        }
    }
    Push { changes, message }
}

/// The creator's phone with one more observation.
fn observed(device: &str, actor: [u8; 16]) -> AutoCommit {
    let mut phone = fixture::phone_a().with_actor(ActorId::from(actor));
    let _ = case::append(
        &mut phone,
        CaseLog::Observations,
        &fixture::observation("obs-new", device, 1_750_000_000_000),
    );
    commit(&mut phone);
    phone
}

fn length_prefixed(changes: &[Change]) -> Vec<u8> {
    let mut out = Vec::new();
    for change in changes {
        let raw = change.raw_bytes();
        out.extend_from_slice(&(raw.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
        out.extend_from_slice(raw);
    }
    out
}

fn with_header(header: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![header];
    out.extend_from_slice(body);
    out
}

fn case_pushes() -> Vec<Seed> {
    const T: &str = "case_sync";
    let outreach = role_bits(Role::OutreachWorker);
    let reception = role_bits(Role::ReceptionStaff);
    let coordinator = role_bits(Role::Coordinator);

    let observation = push_from(observed(DEVICE_A, ACTOR_A));
    let mut episode_phone = fixture::phone_a().with_actor(ActorId::from([0xc3; 16]));
    let _ = case::edit::append_episode_event(
        &mut episode_phone,
        "ep-fixture",
        &fixture::event("ev-missing", "missing", "dev-b", 1_750_000_000_000),
    );
    commit(&mut episode_phone);
    let event = push_from(episode_phone);
    let mut forbidden_phone = fixture::phone_a();
    let episode = Episode {
        id: Str::from("ep-new"),
        opened_at: Millis(1_750_000_000_000),
        events: vec![fixture::event(
            "ev-new",
            "missing",
            DEVICE_A,
            1_750_000_000_000,
        )],
    };
    let _ = case::append(&mut forbidden_phone, CaseLog::Episodes, &episode);
    commit(&mut forbidden_phone);
    let forbidden = push_from(forbidden_phone);
    let mut profile_phone = fixture::phone_a();
    let _ = case::set_profile_field(&mut profile_phone, "given_name", "Abena K.");
    commit(&mut profile_phone);
    let profile = push_from(profile_phone);
    let nothing = push_from(fixture::phone_a());
    // Two observations, the second alone: it waits for the first.
    let mut two = observed(DEVICE_A, ACTOR_A);
    let _ = case::append(
        &mut two,
        CaseLog::Observations,
        &fixture::observation("obs-later", DEVICE_A, 1_750_000_100_000),
    );
    commit(&mut two);
    let two = push_from(two);

    vec![
        seed(
            T,
            "ws-observation",
            with_header(outreach, &observation.message),
        ),
        seed(
            T,
            "ws-observation-forged",
            with_header(outreach | DEVICE_B_BIT, &observation.message),
        ),
        seed(
            T,
            "ws-event-reception",
            with_header(reception | DEVICE_B_BIT, &event.message),
        ),
        seed(
            T,
            "ws-episode-by-outreach",
            with_header(outreach, &forbidden.message),
        ),
        seed(
            T,
            "ws-profile-coordinator",
            with_header(coordinator, &profile.message),
        ),
        seed(T, "ws-heads-only", with_header(outreach, &nothing.message)),
        seed(
            T,
            "batch-observation",
            with_header(outreach | BATCH_BIT, &length_prefixed(&observation.changes)),
        ),
        seed(
            T,
            "batch-held-then-missing",
            with_header(outreach | BATCH_BIT, &length_prefixed(&two.changes[1..])),
        ),
        seed(
            T,
            "batch-mixed",
            with_header(
                reception | BATCH_BIT | DEVICE_B_BIT,
                &length_prefixed(&[event.changes, forbidden.changes].concat()),
            ),
        ),
    ]
}

fn case_docs() -> Vec<Seed> {
    const T: &str = "case_doc";
    let mut phone = observed(DEVICE_A, ACTOR_A);
    let saved = phone.save();
    let changes: Vec<u8> = phone
        .get_changes(&[])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    let json = case::read_case(phone.document())
        .ok()
        .and_then(|c| serde_json::to_vec(&c).ok())
        .unwrap_or_default();
    vec![
        seed(T, "load-saved", with_header(LOAD, &saved)),
        seed(T, "load-checked-saved", with_header(LOAD_CHECKED, &saved)),
        seed(
            T,
            "incremental-changes",
            with_header(LOAD_INCREMENTAL | FIX_CHECKSUMS_BIT, &changes),
        ),
        seed(T, "json-case", with_header(JSON, &json)),
        seed(
            T,
            "json-case-text",
            with_header(JSON | TEXT_OBJECTS_BIT, &json),
        ),
    ]
}

fn batch_bodies() -> Vec<Seed> {
    const T: &str = "batch_body";
    let observation = push_from(observed(DEVICE_A, ACTOR_A));
    let id = fixture::case_id();
    let request = SyncRequest {
        include_new: false,
        scope_digest: None,
        documents: vec![
            DocumentPush {
                id,
                heads: observation
                    .changes
                    .iter()
                    .map(|c| c.hash().to_string())
                    .collect(),
                changes: observation
                    .changes
                    .iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect(),
            },
            DocumentPush {
                id: casesync_contract::DocumentId::from_bytes([7; 16]),
                heads: vec![],
                changes: vec![],
            },
        ],
    };
    let response = SyncResponse {
        documents: vec![DocumentReply {
            id,
            status: DocumentStatus::Rejected,
            changes: vec![],
            heads: vec!["ab".repeat(32)],
            missing_changes: true,
            error: None,
            refused_changes: vec!["cd".repeat(32)],
            need: vec![],
        }],
        new_documents: vec![ScopeEntry {
            id,
            kind: DocumentKind::Alerts,
        }],
        removed_documents: vec![],
        wipe: false,
        server_time: fixture::NOW,
        unchanged: false,
        full_request_needed: false,
    };
    let mut seeds = Vec::new();
    let mut cbor = |name, value: &dyn erased::Value| seeds.push(seed(T, name, value.cbor()));
    cbor("cbor-request", &request);
    cbor("cbor-empty-request", &SyncRequest::default());
    cbor("cbor-response", &response);
    seeds.push(seed(
        T,
        "json-request",
        serde_json::to_vec(&request).unwrap_or_default(),
    ));
    seeds.push(seed(
        T,
        "json-response",
        serde_json::to_vec(&response).unwrap_or_default(),
    ));
    seeds
}

/// CBOR for any of the wire types (ciborium writes to memory without failing).
mod frames;
use frames::frames;

mod erased {
    pub trait Value {
        fn cbor(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Value for T {
        fn cbor(&self) -> Vec<u8> {
            let mut out = Vec::new();
            let _ = ciborium::into_writer(self, &mut out);
            out
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
