//! Every read of case data is in the audit trail, whatever path it took: what a live
//! session sends a device (cases, and the caseload and alert boards that name children),
//! blob downloads and previews, the alerts list, exports. Live sends and blob reads are
//! written in batches off the request path, so the tests wait for them (at most a flush
//! interval, one second by default).

use std::time::{Duration, Instant};

use casesync_contract::case::{self, AttachmentRef, CaseLog, Millis, Str, Whole};
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::audit::{page, AuditEntry};
use casesync_tests::device::Device;
use casesync_tests::live::connect;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};
use serde_json::Value;

use crate::blobs::samples::{jpeg, sha256_hex};

const WAIT: Duration = Duration::from_secs(10);

/// Every entry of the trail.
pub(crate) fn trail(server: &TestServer) -> Vec<AuditEntry> {
    let mut conn = server.state.pool.get().unwrap();
    page(&mut conn, 0, 1_000_000).unwrap()
}

/// Waits until the trail holds an entry `wanted` accepts, and returns it.
pub(crate) fn entry_until(
    server: &TestServer,
    what: &str,
    wanted: impl Fn(&AuditEntry, &Value) -> bool,
) -> AuditEntry {
    let started = Instant::now();
    loop {
        let found = trail(server).into_iter().find(|e| {
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
            wanted(e, &detail)
        });
        if let Some(entry) = found {
            return entry;
        }
        assert!(started.elapsed() < WAIT, "no audit entry for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn get(server: &TestServer, token: &str, path: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .unwrap()
}

fn caseload_of(server: &TestServer, device: &Device) -> DocumentId {
    let me: Value = get(server, &device.token, "/v1/me").json().unwrap();
    me["caseload_url"].as_str().unwrap().parse().unwrap()
}

storage_test!(
    what_a_live_session_sends_is_audited_per_session_and_document,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Org", "Centro");
        let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "intake");
        let phone = fixtures::device(&server, &org, Role::ReceptionStaff, "night-phone");
        let case = intake.open_case(&[("given_name", "Qiro")], T0);
        intake.sync().unwrap();
        let caseload = caseload_of(&server, &phone);

        let mut peer = connect(&server.base_url, &phone.token, false).unwrap();
        peer.join();
        peer.open(case);
        peer.open(caseload);
        assert!(peer.pump_until(WAIT, |p| p.has_content(&case) && p.has_content(&caseload)));

        // The case it received: by this device, about this case, naming the socket and the heads
        // the device was brought to.
        let heads: Vec<String> = peer.heads(&case).iter().map(|h| h.to_string()).collect();
        let sent = entry_until(&server, "the case sent over the socket", |e, d| {
            e.action == "case.synced"
                && e.actor_device.as_deref() == Some(phone.device_id.as_str())
                && e.case_id.as_deref() == Some(case.to_string().as_str())
                && d["via"] == "live"
                && d["heads"] == serde_json::json!(heads)
        });
        let detail: Value = serde_json::from_str(&sent.detail).unwrap();
        assert!(detail["session"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(detail["changes"].as_u64().unwrap() > 0);
        assert_eq!(sent.organisation_id.as_deref(), Some(org.id.as_str()));

        // Its caseload names the children it follows: sending it is a read too.
        entry_until(&server, "the caseload sent over the socket", |e, d| {
            e.action == "document.synced"
                && e.actor_device.as_deref() == Some(phone.device_id.as_str())
                && d["document"] == caseload.to_string()
                && d["kind"] == "caseload"
        });
    }
);

/// The device appends an attachment entry for `sha256` to a case it holds and syncs it.
fn attach(device: &mut Device, case: &DocumentId, sha256: &str, size: usize) {
    let entry = AttachmentRef {
        sha256: Str::from(sha256),
        size: Whole(size as i64),
        media_type: Str::from("image/jpeg"),
        captured_at: Millis(T0),
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
        sensitivity: None,
        caption: None,
    };
    case::append(device.doc(case), CaseLog::Attachments, &entry).unwrap();
    device.doc(case).commit();
    device.sync().unwrap();
}

storage_test!(blob_downloads_and_previews_are_audited, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut outreach = fixtures::device(&server, &org, Role::OutreachWorker, "omar");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let photo = jpeg(640, 480, 3);
    let sha = sha256_hex(&photo);
    let uploaded = reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/{sha}")))
        .bearer_auth(&outreach.token)
        .body(photo.clone())
        .send()
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 201);
    let case = outreach.open_case(&[("given_name", "Abena")], T0);
    outreach.sync().unwrap();
    attach(&mut outreach, &case, &sha, photo.len());

    // The blob's references are derived after the sync reply: wait until it is served.
    let path = format!("/v1/blobs/{sha}");
    let started = Instant::now();
    while get(&server, &coord.token, &path).status().as_u16() != 200 {
        assert!(started.elapsed() < WAIT, "the photo never became readable");
        std::thread::sleep(Duration::from_millis(50));
    }
    let preview = get(&server, &coord.token, &format!("{path}/preview"));
    assert_eq!(preview.status().as_u16(), 200);

    for view in ["download", "preview"] {
        entry_until(&server, view, |e, d| {
            e.action == "case.blob_read"
                && e.actor_device.as_deref() == Some(coord.device_id.as_str())
                && e.case_id.as_deref() == Some(case.to_string().as_str())
                && d["blob"] == sha.as_str()
                && d["view"] == view
        });
    }
});

storage_test!(
    the_alerts_list_is_audited_as_a_read_of_the_cases_it_names,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Org", "Centro");
        let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
        let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
        let case = intake.open_case(&[("given_name", "Abena")], T0);
        intake.sync().unwrap();
        server.clock.set(T0 + 60_000);
        intake.episode_event(&case, "ep1", "ev-missing", "missing", T0 + 60_000);
        intake.sync().unwrap();

        // The alert is derived after the sync reply.
        let started = Instant::now();
        loop {
            let list: Value = get(&server, &coord.token, "/v1/alerts").json().unwrap();
            if list["alerts"].as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
            assert!(started.elapsed() < WAIT, "no alert raised");
            std::thread::sleep(Duration::from_millis(50));
        }
        entry_until(&server, "GET /v1/alerts", |e, d| {
            e.action == "case.listed"
                && e.actor_device.as_deref() == Some(coord.device_id.as_str())
                && d["view"] == "alerts"
                && d["cases"]
                    .as_array()
                    .is_some_and(|c| c.contains(&Value::from(case.to_string())))
        });
    }
);

storage_test!(exports_are_audited_in_both_formats, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = intake.open_case(&[("given_name", "Abena")], T0);
    intake.sync().unwrap();
    for format in ["json", "html"] {
        let export = get(
            &server,
            &coord.token,
            &format!("/v1/cases/{case}/export?format={format}"),
        );
        assert_eq!(export.status().as_u16(), 200);
        entry_until(&server, format, |e, d| {
            e.action == "case.exported"
                && e.actor_device.as_deref() == Some(coord.device_id.as_str())
                && e.case_id.as_deref() == Some(case.to_string().as_str())
                && d["format"] == format
        });
    }
});
