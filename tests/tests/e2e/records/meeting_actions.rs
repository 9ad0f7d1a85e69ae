//! A strategy meeting's action not done by its due time alerts its owner and the
//! coordinators; the owner marks it done and the alert stands down. Who may record what is
//! the permission table's: reception staff hold no strategy meeting, nobody edits a record,
//! and a `done` names whoever wrote it.

use casesync_contract::alerts::AlertKind;
use casesync_contract::case::edit::set_action_done;
use casesync_contract::case::{
    ActionDone, CaseLog, MeetingAction, Millis, ReturnInterview, Str, StrategyMeeting,
};
use casesync_contract::errors::ErrorCode;
use casesync_server::domain::alerts::escalation;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::helpers::*;

fn meeting(by: &Device, owner: &Device, due: i64) -> StrategyMeeting {
    StrategyMeeting {
        id: Str::from("meeting-1"),
        episode: Some(Str::from("ep1")),
        held_at: Millis(T0 + HOUR),
        attendees: vec![Str::from("Chiara, coordinator"), Str::from("Carabinieri")],
        decisions: vec![Str::from("daily check-ins")],
        actions: vec![MeetingAction {
            id: Str::from("action-1"),
            text: Str::from("Call the guardian about the school place"),
            owner: Str(owner.user_id.clone()),
            due: Millis(due),
            done: None,
        }],
        author: Str(by.user_id.clone()),
        device: Str(by.device_id.clone()),
    }
}

fn done(device: &mut Device, case: &casesync_contract::DocumentId, by: &str, at: i64) {
    let done = ActionDone {
        by: Str::from(by),
        at: Millis(at),
        note: None,
    };
    let doc = device.doc(case);
    assert!(set_action_done(doc, "meeting-1", "action-1", &done).unwrap());
    doc.commit();
}

storage_test!(an_overdue_action_alerts_its_owner_until_done, |db| {
    let server = TestServer::start(&db);
    let mut centre = centre(&server, "Centro Lampedusa");
    let case = centre.case;
    let entry = meeting(&centre.caseworker, &centre.staff, T0 + 2 * HOUR);
    record(
        &mut centre.caseworker,
        &case,
        CaseLog::StrategyMeetings,
        &entry,
    );
    centre.caseworker.sync().unwrap();
    assert!(
        centre.caseworker.last_errors.is_empty(),
        "{:?}",
        centre.caseworker.last_errors
    );
    let overdue = |server: &TestServer, token: &str| {
        has(
            &open_alerts(server, token),
            AlertKind::OverdueStep,
            "Call the guardian about the school place",
        )
    };
    let on_phone = |device: &mut casesync_tests::device::Device| {
        alerts_on_phone(device)
            .iter()
            .any(|m| m.contains("Call the guardian about the school place"))
    };
    server.clock.set(T0 + 2 * HOUR - MINUTE);
    escalation::tick(&server.state).unwrap();
    assert!(!on_phone(&mut centre.staff), "not yet due");
    server.clock.set(T0 + 3 * HOUR);
    escalation::tick(&server.state).unwrap();
    // The owner is reception staff: the alert is on her site's document, which the
    // coordinators read too.
    assert!(
        on_phone(&mut centre.staff),
        "the owner is alerted on her phone"
    );
    assert!(
        overdue(&server, &centre.coordinator.token),
        "the coordinators too"
    );
    let message = open_alerts(&server, &centre.coordinator.token)
        .alerts
        .into_iter()
        .find(|s| s.alert.message.contains("school place"))
        .unwrap()
        .alert
        .message;
    assert!(
        message.contains("giulia") && message.contains("overdue by 60 min"),
        "{message}"
    );

    // Someone else's name in `done` is refused; her own is kept and stands the alert down.
    centre.staff.sync().unwrap();
    let caseworker = centre.caseworker.user_id.clone();
    done(&mut centre.staff, &case, &caseworker, T0 + 3 * HOUR);
    centre.staff.sync().unwrap();
    let refusal = centre.staff.last_errors.get(&case).expect("refused");
    assert_eq!(refusal.code, ErrorCode::PermissionDenied, "{refusal:?}");
    assert!(
        refusal.message.contains("entries_name_their_writer"),
        "{refusal:?}"
    );
    centre.staff.last_errors.clear();
    let own = centre.staff.user_id.clone();
    done(&mut centre.staff, &case, &own, T0 + 3 * HOUR);
    centre.staff.sync().unwrap();
    assert!(
        !centre.staff.last_errors.contains_key(&case),
        "{:?}",
        centre.staff.last_errors
    );
    escalation::tick(&server.state).unwrap();
    assert!(!on_phone(&mut centre.staff), "stood down once done");
    assert!(!overdue(&server, &centre.coordinator.token));
    let page = case_page(&server, &centre, "maria");
    assert!(page.contains("done by giulia"), "{page}");
});

storage_test!(records_follow_the_permission_table, |db| {
    let server = TestServer::start(&db);
    let mut centre = centre(&server, "Centro Lampedusa");
    let case = centre.case;
    // Reception staff hold no strategy meeting (casework does).
    let entry = meeting(&centre.staff, &centre.staff, T0 + DAY_MS);
    record(&mut centre.staff, &case, CaseLog::StrategyMeetings, &entry);
    centre.staff.sync().unwrap();
    let refusal = centre.staff.last_errors.get(&case).expect("refused");
    assert_eq!(refusal.code, ErrorCode::PermissionDenied, "{refusal:?}");
    assert!(
        refusal.message.contains("strategy_meetings_append"),
        "{refusal:?}"
    );

    // A caseworker's return interview is kept; editing it afterwards is refused.
    let interview = ReturnInterview {
        id: Str::from("interview-1"),
        episode: Str::from("ep1"),
        held_at: Millis(T0 + HOUR),
        interviewer: Str::from("A. Rossi, Save the Children"),
        independent: true,
        outcome: Str::from("talked about the route"),
        author: Str(centre.caseworker.user_id.clone()),
        device: Str(centre.caseworker.device_id.clone()),
    };
    record(
        &mut centre.caseworker,
        &case,
        CaseLog::ReturnInterviews,
        &interview,
    );
    centre.caseworker.sync().unwrap();
    assert!(!centre.caseworker.last_errors.contains_key(&case));
    let doc = centre.caseworker.doc(&case);
    let (_, log) = automerge::ReadDoc::get(doc, automerge::ROOT, "return_interviews")
        .unwrap()
        .unwrap();
    let (_, first) = automerge::ReadDoc::get(doc, &log, 0).unwrap().unwrap();
    automerge::transaction::Transactable::put(doc, &first, "outcome", "rewritten").unwrap();
    doc.commit();
    centre.caseworker.sync().unwrap();
    let refusal = centre.caseworker.last_errors.get(&case).expect("refused");
    assert!(refusal.message.contains("append_only"), "{refusal:?}");
    let stored = server
        .state
        .engine
        .read(&case, |d| casesync_contract::case::read_case(d).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.return_interviews.len(), 1);
    assert_eq!(
        stored.return_interviews[0].outcome.as_str(),
        "talked about the route"
    );
});

const DAY_MS: i64 = 24 * HOUR;
