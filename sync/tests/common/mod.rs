//! Helpers shared by the engine tests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::{ActorId, AutoCommit};
use casesync_contract::case::{self, Millis, NewCase, Observation, Str};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{DocumentMeta, Engine, EngineConfig, Writer};

pub fn writer(device: &str, role: Role) -> Writer {
    Writer {
        device: device.into(),
        user: format!("user-{device}"),
        role: Some(role),
        organisation: "org-a".into(),
        site: Some("site-1".into()),
        peer: None,
    }
}

pub fn meta() -> DocumentMeta {
    DocumentMeta {
        kind: DocumentKind::Case,
        organisation: "org-a".into(),
        site: Some("site-1".into()),
    }
}

pub fn new_case(id: DocumentId, actor: ActorId) -> AutoCommit {
    let mut profile = BTreeMap::new();
    profile.insert("given_name".to_string(), "Abena".to_string());
    case::new_case_document(
        &NewCase {
            case_id: id,
            organisation: "org-a".into(),
            site: "site-1".into(),
            jurisdiction: Some("IT".into()),
            created_at: 1_000,
            profile,
        },
        actor,
    )
    .unwrap()
}

pub fn observation(id: &str, device: &str, at: i64) -> Observation {
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

pub fn all_changes(doc: &mut AutoCommit) -> Vec<Vec<u8>> {
    doc.get_changes(&[])
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}

/// Stores a new case a device of `role` made as `doc`.
pub fn admit_new_case(
    engine: &Engine<MemoryStore>,
    id: &DocumentId,
    doc: &mut AutoCommit,
    role: Role,
) -> casesync_sync::Admitted {
    engine
        .admit(
            id,
            DocumentKind::Case,
            &writer("dev-a", role),
            &all_changes(doc),
            Some(&meta()),
            5,
        )
        .expect("a new case is admitted")
}

pub fn engine() -> Engine<MemoryStore> {
    Engine::new(Arc::new(MemoryStore::new()), EngineConfig::default())
}
