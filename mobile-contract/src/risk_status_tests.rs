use super::*;
use crate::case::{Millis, RiskAssessment, Str, Whole};

fn assessment(id: &str, by: &str, yes: usize, level: &str, reason: Option<&str>) -> RiskAssessment {
    RiskAssessment {
        id: Str::from(id),
        instrument_version: Whole(1),
        answers: V1
            .indicators
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.to_string(), n < yes))
            .collect(),
        advisory_level: Str::from("low"),
        level: Str::from(level),
        reason: reason.map(Str::from),
        next_review: Some(Millis(500)),
        confirms: None,
        assessed_at: Millis(100),
        author: Str::from(by),
        device: Str::from("d"),
    }
}

fn coordinator(user: &str) -> bool {
    user == "chiara"
}

#[test]
fn the_server_computes_the_advisory_level_whatever_the_device_wrote() {
    let a = assessment("a", "elena", 6, "high", None);
    let status = risk_status(&[a], DEFAULT_THRESHOLDS, coordinator).unwrap();
    assert_eq!((status.score, status.advisory), (6, "high"));
    assert!(!status.reason_missing);
    assert_eq!(status.next_review, Some(500));
}

#[test]
fn a_level_other_than_the_advisory_needs_a_reason() {
    let bare = assessment("a", "elena", 1, "high", None);
    assert!(
        risk_status(&[bare], DEFAULT_THRESHOLDS, coordinator)
            .unwrap()
            .reason_missing
    );
    let why = assessment(
        "a",
        "elena",
        1,
        "high",
        Some("seen with a known trafficker"),
    );
    assert!(
        !risk_status(&[why], DEFAULT_THRESHOLDS, coordinator)
            .unwrap()
            .reason_missing
    );
}

#[test]
fn a_caseworker_s_level_awaits_a_coordinator_s_confirmation() {
    let set = assessment("a", "elena", 3, "medium", None);
    let status = risk_status(std::slice::from_ref(&set), DEFAULT_THRESHOLDS, coordinator).unwrap();
    assert!(status.awaiting_confirmation);
    // Confirmed by someone who is not a coordinator: still waiting.
    let mut by_peer = assessment("b", "marco", 3, "medium", None);
    by_peer.confirms = Some(Str::from("a"));
    let status = risk_status(
        &[set.clone(), by_peer.clone()],
        DEFAULT_THRESHOLDS,
        coordinator,
    );
    assert!(status.unwrap().awaiting_confirmation);
    let mut confirm = assessment("c", "chiara", 3, "medium", None);
    confirm.confirms = Some(Str::from("a"));
    let status = risk_status(&[set, by_peer, confirm], DEFAULT_THRESHOLDS, coordinator).unwrap();
    assert_eq!(
        status.assessment_id, "a",
        "a confirmation is not a new assessment"
    );
    assert!(!status.awaiting_confirmation);
    assert_eq!(status.confirmed_by.as_deref(), Some("chiara"));
    // A coordinator's own assessment needs nobody's confirmation.
    let own = assessment("d", "chiara", 0, "low", None);
    assert!(
        !risk_status(&[own], DEFAULT_THRESHOLDS, coordinator)
            .unwrap()
            .awaiting_confirmation
    );
}
