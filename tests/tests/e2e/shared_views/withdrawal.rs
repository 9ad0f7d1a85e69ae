//! Withdrawing a share, or the legal basis entry it rests on, takes the view off every
//! partner device (live over the WebSocket through the caseload, and in batch as a removed
//! document) and stops its updates; the record of what was sent stays with the source.

use std::time::Duration;

use automerge::ReadDoc;
use casesync_contract::case::{self, CaseLog, LegalBasis, Millis, Str};
use casesync_contract::{DocumentId, Role};
use casesync_tests::live::{connect, LivePeer};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::{device_of, read_view, share, view_id};
use crate::authz_world::{Relation, World};

const WAIT: Duration = Duration::from_secs(10);

/// Whether the caseload (held by `peer`) lists `id`.
fn listed(peer: &LivePeer, caseload: &DocumentId, id: &DocumentId) -> bool {
    peer.docs.get(caseload).is_some_and(|(d, _)| {
        matches!(d.get(automerge::ROOT, "documents"), Ok(Some((_, docs)))
            if d.get(&docs, id.to_string()).ok().flatten().is_some())
    })
}

fn caseload_of(world: &World, token: &str) -> DocumentId {
    let me = world.expect(200, "GET", "/v1/me", token, None);
    me["caseload_url"].as_str().unwrap().parse().unwrap()
}

storage_test!(
    withdrawing_the_share_takes_the_view_off_live_and_batch_devices,
    |db| {
        let world = World::build(TestServer::start(&db));
        let case = world.cases[&Relation::SameSite];
        let made = share(&world, &case, &["identity"], None);
        let view = view_id(&made);
        let partner = world.b.member(Role::Coordinator).clone();
        // Live: the partner coordinator's app holds its caseload over the WebSocket.
        let caseload = caseload_of(&world, &partner.token);
        let mut live = connect(&world.server.base_url, &partner.token, false).expect("connect");
        live.join();
        live.open(caseload);
        assert!(
            live.pump_until(WAIT, |p| listed(p, &caseload, &view)),
            "the view is listed"
        );
        live.open(view);
        assert!(
            live.pump_until(WAIT, |p| p.has_content(&view)),
            "the view arrives live"
        );
        // Batch: another device of the partner holds it too.
        let mut phone = device_of(&world, &partner);
        phone.sync().unwrap();
        assert!(phone.docs.contains_key(&view));

        world.expect(
            200,
            "DELETE",
            &format!("/v1/cases/{case}/shares/{}", made["id"].as_str().unwrap()),
            world.coordinator_a(),
            None,
        );
        assert!(
            live.pump_until(WAIT, |p| !listed(p, &caseload, &view)),
            "the view leaves the live caseload"
        );
        let request = phone.sync_request();
        let reply = phone.post_sync(&request).unwrap();
        assert!(
            reply.removed_documents.contains(&view),
            "{:?}",
            reply.removed_documents
        );
        let answer = world.send(
            "GET",
            &format!("/v1/shared-views/{view}"),
            Some(&partner.token),
            None,
        );
        assert_eq!(answer.status, 404);

        // No more updates: the case changes, the view (read by the source) does not.
        let before = read_view(&world, &view, world.coordinator_a());
        let mut coordinator = device_of(&world, world.a.member(Role::Coordinator));
        coordinator.sync().unwrap();
        coordinator.set_profile(&case, "family_name", "Mensah");
        coordinator.sync().unwrap();
        let after = read_view(&world, &view, world.coordinator_a());
        assert_eq!(before, after);
        // The record of what was sent stays.
        let export = world.expect(
            200,
            "GET",
            &format!("/v1/cases/{case}/export"),
            world.coordinator_a(),
            None,
        );
        let shared = &export["shares"][0];
        assert!(shared["withdrawn_at"].is_i64());
        assert_eq!(shared["sent"].as_array().unwrap().len(), 1);
    }
);

storage_test!(withdrawing_the_legal_basis_withdraws_the_share, |db| {
    let world = World::build(TestServer::start(&db));
    let case = world.cases[&Relation::SameSite];
    let mut coordinator = device_of(&world, world.a.member(Role::Coordinator));
    coordinator.sync().unwrap();
    let (user, device) = (coordinator.user_id.clone(), coordinator.device_id.clone());
    let basis = |id: &str, withdraws: Option<&str>| LegalBasis {
        id: Str::from(id),
        purpose: Str::from("search with the partner"),
        basis: Str::from("consent"),
        given_by: Str::from("the child"),
        recorded_at: Millis(T0),
        withdraws: withdraws.map(Str::from),
        author: Str(user.clone()),
        device: Str(device.clone()),
    };
    let consent = basis("lb-consent", None);
    case::append(coordinator.doc(&case), CaseLog::LegalBases, &consent).unwrap();
    coordinator.doc(&case).commit();
    coordinator.sync().unwrap();

    // A share may rest only on an entry the case has, stating the share's basis.
    let body = |rests_on: &str, basis: &str| {
        serde_json::json!({
            "organisation": world.b.name, "legal_basis": basis,
            "purpose": "search", "data_categories": ["identity"], "rests_on": rests_on,
        })
    };
    for (rests_on, basis) in [("lb-nowhere", "consent"), ("lb-consent", "vital_interests")] {
        let answer = world.send(
            "POST",
            &format!("/v1/cases/{case}/shares"),
            Some(world.coordinator_a()),
            Some(body(rests_on, basis)),
        );
        assert_eq!(answer.status, 400, "{rests_on}: {}", answer.body);
        assert_eq!(answer.json()["error"]["code"], "invalid_request");
    }
    let made = world.expect(
        201,
        "POST",
        &format!("/v1/cases/{case}/shares"),
        world.coordinator_a(),
        Some(body("lb-consent", "consent")),
    );
    let view = view_id(&made);
    let mut partner = device_of(&world, world.b.member(Role::Coordinator));
    partner.sync().unwrap();
    assert!(partner.docs.contains_key(&view));

    // The child withdraws consent: the share lapses with it.
    let withdrawal = basis("lb-withdrawn", Some("lb-consent"));
    case::append(coordinator.doc(&case), CaseLog::LegalBases, &withdrawal).unwrap();
    coordinator.doc(&case).commit();
    coordinator.sync().unwrap();
    let export = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{case}/export"),
        world.coordinator_a(),
        None,
    );
    let shared = export["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == made["id"])
        .unwrap();
    assert!(shared["withdrawn_at"].is_i64(), "{shared}");
    let request = partner.sync_request();
    let reply = partner.post_sync(&request).unwrap();
    assert!(reply.removed_documents.contains(&view));
    let trail = world.expect(
        200,
        "GET",
        &format!("/v1/audit?case={case}"),
        &world.a.member(Role::Auditor).token,
        None,
    );
    assert!(trail["entries"].as_array().unwrap().iter().any(|e| {
        e["action"] == "case.share_withdrawn" && e["detail"]["reason"] == "legal_basis_withdrawn"
    }));
});
