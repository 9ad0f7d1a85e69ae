//! A shared view reads back as written, and a view with a bad contribution or another kind
//! is refused.

use automerge::AutoCommit;

use super::contribution_tests::contribution;
use super::fixture::full_case;
use super::project::project;
use super::view::{read_shared_view, SharedViewDocument, SHARED_VIEW_KIND};
use crate::case::{Millis, Str, Whole};

#[test]
fn a_view_round_trips_through_automerge() {
    let view = SharedViewDocument {
        schema_version: Whole(1),
        kind: Str::from(SHARED_VIEW_KIND),
        view_id: Str::from("view-7"),
        reference: Str::from("share-7"),
        source_organisation: Str::from("org-source"),
        partner_organisation: Str::from("org-partner"),
        legal_basis: Str::from("vital_interests"),
        purpose: Str::from("search for the child"),
        categories: vec![Str::from("identity"), Str::from("location")],
        shared_at: Millis(60_000),
        case: project(
            &full_case(),
            &["identity".into(), "location".into(), "episodes".into()],
        ),
        contributions: vec![contribution("sighting", Some("bus station"))],
    };
    let mut doc = AutoCommit::new();
    autosurgeon::reconcile(&mut doc, &view).unwrap();
    assert_eq!(read_shared_view(&doc).unwrap(), view);
    let mut bad = view.clone();
    bad.contributions
        .push(contribution("sighting", Some("45.46421, 9.18951")));
    let mut doc = AutoCommit::new();
    autosurgeon::reconcile(&mut doc, &bad).unwrap();
    assert!(read_shared_view(&doc)
        .unwrap_err()
        .contains("contributions[c-1]"));
    let mut case_kind = view;
    case_kind.kind = Str::from("case");
    let mut doc = AutoCommit::new();
    autosurgeon::reconcile(&mut doc, &case_kind).unwrap();
    assert!(read_shared_view(&doc).unwrap_err().contains("kind"));
}
