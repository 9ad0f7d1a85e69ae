//! Abena at speed x10: a real minute is ten scenario minutes.

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::{self, read_case, CaseLog, Millis, PoliceInstrument, Str};
use casesync_contract::DocumentId;
use casesync_server::domain::alerts::escalation;
use casesync_server::domain::exercises::{end, report::report, report::Outcome, runner};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;
use serde_json::{json, Value};

use super::support::*;
use crate::security::support::{client, session};

/// The injects played, in order, once `count` of them are (the server's own runner may be
/// the one playing them, a moment after a pass by hand skipped its claim).
fn played(server: &TestServer, exercise: &str, count: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let ids: Vec<String> = {
            let mut conn = server.state.pool.get().unwrap();
            casesync_schema::exercises::played(&mut conn, exercise)
                .unwrap()
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        if ids.len() >= count || std::time::Instant::now() > deadline {
            return ids;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn alerts(server: &TestServer, token: &str) -> AlertList {
    reqwest::blocking::Client::new()
        .get(server.url("/v1/alerts"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

storage_test!(
    a_compressed_exercise_reports_what_was_met_and_missed,
    |db| {
        let server = TestServer::start(&db);
        server.clock.set(T0);
        let started = start_abena(&server, 10);
        let case: DocumentId = started.exercise.case_id.parse().unwrap();
        let mut staff = enrol(&server, &started, "Reception staff, day shift");
        let mut coordinator = enrol(&server, &started, "Coordinator");
        staff.sync().unwrap();
        coordinator.sync().unwrap();
        // The first inject played at the start: the roll call found her late.
        let held = read_case(staff.doc(&case)).unwrap();
        assert_eq!(held.profile["given_name"].as_str(), "Abena");
        let episode = held.episodes[0].id.0.clone();
        assert_eq!(held.episodes[0].events[0].state.as_str(), "late");

        // Scenario minute 30 (3 real minutes): the day shift decides she is missing.
        server.clock.set(T0 + 3 * MINUTE);
        assert_eq!(
            runner::tick(&server.state).unwrap(),
            0,
            "nothing due before minute 45"
        );
        staff.episode_event(&case, &episode, "ev-missing", "missing", T0 + 3 * MINUTE);
        staff.sync().unwrap();
        assert!(alerts(&server, &coordinator.token)
            .alerts
            .iter()
            .any(|s| s.alert.kind == AlertKind::Missing));
        // Minute 40: the police report, due at once, recorded ten scenario minutes late.
        server.clock.set(T0 + 4 * MINUTE);
        let report_entry = PoliceInstrument {
            id: Str::from("police-1"),
            episode: Some(Str(episode.clone())),
            instrument: Str::from("police_report"),
            requested_at: Millis(T0 + 4 * MINUTE),
            reference: Some(Str::from("CC-LMP-TRAINING-1")),
            authority: Some(Str::from("Carabinieri (training)")),
            author: Str(staff.user_id.clone()),
            device: Str(staff.device_id.clone()),
        };
        case::append(staff.doc(&case), CaseLog::PoliceInstruments, &report_entry).unwrap();
        staff.doc(&case).commit();
        // Minute 50: the guardian requested, well within the intake's 24 hours.
        server.clock.set(T0 + 5 * MINUTE);
        staff.sync().unwrap();
        staff.step_done(
            &case,
            ("intake", "intake"),
            "request_guardian",
            T0 + 5 * MINUTE,
        );
        staff.sync().unwrap();
        // The server's runner plays injects every second; a pass by hand does the same now.
        runner::tick(&server.state).unwrap();
        assert_eq!(
            played(&server, &started.exercise.id, 2),
            ["roll-call", "harbour"],
            "the harbour call is due at minute 45"
        );

        // Scenario minute 1500 is only 2 h 30 real: the intake's 24-hour steps are overdue on
        // the scenario clock (on the real clock they would not be for another 21 hours).
        server.clock.set(T0 + 150 * MINUTE);
        escalation::tick(&server.state).unwrap();
        let overdue: Vec<String> = alerts(&server, &coordinator.token)
            .alerts
            .iter()
            .filter(|s| s.alert.kind == AlertKind::OverdueStep)
            .map(|s| s.alert.message.clone())
            .collect();
        assert!(
            overdue
                .iter()
                .any(|m| m.contains("Register, identify") && m.contains("overdue by 60 min")),
            "{overdue:?}"
        );
        assert!(
            !overdue.iter().any(|m| m.contains("Request a guardian")),
            "{overdue:?}"
        );

        runner::tick(&server.state).unwrap();
        assert_eq!(played(&server, &started.exercise.id, 4).len(), 4);
        let made = report(&server.state, &started.exercise.id).unwrap();
        let outcome = |step: &str| {
            let d = made.deadlines.iter().find(|d| d.step == step).unwrap();
            (d.outcome.clone(), d.by_minutes)
        };
        assert_eq!(outcome("report_police"), (Outcome::Missed, 10));
        assert_eq!(outcome("request_guardian"), (Outcome::Met, 1390));
        assert_eq!(outcome("register_identify_photo"), (Outcome::Missed, 60));
        assert_eq!(made.minute, 1500);
        let injects: Vec<i64> = made
            .timeline
            .iter()
            .filter(|l| l.inject)
            .map(|l| l.minute)
            .collect();
        // Every inject due by minute 1500 was played; Calais (minute 2880) not yet.
        assert_eq!(injects, [0, 45, 120, 240], "{:?}", made.timeline);
        assert!(made
            .timeline
            .iter()
            .any(|l| !l.inject && l.minute == 30 && l.what == "missing"));
        let missing = made.alerts.iter().find(|a| a.kind == "missing").unwrap();
        assert_eq!(missing.raised_minute, 30);
        assert!(
            missing
                .deliveries
                .iter()
                .any(|d| d.device.contains("day shift") && d.delivered_minute.is_some()),
            "{missing:?}"
        );

        // The trainer reads it on the pages, signed in as Exercise control.
        let http = client();
        let cookie = session(
            &server,
            &http,
            &started.control_user,
            &started.control_password,
        );
        let page = http
            .get(server.url(&format!("/web/exercises/{}", started.exercise.id)))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        let row = page.split("data-step=\"report_police\"").nth(1).unwrap();
        assert!(
            row.split("</tr>")
                .next()
                .unwrap()
                .contains("missed by 10 min"),
            "{page}"
        );
        assert!(page.contains("met, 1390 min to spare"), "{page}");
        let cases = http
            .get(server.url("/web/cases"))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        let link = format!("/web/exercises/{}", started.exercise.id);
        assert!(
            cases.contains("Training exercise") && cases.contains(&link),
            "{cases}"
        );

        // And in Chromium: the rows say it, and the page prints.
        if let Some(b) = casesync_tests::browser::Browser::start() {
            let wait = std::time::Duration::from_secs(30);
            b.goto(&server.url("/web/sign-in"));
            b.fill("#name", &started.control_user);
            b.fill("#password", &started.control_password);
            b.click("form button[type=submit]");
            b.wait_for_script(
                "return !location.pathname.endsWith('/sign-in')",
                "signed in",
                wait,
            );
            b.goto(&server.url(&format!("/web/exercises/{}", started.exercise.id)));
            let police = b.wait_for_text("tr[data-step=report_police]", "missed by 10 min", wait);
            assert!(police.contains("min 30"), "due at minute 30: {police}");
            let guardian = b.text("tr[data-step=request_guardian]");
            assert!(guardian.contains("met, 1390 min to spare"), "{guardian}");
            assert_eq!(b.count("table.timeline tr.inject"), 4);
            if db.kind() == casesync_tests::db::Kind::Sqlite {
                b.screenshot("exercise-report", 1100);
            }
            assert!(b.print_pdf().starts_with(b"%PDF"), "printable");
        }

        // A training organisation never shares, not even with a real organisation that exists.
        casesync_tests::fixtures::org(&server, "Somewhere real", "Real centre");
        let refused = reqwest::blocking::Client::new()
            .post(server.url(&format!("/v1/cases/{case}/shares")))
            .bearer_auth(&coordinator.token)
            .json(
                &json!({"organisation": "Somewhere real", "legal_basis": "vital_interests",
                      "purpose": "search", "data_categories": ["identity"]}),
            )
            .send()
            .unwrap();
        assert_eq!(refused.status().as_u16(), 400);
        let body: Value = refused.json().unwrap();
        assert_eq!(body["error"]["code"], "invalid_request", "{body}");

        // The end: the case is erased and the phones are cut off.
        let ended = end::end(&server.state, &started.exercise.id, false).unwrap();
        assert_eq!((ended.cases_erased, ended.devices_revoked), (1, 2));
        assert!(server.state.engine.read(&case, |_| ()).unwrap().is_none());
        assert!(staff.sync().is_err(), "the phone is revoked");
    }
);
