//! Deadlines that hold (issue 15): they run from the server's receipt when a phone's clock
//! cannot be right, nothing of a flow escalates once the child is back from it, and the
//! handbook's escalations are raised when a child comes back. Time is moved by the test
//! clock and the escalation worker is ticked by hand.

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::read_case;
use casesync_contract::DocumentId;
use casesync_contract::Role;
use casesync_server::domain::alerts::escalation;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn open_alerts(server: &TestServer, token: &str) -> AlertList {
    reqwest::blocking::Client::new()
        .get(format!("{}/v1/alerts", server.base_url))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn has(list: &AlertList, kind: AlertKind, text: &str) -> bool {
    list.alerts
        .iter()
        .any(|s| s.alert.kind == kind && s.alert.message.contains(text))
}

/// A centre with one staff phone and a coordinator, and a case opened at T0.
fn centre(server: &TestServer, name: &str) -> (Device, Device, DocumentId) {
    let org = fixtures::org(server, "Reception Italy", name);
    let mut staff = fixtures::device(server, &org, Role::ReceptionStaff, "giulia");
    let coordinator = fixtures::device(server, &org, Role::Coordinator, "chiara");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    (staff, coordinator, case)
}

fn anchored_at(device: &mut Device, case: &DocumentId, template: &str) -> i64 {
    device.sync().unwrap();
    read_case(device.doc(case))
        .unwrap()
        .checklists
        .iter()
        .find(|c| c.template.as_str() == template)
        .map(|c| c.anchored_at.0)
        .unwrap()
}

storage_test!(
    a_phone_clock_ahead_does_not_hold_the_police_report_back,
    |db| {
        let server = TestServer::start(&db);
        let (mut staff, coordinator, case) = centre(&server, "Centro Lampedusa");
        // The phone's clock is three hours ahead: it records the child missing "at" T0 + 4 h,
        // delivered at T0 + 1 h.
        server.clock.set(T0 + HOUR);
        staff.episode_event(&case, "ep1", "ev1", "missing", T0 + 4 * HOUR);
        staff.sync().unwrap();
        assert_eq!(
            anchored_at(&mut staff, &case, "missing_first_hours"),
            T0 + HOUR,
            "the deadline runs from the receipt"
        );
        // Police due at once: overdue a minute after the receipt, not three hours later.
        server.clock.set(T0 + HOUR + 2 * MINUTE);
        escalation::tick(&server.state).unwrap();
        assert!(
            has(
                &open_alerts(&server, &coordinator.token),
                AlertKind::OverdueStep,
                "Report to police"
            ),
            "overdue police report raised"
        );
    }
);

storage_test!(a_phone_time_that_can_be_true_is_kept, |db| {
    let server = TestServer::start(&db);
    let (mut staff, _, case) = centre(&server, "Centro Lampedusa");
    // Recorded offline two days ago, delivered now: the phone's time stands.
    server.clock.set(T0 + 50 * HOUR);
    staff.episode_event(&case, "ep1", "ev1", "missing", T0 + 2 * HOUR);
    staff.sync().unwrap();
    assert_eq!(
        anchored_at(&mut staff, &case, "missing_first_hours"),
        T0 + 2 * HOUR
    );
});

storage_test!(
    nothing_of_the_missing_flow_escalates_once_the_child_is_back,
    |db| {
        let server = TestServer::start(&db);
        let (mut staff, coordinator, case) = centre(&server, "Centro Lampedusa");
        server.clock.set(T0 + HOUR);
        staff.episode_event(&case, "ep1", "ev1", "late", T0 + HOUR);
        staff.episode_event(&case, "ep1", "ev2", "missing", T0 + HOUR);
        staff.sync().unwrap();
        // Back within the minute, before anyone ticked the police step.
        staff.episode_event(&case, "ep1", "ev3", "returned", T0 + HOUR + MINUTE);
        staff.sync().unwrap();
        server.clock.set(T0 + 30 * HOUR);
        escalation::tick(&server.state).unwrap();
        let open = open_alerts(&server, &coordinator.token);
        // (The intake's steps, a day old and open, are overdue: that flow is not over.)
        assert!(has(&open, AlertKind::OverdueStep, "(Intake)"));
        assert!(
            !has(&open, AlertKind::OverdueStep, "(Absence)")
                && !has(&open, AlertKind::OverdueStep, "(Missing, first hours)"),
            "no overdue step of the absence or missing flow: {open:?}"
        );
        // The found flow's own deadline still holds: the return interview within 72 hours.
        server.clock.set(T0 + HOUR + 73 * HOUR);
        escalation::tick(&server.state).unwrap();
        assert!(has(
            &open_alerts(&server, &coordinator.token),
            AlertKind::OverdueStep,
            "return interview"
        ));
    }
);

storage_test!(a_child_back_after_more_than_a_day_is_escalated, |db| {
    let server = TestServer::start(&db);
    let (mut staff, coordinator, case) = centre(&server, "Centro Lampedusa");
    server.clock.set(T0 + HOUR);
    staff.episode_event(&case, "ep1", "ev1", "missing", T0 + HOUR);
    staff.sync().unwrap();
    server.clock.set(T0 + 31 * HOUR);
    staff.episode_event_with(
        &case,
        "ep1",
        "ev2",
        "returned",
        T0 + 31 * HOUR,
        &[("sexual_exploitation_risk", "yes")],
    );
    staff.sync().unwrap();
    let open = open_alerts(&server, &coordinator.token);
    let escalation = open
        .alerts
        .iter()
        .find(|s| s.alert.kind == AlertKind::FoundEscalation)
        .unwrap_or_else(|| panic!("no escalation: {open:?}"));
    let message = &escalation.alert.message;
    assert!(message.contains("missing 30 h"), "{message}");
    assert!(message.contains("sexual exploitation risk"), "{message}");
    // Returned: the missing alert stands down.
    assert!(!open
        .alerts
        .iter()
        .any(|s| s.alert.kind == AlertKind::Missing));
});

storage_test!(
    a_child_back_within_hours_the_first_time_is_not_escalated,
    |db| {
        let server = TestServer::start(&db);
        let (mut staff, coordinator, case) = centre(&server, "Centro Lampedusa");
        server.clock.set(T0 + HOUR);
        staff.episode_event(&case, "ep1", "ev1", "missing", T0 + HOUR);
        staff.sync().unwrap();
        server.clock.set(T0 + 5 * HOUR);
        staff.episode_event(&case, "ep1", "ev2", "returned", T0 + 5 * HOUR);
        staff.sync().unwrap();
        let open = open_alerts(&server, &coordinator.token);
        assert!(
            !open
                .alerts
                .iter()
                .any(|s| s.alert.kind == AlertKind::FoundEscalation),
            "{open:?}"
        );
    }
);
