//! A record carries out the step it stands for: the police report stops the overdue alert
//! a case without one gets, and a safe-and-well check stands down the alert of a child
//! located but not yet seen.

use casesync_contract::alerts::AlertKind;
use casesync_contract::case::CaseLog;
use casesync_server::domain::alerts::escalation;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::helpers::*;

storage_test!(a_police_report_record_carries_out_the_step, |db| {
    let server = TestServer::start(&db);
    let mut with = centre(&server, "Centro Lampedusa");
    let mut without = centre(&server, "Centro Siracusa");
    server.clock.set(T0 + HOUR);
    for centre in [&mut with, &mut without] {
        let case = centre.case;
        centre
            .staff
            .episode_event(&case, "ep1", "ev1", "missing", T0 + HOUR);
        centre.staff.sync().unwrap();
    }
    let report = police_report(&with.staff, "police-1", "ep1", T0 + HOUR + 1);
    record(
        &mut with.staff,
        &with.case,
        CaseLog::PoliceInstruments,
        &report,
    );
    with.staff.sync().unwrap();
    server.clock.set(T0 + HOUR + 10 * MINUTE);
    escalation::tick(&server.state).unwrap();
    assert!(
        has(
            &open_alerts(&server, &without.coordinator.token),
            AlertKind::OverdueStep,
            "Report to police"
        ),
        "the case without a report is overdue"
    );
    let open = open_alerts(&server, &with.coordinator.token);
    assert!(
        !has(&open, AlertKind::OverdueStep, "Report to police"),
        "the record carried the step out: {open:?}"
    );
    // The case page shows the record with its reference.
    let page = case_page(&server, &with, "maria");
    assert!(page.contains("Police instruments"), "{page}");
    assert!(page.contains("CC-LMP-2026-0412"), "{page}");
});

storage_test!(a_safe_and_well_check_stands_the_alert_down, |db| {
    let server = TestServer::start(&db);
    let mut centre = centre(&server, "Centro Lampedusa");
    let case = centre.case;
    server.clock.set(T0 + HOUR);
    centre
        .staff
        .episode_event(&case, "ep1", "ev1", "missing", T0 + HOUR);
    centre.staff.sync().unwrap();
    server.clock.set(T0 + 5 * HOUR);
    centre
        .staff
        .episode_event(&case, "ep1", "ev2", "located", T0 + 5 * HOUR);
    centre.staff.sync().unwrap();
    let missing = |server: &TestServer, token: &str| {
        open_alerts(server, token)
            .alerts
            .iter()
            .any(|s| s.alert.kind == AlertKind::Missing)
    };
    assert!(
        missing(&server, &centre.coordinator.token),
        "located is not found and well: the alert stays up"
    );
    let check = wellbeing(&centre.staff, "wellbeing-1", "ep1", T0 + 6 * HOUR);
    record(&mut centre.staff, &case, CaseLog::WellbeingChecks, &check);
    centre.staff.sync().unwrap();
    assert!(
        !missing(&server, &centre.coordinator.token),
        "the recorded check stands it down"
    );
});

storage_test!(parties_told_of_the_absence_are_told_of_the_return, |db| {
    let server = TestServer::start(&db);
    let mut centre = centre(&server, "Centro Lampedusa");
    let case = centre.case;
    server.clock.set(T0 + HOUR);
    centre
        .staff
        .episode_event(&case, "ep1", "ev1", "missing", T0 + HOUR);
    for (id, party) in [("n1", "guardian"), ("n2", "hotline_116000")] {
        let told = notification(&centre.staff, id, party, "missing", T0 + HOUR);
        record(&mut centre.staff, &case, CaseLog::Notifications, &told);
    }
    centre.staff.sync().unwrap();
    centre
        .staff
        .episode_event(&case, "ep1", "ev2", "returned", T0 + 3 * HOUR);
    let again = notification(&centre.staff, "n3", "guardian", "found", T0 + 3 * HOUR);
    record(&mut centre.staff, &case, CaseLog::Notifications, &again);
    centre.staff.sync().unwrap();
    // The guardian was told again; the 116 000 hotline still has to be.
    let page = case_page(&server, &centre, "maria");
    let notice = page
        .split("tell again every party told of the absence")
        .nth(1)
        .expect("the notice is on the page");
    let notice = notice.split("</div>").next().unwrap();
    assert!(notice.contains("116 000 hotline"), "{notice}");
    assert!(!notice.contains("guardian"), "{notice}");
    let again = notification(
        &centre.staff,
        "n4",
        "hotline_116000",
        "found",
        T0 + 4 * HOUR,
    );
    record(&mut centre.staff, &case, CaseLog::Notifications, &again);
    centre.staff.sync().unwrap();
    let page = case_page(&server, &centre, "marta");
    assert!(
        !page.contains("tell again every party"),
        "everybody was told"
    );
});
