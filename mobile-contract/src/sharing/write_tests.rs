//! The view writer writes only what differs and always ends where a whole reconcile would:
//! the view then reads back as exactly the projection.

use automerge::{AutoCommit, ROOT};
use autosurgeon::hydrate_prop;

use super::fixture::full_case;
use super::{project, write_view_case, SharedCase};
use crate::case::{CaseDocument, Millis, Observation, Str};

fn all() -> Vec<String> {
    crate::wire::DATA_CATEGORIES
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn written(view: &AutoCommit) -> SharedCase {
    hydrate_prop(view, ROOT, "case").unwrap()
}

fn sighting(id: &str, at: i64) -> Observation {
    Observation {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen again"),
        observed_at: Millis(at),
        place: None,
        author: Str::from("staff-anna"),
        device: Str::from("dev-anna-phone"),
        attachments: None,
        provenance: None,
    }
}

/// Writes `case`'s projection; returns how many operations it took.
fn write(view: &mut AutoCommit, case: &CaseDocument, categories: &[String]) -> usize {
    let before = view.get_heads();
    write_view_case(view, &project(case, categories)).unwrap();
    view.commit();
    let ops = view.get_changes(&before).iter().map(|c| c.len()).sum();
    assert_eq!(written(view), project(case, categories));
    ops
}

#[test]
fn the_view_reads_back_as_the_projection_through_every_kind_of_change() {
    let mut case = full_case();
    let mut view = AutoCommit::new();
    write(&mut view, &case, &all());
    // Nothing changed: nothing written.
    assert_eq!(write(&mut view, &case, &all()), 0);
    // A newer entry, then one older than all (a phone back online): inserted in place.
    case.observations.push(sighting("obs-new", 99_000_000));
    let appended = write(&mut view, &case, &all());
    case.observations.push(sighting("obs-old", 1));
    let inserted = write(&mut view, &case, &all());
    assert!(appended > 0 && inserted > 0);
    // An entry gone (logs are append-only; the writer copes anyway): rewritten whole.
    case.observations
        .retain(|o| o.id.as_str() != "obs-sighting");
    write(&mut view, &case, &all());
    // A register changed, an episode event added.
    case.profile
        .insert("family_name".into(), Str::from("Mensah"));
    let event = case.episodes[0].events[0].clone();
    case.episodes[0].events.push(crate::case::EpisodeEvent {
        id: Str::from("ev-later"),
        observed_at: Millis(event.observed_at.0 + 1),
        ..event
    });
    write(&mut view, &case, &all());
}

#[test]
fn a_new_entry_costs_its_own_operations_not_the_whole_log() {
    let mut case = full_case();
    for i in 0..200 {
        case.observations
            .push(sighting(&format!("obs-{i}"), 20_000 + i));
    }
    let mut view = AutoCommit::new();
    let first = write(&mut view, &case, &all());
    case.observations.push(sighting("obs-one-more", 1_000_000));
    let one_more = write(&mut view, &case, &all());
    assert!(
        one_more * 20 < first,
        "{one_more} operations for one entry ({first} for all)"
    );
}
