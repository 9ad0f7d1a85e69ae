//! Safety first from the change graph (issue 15): whether two episode events were recorded
//! concurrently is read from automerge's history, not from the `supersedes` a phone writes.
//! A phone that never received the missing report cannot stand the alert down by claiming it
//! had, and the disagreement shows on the case page and the alerts board.

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::{self, EpisodeEvent, Millis, Str};
use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

use crate::pages::support::{page_user, PASSWORD};
use crate::security::support::{client, session};

const HOUR: i64 = 3_600_000;

fn open_missing_alerts(server: &TestServer, token: &str) -> usize {
    let list: AlertList = reqwest::blocking::Client::new()
        .get(format!("{}/v1/alerts", server.base_url))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.alerts
        .iter()
        .filter(|s| s.alert.kind == AlertKind::Missing)
        .count()
}

storage_test!(
    a_claim_to_have_seen_the_missing_report_does_not_stand_it_down,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
        page_user(&server, &org, Role::Coordinator, "maria");
        let mut giulia = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
        let mut marco = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
        let coordinator = fixtures::device(&server, &org, Role::Coordinator, "chiara");
        let case = giulia.open_case(&[("given_name", "Abena")], T0);
        giulia.episode_event(&case, "ep1", "ev-absent", "absent", T0 + HOUR);
        giulia.sync().unwrap();
        marco.sync().unwrap();

        // Marco reports her missing; Giulia's phone, offline since, never receives it.
        server.clock.set(T0 + 2 * HOUR);
        marco.episode_event(&case, "ep1", "ev-missing", "missing", T0 + 2 * HOUR);
        marco.sync().unwrap();
        assert_eq!(open_missing_alerts(&server, &coordinator.token), 1);

        // Giulia records her back, later by her clock, and her phone claims (wrongly) to have
        // seen the missing report.
        let returned = EpisodeEvent {
            id: Str::from("ev-returned"),
            state: Str::from("returned"),
            observed_at: Millis(T0 + 3 * HOUR),
            author: Str(giulia.user_id.clone()),
            device: Str(giulia.device_id.clone()),
            note: None,
            supersedes: Some(vec![Str::from("ev-absent"), Str::from("ev-missing")]),
            details: None,
            provenance: None,
        };
        assert!(case::edit::append_episode_event(giulia.doc(&case), "ep1", &returned).unwrap());
        giulia.doc(&case).commit();
        server.clock.set(T0 + 3 * HOUR);
        giulia.sync().unwrap();

        // The two reports were concurrent: she counts as missing, the alert stays up.
        assert_eq!(
            open_missing_alerts(&server, &coordinator.token),
            1,
            "the missing alert was stood down on a claim"
        );
        let http = client();
        let cookie = session(&server, &http, "maria", PASSWORD);
        for page in [format!("/web/cases/{case}"), "/web/alerts".to_string()] {
            let html = http
                .get(server.url(&page))
                .header("cookie", &cookie)
                .send()
                .unwrap()
                .text()
                .unwrap();
            assert!(
                html.contains("Reports disagree (missing, returned)"),
                "{page} shows the disagreement"
            );
        }

        // Once a phone that has seen both records her back, the alert stands down.
        giulia.sync().unwrap();
        giulia.episode_event(&case, "ep1", "ev-back", "returned", T0 + 4 * HOUR);
        giulia.sync().unwrap();
        assert_eq!(open_missing_alerts(&server, &coordinator.token), 0);
    }
);
