use std::collections::BTreeSet;

use casesync_contract::wire::DocumentKind;
use casesync_sync::Admitted;

use super::Needs;

fn admitted(kind: DocumentKind, created: bool, touched: &[&str]) -> Admitted {
    Admitted {
        heads_before: vec![],
        heads: vec![],
        added: vec![automerge::ChangeHash([7; 32])],
        created,
        compaction_due: false,
        touched: touched
            .iter()
            .map(|k| k.to_string())
            .collect::<BTreeSet<_>>(),
        kind,
    }
}

#[test]
fn an_observation_refreshes_the_time_and_the_shared_views_only() {
    let needs = Needs::of(&admitted(
        DocumentKind::Case,
        false,
        &["observations", "observations.text", "observations.kind"],
    ));
    assert_eq!(
        needs,
        Needs {
            touch: true,
            views: true,
            ..Needs::default()
        }
    );
}

#[test]
fn a_share_made_is_no_activity_on_the_case() {
    let needs = Needs::of_work(
        DocumentKind::Case,
        &casesync_sync::DeriveWork {
            touched: ["shares".to_string()].into(),
            created: false,
        },
    );
    assert_eq!(
        needs,
        Needs {
            views: true,
            ..Needs::default()
        }
    );
}

#[test]
fn a_contribution_in_a_shared_view_is_admitted_into_its_case() {
    let needs = Needs::of(&admitted(
        DocumentKind::SharedView,
        false,
        &["contributions"],
    ));
    assert_eq!(
        needs,
        Needs {
            contributions: true,
            // A peer server holding the view's other copy is sent the change.
            peers: true,
            ..Needs::default()
        }
    );
    // The server's write of the view's case part: nothing for the source case, only the
    // peer's copy (when the view crosses to a peer server).
    assert_eq!(
        Needs::of(&admitted(DocumentKind::SharedView, false, &["case"])),
        Needs {
            peers: true,
            ..Needs::default()
        }
    );
}

#[test]
fn an_observation_with_photos_refreshes_the_references() {
    let needs = Needs::of(&admitted(
        DocumentKind::Case,
        false,
        &["observations", "observations.attachments"],
    ));
    assert!(needs.blobs && needs.touch && !needs.alerts && !needs.summary);
}

#[test]
fn an_episode_event_derives_alerts_and_the_summary() {
    let needs = Needs::of(&admitted(DocumentKind::Case, false, &["episodes"]));
    assert!(needs.alerts && needs.summary && needs.touch && !needs.blobs);
}

#[test]
fn a_new_case_derives_everything() {
    let needs = Needs::of(&admitted(DocumentKind::Case, true, &[]));
    assert!(needs.summary && needs.blobs && needs.alerts && needs.touch);
}

#[test]
fn alert_documents_record_acknowledgements_only() {
    assert_eq!(
        Needs::of(&admitted(DocumentKind::Alerts, false, &["acks"])),
        Needs {
            acks: true,
            ..Needs::default()
        }
    );
    assert!(Needs::of(&admitted(DocumentKind::Alerts, false, &["alerts"])).is_empty());
    assert!(Needs::of(&admitted(DocumentKind::Caseload, false, &["cases"])).is_empty());
}

#[test]
fn nothing_new_needs_nothing() {
    let mut nothing = admitted(DocumentKind::Case, true, &["episodes"]);
    nothing.added.clear();
    assert!(Needs::of(&nothing).is_empty());
}
