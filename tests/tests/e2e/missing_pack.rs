//! The missing pack (`GET /v1/cases/{id}/missing-pack`): what a phone records before and at a
//! disappearance comes back as the pack's items, with what is still missing and what is out
//! of date; as a printable page with the photo embedded; readable by whoever reads the case
//! and by the site's outreach workers while the child is missing; every read audited.

use std::collections::BTreeMap;

use casesync_contract::case::{self, AttachmentRef, CaseLog, EpisodeEvent, Millis, Str, Whole};
use casesync_contract::views::{ChildStatus, ItemStatus, MissingPack, PackItemKind};
use casesync_contract::wire::AuditList;
use casesync_contract::{DocumentId, Role};
use casesync_tests::device::Device;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;
use sha2::{Digest, Sha256};

const DAY: i64 = 24 * 60 * 60 * 1000;

fn get(server: &TestServer, token: &str, path: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .unwrap()
}

fn pack(server: &TestServer, token: &str, id: &str) -> MissingPack {
    let response = get(server, token, &format!("/v1/cases/{id}/missing-pack"));
    assert_eq!(response.status().as_u16(), 200);
    response.json().unwrap()
}

fn status_of(pack: &MissingPack, kind: PackItemKind) -> ItemStatus {
    pack.item(kind).unwrap().status
}

/// A small photo, uploaded by the phone that took it.
fn upload_photo(server: &TestServer, device: &Device) -> (String, usize) {
    let image = image::RgbImage::from_fn(96, 120, |x, y| image::Rgb([x as u8, y as u8, 140]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&image)
        .unwrap();
    let sha = hex::encode(Sha256::digest(&jpeg));
    let response = reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/{sha}")))
        .bearer_auth(&device.token)
        .header("Content-Type", "image/jpeg")
        .body(jpeg.clone())
        .send()
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    (sha, jpeg.len())
}

fn record_event(
    device: &mut Device,
    id: &DocumentId,
    state: &str,
    at: i64,
    details: &[(&str, &str)],
) {
    let seen: Vec<Str> = case::read_case(device.doc(id))
        .unwrap()
        .episodes
        .iter()
        .flat_map(|e| e.events.iter().map(|ev| ev.id.clone()))
        .collect();
    let event = EpisodeEvent {
        id: Str(format!("ev-{state}-{at}")),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
        note: None,
        supersedes: Some(seen),
        details: Some(
            details
                .iter()
                .map(|(k, v)| (k.to_string(), Str::from(*v)))
                .collect::<BTreeMap<_, _>>(),
        ),
        provenance: None,
    };
    let doc = device.doc(id);
    if !case::edit::append_episode_event(doc, "ep1", &event).unwrap() {
        let episode = case::Episode {
            id: Str::from("ep1"),
            opened_at: Millis(at),
            events: vec![event],
        };
        case::append(doc, CaseLog::Episodes, &episode).unwrap();
    }
    doc.commit();
    device.sync().unwrap();
}

storage_test!(the_pack_follows_the_case_and_prints_with_the_photo, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "sara");
    let id = staff.open_case(
        &[
            ("given_name", "Abena"),
            ("family_name", "<Tesfay>"),
            ("estimated_age", "15"),
            ("physical_description", "slim, short black hair"),
            ("guardian", "Avv. Ferri"),
            ("family_and_associates", "aunt in Malmö"),
            ("intended_destination", "Sweden"),
            ("phone_numbers", "+39 000"),
        ],
        T0,
    );
    staff.sync().unwrap();
    let case = id.to_string();

    // Part 1 as far as it goes: no photo and no identity document yet.
    let before = pack(&server, &coord.token, &case);
    assert_eq!(before.status, ChildStatus::Present);
    assert_eq!(before.name, "Abena <Tesfay>");
    assert_eq!(before.missing_required, vec!["photo", "identity_document"]);
    assert!(!before.item(PackItemKind::Clothing).unwrap().required);

    let (sha, size) = upload_photo(&server, &staff);
    let photo = AttachmentRef {
        sha256: Str(sha.clone()),
        size: Whole(size as i64),
        media_type: Str::from("image/jpeg"),
        captured_at: Millis(T0 - 10 * DAY),
        author: Str(staff.user_id.clone()),
        device: Str(staff.device_id.clone()),
        sensitivity: None,
        caption: Some(Str::from("dated photo")),
    };
    case::append(staff.doc(&id), CaseLog::Attachments, &photo).unwrap();
    case::set_profile_field(staff.doc(&id), "photo", &sha).unwrap();
    staff.doc(&id).commit();
    staff.sync().unwrap();

    // Absent, then missing: part 2 becomes required, and is filled in.
    record_event(
        &mut staff,
        &id,
        "absent",
        T0 + 60_000,
        &[
            ("last_seen_place", "the harbour"),
            ("last_seen_with", "two girls"),
            ("clothing", "blue hooded jacket"),
        ],
    );
    let absent = pack(&server, &coord.token, &case);
    assert_eq!(absent.status, ChildStatus::Absent);
    assert_eq!(absent.missing_required, vec!["identity_document"]);
    record_event(&mut staff, &id, "missing", T0 + 120_000, &[]);
    let missing = pack(&server, &coord.token, &case);
    assert_eq!(missing.status, ChildStatus::Missing);
    assert_eq!(missing.missing_since, Some(T0 + 120_000));
    assert_eq!(
        missing.missing_required,
        vec!["identity_document", "police_report"]
    );
    record_event(
        &mut staff,
        &id,
        "missing",
        T0 + 180_000,
        &[("police_reference", "CC-77"), ("police_risk_grade", "high")],
    );
    let reported = pack(&server, &coord.token, &case);
    assert_eq!(reported.missing_required, vec!["identity_document"]);
    assert_eq!(
        status_of(&reported, PackItemKind::Photo),
        ItemStatus::Present
    );
    assert_eq!(
        reported
            .item(PackItemKind::LastSeen)
            .unwrap()
            .value
            .as_deref(),
        Some("the harbour, 2026-11-28 08:01 UTC, with two girls")
    );
    assert_eq!(reported.photo.as_ref().unwrap().sha256, sha);

    // Six months on the photo is out of date.
    server.clock.advance(200 * DAY);
    let later = pack(&server, &coord.token, &case);
    assert_eq!(later.stale, vec!["photo"]);
    assert_eq!(status_of(&later, PackItemKind::Photo), ItemStatus::Stale);

    // The printable page: the photo inside it, what is missing and stale, text escaped.
    let page = get(
        &server,
        &coord.token,
        &format!("/v1/cases/{case}/missing-pack?format=html"),
    );
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().unwrap();
    assert!(
        html.contains("src=\"data:image/jpeg;base64,"),
        "photo not embedded"
    );
    assert!(html.contains("@media print"));
    assert!(html.contains("Abena &lt;Tesfay&gt;") && !html.contains("<Tesfay>"));
    assert!(
        html.contains("Required and not recorded:") && html.contains("Copy of asylum or ID card")
    );
    assert!(html.contains("Out of date:") && html.contains("CC-77"));

    // A photo not uploaded yet leaves the page printable and says so.
    case::set_profile_field(staff.doc(&id), "photo", &"ab".repeat(32)).unwrap();
    staff.doc(&id).commit();
    staff.sync().unwrap();
    let html = get(
        &server,
        &coord.token,
        &format!("/v1/cases/{case}/missing-pack?format=html"),
    )
    .text()
    .unwrap();
    assert!(html.contains("not uploaded yet") && !html.contains("data:image"));

    let bad = get(
        &server,
        &coord.token,
        &format!("/v1/cases/{case}/missing-pack?format=pdf"),
    );
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(
        bad.json::<serde_json::Value>().unwrap()["error"]["code"],
        "invalid_request"
    );
});

storage_test!(
    outreach_workers_read_the_pack_only_while_the_child_is_missing,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Org", "Centro");
        let other = fixtures::org(&server, "Other", "Elsewhere");
        let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "sara");
        let outreach = fixtures::device(&server, &org, Role::OutreachWorker, "luca");
        let stranger = fixtures::device(&server, &other, Role::OutreachWorker, "remy");
        let auditor = fixtures::device(&server, &org, Role::Auditor, "ines");
        let id = staff.open_case(&[("given_name", "Qiro")], T0);
        staff.sync().unwrap();
        let path = format!("/v1/cases/{id}/missing-pack");
        let status = |token: &str, path: &str| get(&server, token, path).status().as_u16();

        // Not assigned, child present: the outreach worker sees nothing, like an unknown case.
        assert_eq!(status(&outreach.token, &path), 404);
        record_event(
            &mut staff,
            &id,
            "missing",
            T0 + 60_000,
            &[("clothing", "red cap")],
        );
        assert_eq!(status(&outreach.token, &path), 200);
        assert_eq!(status(&outreach.token, &format!("{path}?format=html")), 200);
        // The pack, not the case.
        assert_eq!(status(&outreach.token, &format!("/v1/cases/{id}")), 404);
        // Never another organisation's, never for roles without case content.
        assert_eq!(status(&stranger.token, &path), 404);
        assert_eq!(status(&auditor.token, &path), 404);
        let unknown = DocumentId::random();
        assert_eq!(
            status(&staff.token, &format!("/v1/cases/{unknown}/missing-pack")),
            404
        );
        assert_eq!(
            status(&staff.token, "/v1/cases/not-an-id/missing-pack"),
            404
        );

        record_event(
            &mut staff,
            &id,
            "located",
            T0 + 120_000,
            &[("found_place", "Piraeus")],
        );
        assert_eq!(status(&outreach.token, &path), 404);
        assert_eq!(status(&staff.token, &path), 200);

        // Every read is in the audit trail; the printable page as an export.
        let audit: AuditList = get(
            &server,
            &auditor.token,
            &format!("/v1/audit?case={id}&limit=1000"),
        )
        .json()
        .unwrap();
        let reads: Vec<(&str, &str)> = audit
            .entries
            .iter()
            .filter(|e| e.detail["view"] == "missing_pack")
            .map(|e| (e.action.as_str(), e.detail["format"].as_str().unwrap()))
            .collect();
        assert_eq!(
            reads,
            vec![
                ("case.read", "json"),
                ("case.exported", "html"),
                ("case.read", "json")
            ]
        );
        assert!(audit
            .entries
            .iter()
            .filter(|e| e.detail["view"] == "missing_pack")
            .take(2)
            .all(|e| e.actor_device.as_deref() == Some(outreach.device_id.as_str())));
    }
);
