use automerge::{ActorId, AutoCommit};

use super::read_case_causal;
use crate::case::edit::append_episode_event;
use crate::case::{
    append, new_case_document, CaseLog, Episode, EpisodeEvent, EpisodeState, Millis, NewCase, Str,
};
use crate::views::episode_view;
use crate::DocumentId;

fn event(id: &str, state: &str, at: i64, supersedes: Option<&[&str]>) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str::from("u"),
        device: Str::from("d"),
        note: None,
        supersedes: supersedes.map(|s| s.iter().map(|i| Str::from(*i)).collect()),
        details: None,
        provenance: None,
    }
}

/// A case with one episode whose first event is `absent`, and two phones holding it.
fn two_phones() -> (AutoCommit, AutoCommit) {
    let new = NewCase {
        case_id: DocumentId::random(),
        organisation: "org".into(),
        site: "site".into(),
        jurisdiction: None,
        created_at: 1,
        profile: [("given_name".to_string(), "Abena".to_string())].into(),
    };
    let mut a = new_case_document(&new, ActorId::random()).unwrap();
    let opened = Episode {
        id: Str::from("ep1"),
        opened_at: Millis(10),
        events: vec![event("absent", "absent", 10, Some(&[]))],
    };
    append(&mut a, CaseLog::Episodes, &opened).unwrap();
    a.commit();
    let b = a.fork().with_actor(ActorId::random());
    (a, b)
}

fn record(phone: &mut AutoCommit, event: &EpisodeEvent) {
    assert!(append_episode_event(phone, "ep1", event).unwrap());
    phone.commit();
}

fn state_of(doc: &mut AutoCommit) -> (EpisodeState, Vec<EpisodeState>) {
    let case = read_case_causal(doc.document()).unwrap();
    let view = episode_view(&case.episodes[0]).unwrap();
    (view.state, view.disagreement)
}

#[test]
fn a_claim_to_have_seen_a_report_never_received_does_not_stand_the_child_down() {
    let (mut a, mut b) = two_phones();
    // B reports the child missing; A, which never received it, says returned and claims
    // (wrongly) to have seen B's report, later by its own clock.
    record(&mut b, &event("missing", "missing", 20, Some(&["absent"])));
    record(
        &mut a,
        &event("returned", "returned", 40, Some(&["absent", "missing"])),
    );
    a.merge(&mut b).unwrap();
    assert_eq!(
        state_of(&mut a),
        (
            EpisodeState::Missing,
            vec![EpisodeState::Missing, EpisodeState::Returned]
        )
    );
}

#[test]
fn an_event_without_supersedes_is_not_taken_to_have_seen_earlier_ones() {
    let (mut a, mut b) = two_phones();
    record(&mut b, &event("missing", "missing", 20, None));
    // By the phone's clock `returned` is later, but A never saw the missing report.
    record(&mut a, &event("returned", "returned", 40, None));
    a.merge(&mut b).unwrap();
    assert_eq!(state_of(&mut a).0, EpisodeState::Missing);
}

#[test]
fn an_event_recorded_after_receiving_another_supersedes_it() {
    let (mut a, mut b) = two_phones();
    record(&mut b, &event("missing", "missing", 20, Some(&["absent"])));
    a.merge(&mut b).unwrap();
    // A had received the report; it lists nothing, the graph knows better.
    record(&mut a, &event("located", "located", 30, Some(&[])));
    b.merge(&mut a).unwrap();
    assert_eq!(state_of(&mut b), (EpisodeState::Located, vec![]));
}

#[test]
fn events_written_in_one_change_were_seen_together() {
    let (mut a, _) = two_phones();
    append_episode_event(&mut a, "ep1", &event("missing", "missing", 20, None)).unwrap();
    append_episode_event(&mut a, "ep1", &event("returned", "returned", 30, None)).unwrap();
    a.commit();
    assert_eq!(state_of(&mut a), (EpisodeState::Returned, vec![]));
    let case = read_case_causal(a.document()).unwrap();
    let events = &case.episodes[0].events;
    let seen = |i: usize| events[i].supersedes.clone().unwrap();
    assert_eq!(seen(0), Vec::<Str>::new());
    assert_eq!(seen(1), vec![Str::from("absent")]);
    assert_eq!(seen(2), vec![Str::from("absent"), Str::from("missing")]);
}
