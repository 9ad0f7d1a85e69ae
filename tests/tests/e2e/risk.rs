//! The risk instrument (issue 15): the advisory level computed by the server with the
//! organisation's thresholds, a caseworker's level confirmed by a coordinator, reviews
//! watched, and answers checked against the instrument's indicators.

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::{self, CaseLog, Millis, RiskAssessment, Str, Whole};
use casesync_contract::risk::V1;
use casesync_contract::{DocumentId, Role};
use casesync_server::domain::alerts::escalation;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};
use serde_json::json;

use crate::pages::support::{page_user, PASSWORD};
use crate::security::support::{client, session};

const DAY: i64 = 24 * 3_600_000;

fn assessment(
    by: &Device,
    id: &str,
    yes: usize,
    level: &str,
    reason: Option<&str>,
) -> RiskAssessment {
    RiskAssessment {
        id: Str::from(id),
        instrument_version: Whole(1),
        answers: V1
            .indicators
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.to_string(), n < yes))
            .collect(),
        // What the phone showed: the server does not take it.
        advisory_level: Str::from("low"),
        level: Str::from(level),
        reason: reason.map(Str::from),
        next_review: Some(Millis(T0 + 7 * DAY)),
        confirms: None,
        assessed_at: Millis(T0 + DAY),
        author: Str(by.user_id.clone()),
        device: Str(by.device_id.clone()),
    }
}

fn record(device: &mut Device, id: &DocumentId, entry: &RiskAssessment) {
    device.sync().unwrap();
    case::append(device.doc(id), CaseLog::RiskAssessments, entry).unwrap();
    device.doc(id).commit();
    device.sync().unwrap();
}

fn risk_alerts(server: &TestServer, token: &str) -> Vec<String> {
    escalation::tick(&server.state).unwrap();
    let list: AlertList = reqwest::blocking::Client::new()
        .get(server.url("/v1/alerts"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.alerts
        .into_iter()
        .filter(|s| s.alert.kind == AlertKind::RiskReview)
        .map(|s| s.alert.message)
        .collect()
}

storage_test!(a_caseworker_s_level_is_confirmed_and_reviewed, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    page_user(&server, &org, Role::Coordinator, "maria");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut elena = fixtures::device(&server, &org, Role::Caseworker, "elena");
    let mut chiara = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let assigned = reqwest::blocking::Client::new()
        .post(server.url(&format!("/v1/cases/{case}/assignments")))
        .bearer_auth(&chiara.token)
        .json(&json!({ "user": elena.user_id }))
        .send()
        .unwrap();
    assert_eq!(assigned.status().as_u16(), 201);
    // The organisation is stricter than the defaults: medium from 2, high from 3.
    let rules = reqwest::blocking::Client::new()
        .put(server.url("/v1/alert-rules"))
        .bearer_auth(&chiara.token)
        .json(&json!({ "risk_medium_from": 2, "risk_high_from": 3 }))
        .send()
        .unwrap();
    assert!(rules.status().is_success(), "{}", rules.text().unwrap());

    server.clock.set(T0 + DAY);
    let set = assessment(&elena, "ra-1", 3, "high", None);
    record(&mut elena, &case, &set);
    let alerts = risk_alerts(&server, &chiara.token);
    assert!(
        alerts
            .iter()
            .any(|m| m.contains("confirm the risk level \"high\"") && m.contains("advisory: high")),
        "{alerts:?}"
    );

    let http = client();
    let cookie = session(&server, &http, "maria", PASSWORD);
    let page = || {
        http.get(server.url(&format!("/web/cases/{case}")))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let html = page();
    assert!(html.contains("3 of 14 indicators"), "score on the page");
    assert!(
        html.contains("awaiting a coordinator&#39;s confirmation")
            || html.contains("awaiting a coordinator's confirmation")
    );

    // Chiara confirms: the alert stands down and the page names her.
    let mut confirm = assessment(&chiara, "ra-2", 3, "high", None);
    confirm.confirms = Some(Str::from("ra-1"));
    record(&mut chiara, &case, &confirm);
    let alerts = risk_alerts(&server, &chiara.token);
    assert!(!alerts.iter().any(|m| m.contains("confirm")), "{alerts:?}");
    assert!(page().contains("confirmed by chiara"));

    // A week on, the review is due.
    server.clock.set(T0 + 8 * DAY);
    let alerts = risk_alerts(&server, &chiara.token);
    assert!(
        alerts.iter().any(|m| m.contains("due for review")),
        "{alerts:?}"
    );
});

storage_test!(answers_must_name_the_instrument_s_indicators, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut chiara = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let mut odd = assessment(&chiara, "ra-1", 0, "low", None);
    odd.answers.insert("likes_football".into(), true);
    record(&mut chiara, &case, &odd);
    let refusal = chiara.last_errors.get(&case).expect("refused");
    assert_eq!(
        refusal.code,
        casesync_contract::errors::ErrorCode::InvalidCaseShape,
        "{refusal:?}"
    );
    assert!(refusal.message.contains("likes_football"), "{refusal:?}");
    let stored = casesync_contract::case::read_case_causal(
        &server
            .state
            .engine
            .read(&case, |doc| doc.clone())
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(
        stored.risk_assessments.is_empty(),
        "nothing of it is stored"
    );
});
