//! The cost of auditing live sends: a change pushed to many phones is one map entry per
//! session until the read log is written, then one row per (session, document) for the
//! interval, in one transaction: not a row per frame, each taking the head of the chain.

use std::time::{Duration, Instant};

use casesync_contract::Role;
use casesync_tests::live::{connect, LivePeer};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};
use serde_json::Value;

use super::audit_reads::trail;

const PHONES: usize = 50;
const PUSHES: usize = 3;
const WAIT: Duration = Duration::from_secs(20);

storage_test!(
    a_push_to_many_phones_writes_one_row_per_session_and_document,
    |db| {
        // No timed write during the test: it writes the read log itself.
        let server = TestServer::start_with(&db, |c| c.audit.read_flush_ms = 3_600_000);
        let state = server.state.clone();
        let org = fixtures::org(&server, "Org", "Centro");
        let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "intake");
        let case = intake.open_case(&[("given_name", "Abena")], T0);
        intake.sync().unwrap();

        let phones: Vec<_> = (0..PHONES)
            .map(|n| fixtures::device(&server, &org, Role::ReceptionStaff, &format!("phone-{n}")))
            .collect();
        let mut peers: Vec<LivePeer> = phones
            .iter()
            .map(|phone| {
                let mut peer = connect(&server.base_url, &phone.token, false).unwrap();
                peer.join();
                peer.open(case);
                peer
            })
            .collect();
        let all_hold = |peers: &mut Vec<LivePeer>,
                        done: &(dyn Fn(&mut LivePeer) -> bool + Sync)| {
            std::thread::scope(|s| {
                for peer in peers.iter_mut() {
                    s.spawn(move || assert!(peer.pump_until(WAIT, done)));
                }
            });
        };
        all_hold(&mut peers, &|p| p.has_content(&case));
        state.audit_reads.flush(&state).unwrap();
        let before = trail(&server).len();

        // Three changes, each pushed to every phone as a message of its own.
        for n in 0..PUSHES {
            let entry = format!("push-{n}");
            intake.observe(
                &case,
                &entry,
                "seen at the station",
                T0 + 1_000 * (n as i64 + 1),
            );
            intake.sync().unwrap();
            all_hold(&mut peers, &|p| p.observation_ids(&case).contains(&entry));
        }
        assert_eq!(
            state.audit_reads.pending(),
            PHONES,
            "one pending read per session"
        );
        let started = Instant::now();
        let written = state.audit_reads.flush(&state).unwrap();
        eprintln!(
            "{PHONES} sessions x {PUSHES} pushes: {written} rows written in {:?}",
            started.elapsed()
        );
        assert_eq!(written, PHONES);

        let rows: Vec<_> = trail(&server)
            .into_iter()
            .skip(before)
            .filter(|e| e.action == "case.synced")
            .collect();
        assert_eq!(rows.len(), PHONES, "one row per session and document");
        let mut sessions = std::collections::HashSet::new();
        for row in &rows {
            let detail: Value = serde_json::from_str(&row.detail).unwrap();
            assert_eq!(row.case_id.as_deref(), Some(case.to_string().as_str()));
            assert!(
                detail["messages"].as_u64().unwrap() >= PUSHES as u64,
                "{detail}"
            );
            assert!(
                detail["changes"].as_u64().unwrap() >= PUSHES as u64,
                "{detail}"
            );
            sessions.insert(detail["session"].as_str().unwrap().to_string());
        }
        assert_eq!(sessions.len(), PHONES);
        let devices: std::collections::HashSet<_> =
            rows.iter().map(|r| r.actor_device.clone()).collect();
        assert_eq!(devices.len(), PHONES);
    }
);
