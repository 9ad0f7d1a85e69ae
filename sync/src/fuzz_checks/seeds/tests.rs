use super::*;

#[test]
fn the_fixture_is_a_valid_case_and_the_pushes_carry_changes() {
    let mut phone = fixture::phone_a();
    case::read_case(phone.document()).expect("the fixture reads as a case");
    let push = push_from(observed(DEVICE_A, ACTOR_A));
    assert_eq!(push.changes.len(), 1);
    let message = sync::Message::decode(&push.message).unwrap();
    assert_eq!(
        message.changes.len(),
        1,
        "the sync seed carries the new change"
    );
    // Same bytes every time: the corpus on disk stays valid.
    assert_eq!(fixture::phone_a().save(), fixture::stored_bytes());
    let again: Vec<Vec<u8>> = all().into_iter().map(|s| s.bytes).collect();
    let first: Vec<Vec<u8>> = all().into_iter().map(|s| s.bytes).collect();
    assert_eq!(again, first);
}

#[test]
fn the_push_seeds_reach_admission() {
    use std::sync::Arc;

    use crate::chunks::changes_from_chunks;
    use crate::memory::MemoryStore;
    use crate::store::DocumentStore;
    use crate::{Engine, EngineConfig, HeldChanges, Refusal};

    let receive = |device: &str, role: Role| {
        let store = Arc::new(MemoryStore::new());
        let id = fixture::case_id();
        store
            .append(
                &id,
                fixture::stored_bytes(),
                &[],
                Some(&fixture::meta()),
                None,
                None,
            )
            .unwrap();
        store
            .claim_actor(&ActorId::from(ACTOR_A), DEVICE_A)
            .unwrap();
        let engine = Engine::new(store, EngineConfig::default());
        let push = push_from(observed(DEVICE_A, ACTOR_A));
        let message = sync::Message::decode(&push.message).unwrap();
        let raw = changes_from_chunks(message.changes.iter()).unwrap();
        engine
            .receive(
                &id,
                DocumentKind::Case,
                &fixture::writer(device, role),
                &raw,
                None,
                fixture::NOW,
                &mut HeldChanges::default(),
            )
            .unwrap()
    };
    let admitted = receive(DEVICE_A, Role::OutreachWorker);
    assert_eq!(admitted.admitted.unwrap().added.len(), 1);
    let forged = receive("dev-b", Role::OutreachWorker);
    assert!(forged.admitted.is_none());
    assert!(matches!(
        forged.refused.unwrap().refusal,
        Refusal::ForgedChange { .. }
    ));
}
