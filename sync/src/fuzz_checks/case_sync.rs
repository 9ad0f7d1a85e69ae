//! Target `case_sync`: a device's push to a stored case, through admission, as the server's
//! WebSocket and batch paths hand it to [`Engine::receive`].

use std::collections::HashSet;
use std::sync::Arc;

use automerge::sync;
use automerge::{ActorId, Automerge, ChangeHash, ReadDoc as _};
use casesync_contract::case::{read_case, CaseDocument};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};

use super::case_doc::draw_views;
use super::fixture::{self, DEVICE_A, DEVICE_B, NOW};
use crate::chunks::changes_from_chunks;
use crate::memory::MemoryStore;
use crate::store::{ActorOwner, DocumentStore};
use crate::{Engine, EngineConfig, HeldChanges, Received, Refusal, Writer};

/// Header bits of a `case_sync` input.
pub(crate) const DEVICE_B_BIT: u8 = 0x08;
pub(crate) const BATCH_BIT: u8 = 0x10;

/// Pushes `data` to a stored case (organisation `org-a`, site `site-1`, created by device
/// `dev-a`, with an observation and a reception centre's episode) over a [`MemoryStore`].
///
/// The first byte says who pushes and how: bits 0-2 the role (index into [`Role::ALL`],
/// modulo 6), bit 3 (`0x08`) the device (`dev-a`, which owns the actor that created the case,
/// or `dev-b`, which owns none), bit 4 (`0x10`) the path. The rest is, on the WebSocket path,
/// one automerge sync message (its changes split as the server splits them, then the sync
/// step that answers it); on the batch path, the changes of a `DocumentPush`, each as a
/// big-endian `u16` length and that many bytes.
///
/// Whatever the bytes, nothing panics, and afterwards: changes refused or held are not
/// stored; changes admitted are stored with a receipt naming the device and are authored
/// by actors of that device; a failed receive stored nothing; the stored case still reads as
/// a case with the same identity, every entry it had is still there unchanged, the views
/// the server draws from it can be drawn, and its stored chunks load again from scratch.
/// Receiving the same push again stores nothing more.
pub fn case_sync(data: &[u8]) {
    let Some((&header, rest)) = data.split_first() else {
        return;
    };
    let role = Role::ALL[usize::from(header & 0x07) % Role::ALL.len()];
    let device = if header & DEVICE_B_BIT == 0 {
        DEVICE_A
    } else {
        DEVICE_B
    };
    let writer = fixture::writer(device, role);
    let case = StoredCase::new();
    let mut held = HeldChanges::default();
    if header & BATCH_BIT == 0 {
        let Ok(message) = sync::Message::decode(rest) else {
            return;
        };
        let Ok(raw) = changes_from_chunks(message.changes.iter()) else {
            return;
        };
        case.receive_twice(&writer, &raw, &mut held);
        // The server then answers the message from the device's sync state; a message the
        // state cannot take is an error, not a panic.
        let mut peer = sync::State::new();
        let _ = case
            .engine
            .sync_step_holding(&case.id, &mut peer, Some(message), &held);
    } else {
        case.receive_twice(&writer, &length_prefixed(rest), &mut held);
    }
}

/// Splits `u16`-length-prefixed parts; a short last part is taken as it is.
fn length_prefixed(mut rest: &[u8]) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (part, next) = tail.split_at(len);
        parts.push(part.to_vec());
        rest = next;
    }
    parts
}

struct StoredCase {
    id: DocumentId,
    store: Arc<MemoryStore>,
    engine: Engine<MemoryStore>,
}

/// What is stored of the case at one moment.
struct Snapshot {
    heads: Vec<ChangeHash>,
    chunks: usize,
}

impl StoredCase {
    fn new() -> Self {
        let id = fixture::case_id();
        let store = Arc::new(MemoryStore::new());
        let stored = store
            .append(
                &id,
                fixture::stored_bytes(),
                &[],
                Some(&fixture::meta()),
                None,
                None,
            )
            .and_then(|_| store.claim_actor(&ActorId::from(fixture::ACTOR_A), DEVICE_A))
            .and_then(|_| store.claim_actor(&ActorId::from(fixture::ACTOR_R), fixture::DEVICE_R));
        if let Err(error) = stored {
            panic!("the memory store refused the fixture: {error}");
        }
        let engine = Engine::new(Arc::clone(&store), EngineConfig::default());
        Self { id, store, engine }
    }

    fn receive_twice(&self, writer: &Writer, raw: &[Vec<u8>], held: &mut HeldChanges) {
        let before = self.snapshot();
        let received =
            self.engine
                .receive(&self.id, DocumentKind::Case, writer, raw, None, NOW, held);
        self.check(writer, &before, &received, held);
        let first = self.snapshot();
        let again = self
            .engine
            .receive(&self.id, DocumentKind::Case, writer, raw, None, NOW, held);
        self.check(writer, &first, &again, held);
        assert_eq!(
            self.snapshot().heads,
            first.heads,
            "receiving the same push again stored something"
        );
    }

    fn snapshot(&self) -> Snapshot {
        let heads = self.read(Automerge::get_heads);
        let chunks = match self.store.chunks_after(&self.id, 0) {
            Ok(chunks) => chunks.len(),
            Err(error) => panic!("the memory store failed: {error}"),
        };
        Snapshot { heads, chunks }
    }

    fn read<R>(&self, f: impl FnOnce(&Automerge) -> R) -> R {
        match self.engine.read(&self.id, f) {
            Ok(Some(out)) => out,
            Ok(None) => panic!("the stored case disappeared"),
            Err(error) => panic!("the stored case cannot be read: {error}"),
        }
    }

    fn check(
        &self,
        writer: &Writer,
        before: &Snapshot,
        received: &Result<Received, Refusal>,
        held: &HeldChanges,
    ) {
        let after = self.snapshot();
        match received {
            Err(refusal) => {
                assert!(
                    !matches!(refusal, Refusal::Store(_)),
                    "the memory store failed: {refusal}"
                );
                let _ = (refusal.code(), refusal.detail());
                assert_eq!(after.heads, before.heads, "a failed receive stored changes");
                assert_eq!(
                    after.chunks, before.chunks,
                    "a failed receive stored a chunk"
                );
            }
            Ok(received) => self.check_received(writer, before, &after, received),
        }
        let stored: HashSet<ChangeHash> = self.read(|doc| {
            held.hashes(&self.id)
                .into_iter()
                .filter(|h| crate::history::contains(doc, h))
                .collect()
        });
        assert!(
            stored.is_empty(),
            "held changes are in the stored case: {stored:?}"
        );
        self.check_case();
    }

    fn check_received(
        &self,
        writer: &Writer,
        before: &Snapshot,
        after: &Snapshot,
        received: &Received,
    ) {
        if let Some(rejected) = &received.refused {
            let _ = rejected.refusal.detail();
            for hash in &rejected.changes {
                let in_doc = self.read(|doc| crate::history::contains(doc, hash));
                assert!(!in_doc, "refused change {hash} is in the stored case");
                assert!(
                    self.store.receipt(&self.id, hash).is_none(),
                    "refused change {hash} has a receipt"
                );
            }
        }
        let Some(admitted) = &received.admitted else {
            assert_eq!(
                after.heads, before.heads,
                "nothing admitted, yet the heads moved"
            );
            return;
        };
        assert_eq!(
            admitted.heads, after.heads,
            "the acknowledged heads are not stored"
        );
        assert_eq!(admitted.heads_before, before.heads);
        for hash in &admitted.added {
            let actor = self.read(|doc| {
                doc.get_change_by_hash(hash)
                    .map(|change| change.actor_id().clone())
            });
            let Some(actor) = actor else {
                panic!("admitted change {hash} is not in the stored case");
            };
            match self.store.receipt(&self.id, hash) {
                Some(receipt) => assert_eq!(receipt.device, writer.device),
                None => panic!("admitted change {hash} has no receipt"),
            }
            match self.store.claim_actor(&actor, &writer.device) {
                Ok(ActorOwner::ThisDevice) => {}
                Ok(ActorOwner::OtherDevice(owner)) => {
                    panic!(
                        "{} stored a change of {owner}'s actor {actor}",
                        writer.device
                    )
                }
                Err(error) => panic!("the memory store failed: {error}"),
            }
        }
    }

    /// The stored case still reads as the case it was, plus appended entries.
    fn check_case(&self) {
        let (case, doc): (Result<CaseDocument, _>, Automerge) =
            self.read(|doc| (read_case(doc), doc.clone()));
        let case = match case {
            Ok(case) => case,
            Err(error) => panic!("the stored case no longer reads as a case: {error}"),
        };
        assert_eq!(case.case_id.as_str(), self.id.to_string());
        assert_eq!(case.organisation.as_str(), fixture::ORGANISATION);
        assert_eq!(case.site.as_str(), fixture::SITE);
        assert!(
            case.observations.contains(&fixture::fixture_observation()),
            "the stored observation was edited or deleted"
        );
        assert!(
            case.episodes
                .iter()
                .any(|e| e.events.contains(&fixture::fixture_event())),
            "the stored episode event was edited or deleted"
        );
        draw_views(&doc, &case);
        let fresh = Engine::new(Arc::clone(&self.store), EngineConfig::default());
        match fresh.read(&self.id, Automerge::get_heads) {
            Ok(Some(heads)) => assert_eq!(heads, doc.get_heads(), "stored chunks load otherwise"),
            Ok(None) => panic!("the stored chunks load as no document"),
            Err(error) => panic!("the stored chunks do not load: {error}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::fuzz_checks::seeds;

    /// Found by this target: a change automerge 0.12 panics on when applying it (it names an
    /// actor automerge never registered). The panic used to unwind through the engine with
    /// the case's lock held, poisoning it: the case was unreadable until a restart.
    #[test]
    fn a_change_automerge_panics_on_is_refused_and_the_case_stays_usable() {
        let input = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/artifacts-regressions/case_sync/automerge-actor-not-registered"
        ));
        let (&header, rest) = input.split_first().unwrap();
        assert_eq!(header & (BATCH_BIT | DEVICE_B_BIT), BATCH_BIT);
        let case = StoredCase::new();
        let before = case.snapshot().heads;
        let mut held = HeldChanges::default();
        let received = push_as_dev_a(&case, header, &length_prefixed(rest), &mut held);
        assert!(received.admitted.is_none());
        let refused = received.refused.expect("the change is refused");
        assert!(
            matches!(&refused.refusal, Refusal::InvalidChanges(why) if why.contains("automerge")),
            "{:?}",
            refused.refusal
        );
        assert_eq!(case.snapshot().heads, before);

        // The document's lock is not poisoned: the device's next push is stored.
        let good = seeds::all()
            .into_iter()
            .find(|s| s.target == "case_sync" && s.name == "batch-observation")
            .unwrap();
        let (&header, rest) = good.bytes.split_first().unwrap();
        let received = push_as_dev_a(&case, header, &length_prefixed(rest), &mut held);
        assert!(received.refused.is_none());
        assert!(received.admitted.is_some());
        case.check_case();
    }

    /// Found by this target: a change with no operations and a redundant dependency, which
    /// automerge 0.12 accepts and then saves as a change with another hash. The server
    /// acknowledged the hash the device sent, and its stored chunks loaded as another.
    #[test]
    fn a_change_automerge_would_store_as_another_is_refused() {
        let input = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/artifacts-regressions/case_sync/automerge-saves-an-empty-change-as-another"
        ));
        let (&header, rest) = input.split_first().unwrap();
        assert_eq!(header & (BATCH_BIT | DEVICE_B_BIT), 0);
        let message = sync::Message::decode(rest).unwrap();
        let raw = changes_from_chunks(message.changes.iter()).unwrap();
        let case = StoredCase::new();
        let before = case.snapshot().heads;
        let received = push_as_dev_a(&case, header, &raw, &mut HeldChanges::default());
        assert!(received.admitted.is_none());
        let refused = received.refused.expect("the change is refused");
        assert!(matches!(refused.refusal, Refusal::InvalidChanges(_)));
        assert_eq!(case.snapshot().heads, before);
        case.check_case();
    }

    fn push_as_dev_a(
        case: &StoredCase,
        header: u8,
        raw: &[Vec<u8>],
        held: &mut HeldChanges,
    ) -> Received {
        let role = Role::ALL[usize::from(header & 0x07) % Role::ALL.len()];
        let writer = fixture::writer(DEVICE_A, role);
        case.engine
            .receive(&case.id, DocumentKind::Case, &writer, raw, None, NOW, held)
            .expect("the change is refused, not the push")
    }
}
