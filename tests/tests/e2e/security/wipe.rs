//! Finding 2: a device under a wipe order learns the order and confirms it, nothing more.
//! REST routes and blobs answer `403 device_wiped` without consuming the order; the batch
//! reply and the WebSocket caseload deliver it, once, and then the token is dead.

use std::time::Duration;

use casesync_contract::errors::ErrorCode;
use casesync_contract::{DocumentId, Role};
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, live, storage_test};
use serde_json::{json, Value};
use sha2::Digest;

use super::support::until_served;

struct Wiped {
    server: TestServer,
    auditor: Device,
    phone: Device,
    case: DocumentId,
    sha256: String,
}

/// A reception phone holding a case with a photo, then reported lost by the org admin.
fn lost_phone(db: &casesync_tests::db::TestDb) -> Wiped {
    let server = TestServer::start(db);
    let org = fixtures::org(&server, "Org", "Site");
    let admin = fixtures::device(&server, &org, Role::OrgAdmin, "admin");
    let auditor = fixtures::device(&server, &org, Role::Auditor, "auditor");
    let mut phone = fixtures::device(&server, &org, Role::ReceptionStaff, "ana");
    let case = phone.open_case(&[("given_name", "Abena")], T0);
    phone.sync().unwrap();
    let bytes = crate::blobs::samples::jpeg(64, 48, 7);
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let put = reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/{sha256}")))
        .bearer_auth(&phone.token)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .unwrap();
    assert!(put.status().is_success(), "{}", put.text().unwrap());
    let entry = casesync_contract::case::AttachmentRef {
        sha256: casesync_contract::case::Str::from(sha256.as_str()),
        size: casesync_contract::case::Whole(bytes.len() as i64),
        media_type: casesync_contract::case::Str::from("image/jpeg"),
        captured_at: casesync_contract::case::Millis(T0),
        author: casesync_contract::case::Str(phone.user_id.clone()),
        device: casesync_contract::case::Str(phone.device_id.clone()),
        sensitivity: None,
        caption: None,
    };
    casesync_contract::case::append(
        phone.doc(&case),
        casesync_contract::case::CaseLog::Attachments,
        &entry,
    )
    .unwrap();
    phone.doc(&case).commit();
    phone.sync().unwrap();
    // Readable before the order: what the refusals below take away.
    until_served(&server, &phone.token, &format!("/v1/blobs/{sha256}"));
    assert_eq!(
        get(&server, &phone.token, &format!("/v1/cases/{case}")).0,
        200
    );
    let wipe = reqwest::blocking::Client::new()
        .post(server.url(&format!("/v1/devices/{}/wipe", phone.device_id)))
        .bearer_auth(&admin.token)
        .send()
        .unwrap();
    assert_eq!(wipe.status().as_u16(), 202);
    Wiped {
        server,
        auditor,
        phone,
        case,
        sha256,
    }
}

fn get(server: &TestServer, token: &str, path: &str) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn sync(w: &Wiped) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .post(w.server.url("/v1/sync"))
        .bearer_auth(&w.phone.token)
        .json(&json!({"documents": [{"id": w.case.to_string(), "heads": [], "changes": []}]}))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

/// How many times the audit trail recorded the order as delivered.
fn deliveries(w: &Wiped) -> usize {
    let (status, list) = get(&w.server, &w.auditor.token, "/v1/audit?limit=1000");
    assert_eq!(status, 200, "{list}");
    list["entries"]
        .as_array()
        .expect("audit entries")
        .iter()
        .filter(|e| e["action"] == "device.wipe_delivered")
        .count()
}

fn assert_wiped_refusal(answer: &(u16, Value), what: &str) {
    assert_eq!(answer.0, 403, "{what}: {}", answer.1);
    assert_eq!(
        answer.1["error"]["code"],
        ErrorCode::DeviceWiped.as_str(),
        "{what}: {}",
        answer.1
    );
}

storage_test!(
    a_wiped_device_reads_nothing_over_rest_until_it_syncs,
    |db| {
        let w = lost_phone(&db);
        let case = w.case;
        for path in [
            format!("/v1/cases/{case}"),
            format!("/v1/cases/{case}/timeline"),
            format!("/v1/cases/{case}/missing-pack"),
            "/v1/cases".to_string(),
        ] {
            assert_wiped_refusal(&get(&w.server, &w.phone.token, &path), &path);
        }
        assert_eq!(deliveries(&w), 0, "a refusal does not deliver the order");
        // The order still arrives by the batch path, once; then the token is dead.
        let (status, reply) = sync(&w);
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["wipe"], true);
        assert_eq!(reply["documents"], json!([]));
        assert_eq!(reply["removed_documents"], json!([case.to_string()]));
        assert_eq!(sync(&w).0, 401);
        assert_eq!(
            get(&w.server, &w.phone.token, &format!("/v1/cases/{case}")).0,
            401
        );
        assert_eq!(deliveries(&w), 1, "confirmed once");
    }
);

storage_test!(a_wiped_device_downloads_no_blob, |db| {
    let w = lost_phone(&db);
    let sha = &w.sha256;
    for path in [
        format!("/v1/blobs/{sha}"),
        format!("/v1/blobs/{sha}/preview"),
    ] {
        assert_wiped_refusal(&get(&w.server, &w.phone.token, &path), &path);
    }
    assert_eq!(deliveries(&w), 0);
});

storage_test!(
    a_wiped_device_gets_its_caseload_saying_wipe_and_the_socket_closes,
    |db| {
        let w = lost_phone(&db);
        // `GET /v1/me` tells the order and where the caseload is.
        let (status, me) = get(&w.server, &w.phone.token, "/v1/me");
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["wipe"], true);
        let caseload: DocumentId = me["caseload_url"].as_str().unwrap().parse().unwrap();
        let mut socket = live::connect(&w.server.base_url, &w.phone.token, false).unwrap();
        socket.join();
        // The case is not served to a lost phone.
        socket.open(w.case);
        assert!(
            socket.pump_until(Duration::from_secs(5), |p| p.unavailable.contains(&w.case)),
            "the case is unavailable to a wiped device"
        );
        assert!(!socket.has_content(&w.case));
        assert_eq!(deliveries(&w), 0);
        socket.open(caseload);
        assert!(
            socket.pump_until(Duration::from_secs(5), |p| p.closed),
            "the socket closes once the order is out"
        );
        let (doc, _) = socket.docs.get(&caseload).expect("the caseload arrived");
        use automerge::ReadDoc;
        let wipe = doc
            .get(automerge::ROOT, "wipe")
            .unwrap()
            .and_then(|(v, _)| v.as_scalar().cloned());
        assert_eq!(
            wipe,
            Some(automerge::ScalarValue::Boolean(true)),
            "the caseload says wipe"
        );
        let listed = match doc.get(automerge::ROOT, "documents").unwrap() {
            Some((_, docs)) => doc.keys(&docs).count(),
            None => 0,
        };
        assert_eq!(listed, 0, "a wiped device is told to hold nothing");
        assert_eq!(deliveries(&w), 1, "confirmed once");
        // The token is dead on every path now.
        assert_eq!(get(&w.server, &w.phone.token, "/v1/me").0, 401);
        assert_eq!(sync(&w).0, 401);
        assert!(live::connect(&w.server.base_url, &w.phone.token, false).is_err());
    }
);
