//! Device enrolment by one-time code, token expiry, revocation and remote wipe.

use base64::Engine;
use casesync_contract::Role;
use casesync_server::feed::FeedEvent;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;
use serde_json::json;

use super::authz_world::{org_world, World};

const DAY: i64 = 24 * 3600 * 1000;

fn world(db: &casesync_tests::db::TestDb) -> World {
    World::build(TestServer::start(db))
}

storage_test!(
    a_phone_enrols_once_with_a_code_and_its_token_expires,
    |db| {
        let world = world(&db);
        let coord = world.coordinator_a().to_string();
        let outreach = world.a.member(Role::OutreachWorker).clone();
        let code = world.expect(
            201,
            "POST",
            "/v1/enrolments",
            &coord,
            Some(json!({"user": outreach.name})),
        );
        let text = code["code"].as_str().unwrap().to_string();
        assert!(code["qr_text"].as_str().unwrap().contains(&text));
        let png = base64::engine::general_purpose::STANDARD
            .decode(code["qr_png_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG image");

        // Typed on the phone, in lower case: accepted once.
        let enrolled = world.send(
            "POST",
            "/v1/enrol",
            None,
            Some(json!({"code": text.to_lowercase(), "device_name": "field phone 7"})),
        );
        assert_eq!(enrolled.status, 201, "{}", enrolled.body);
        let enrolled = enrolled.json();
        assert_eq!(enrolled["user_id"], outreach.user_id.as_str());
        assert_eq!(enrolled["role"], "outreach_worker");
        assert_eq!(enrolled["expires_at"], json!(T0 + 180 * DAY));
        let token = enrolled["token"].as_str().unwrap().to_string();
        world.expect(
            200,
            "POST",
            "/v1/sync",
            &token,
            Some(json!({"documents": []})),
        );
        let again = world.send(
            "POST",
            "/v1/enrol",
            None,
            Some(json!({"code": text, "device_name": "thief"})),
        );
        assert_eq!(again.status, 401, "single use");

        // A code expires.
        let late = world.expect(
            201,
            "POST",
            "/v1/enrolments",
            &coord,
            Some(json!({"user": outreach.user_id})),
        );
        world.server.clock.advance(31 * 60_000);
        let answer = world.send(
            "POST",
            "/v1/enrol",
            None,
            Some(json!({"code": late["code"], "device_name": "late"})),
        );
        assert_eq!(answer.status, 401, "expired");

        // Coordinators do not mint tokens for auditors.
        let auditor = world.a.member(Role::Auditor).user_id.clone();
        assert_eq!(
            world
                .send(
                    "POST",
                    "/v1/enrolments",
                    Some(&coord),
                    Some(json!({"user": auditor}))
                )
                .status,
            403
        );

        // Guessing is rate-limited per address.
        let limited = (0..25).any(|i| {
            let a = world.send(
                "POST",
                "/v1/enrol",
                None,
                Some(json!({"code": format!("GUES-S{i:03}-XXXX"), "device_name": "x"})),
            );
            a.status == 429
        });
        assert!(limited, "guesses from one address are cut off");

        // Tokens expire.
        world.server.clock.advance(181 * DAY);
        let answer = world.send(
            "POST",
            "/v1/sync",
            Some(&token),
            Some(json!({"documents": []})),
        );
        assert_eq!(answer.status, 401, "expired token");
    }
);

storage_test!(
    a_revoked_device_is_cut_off_and_a_wiped_one_told_once,
    |db| {
        let server = TestServer::start(&db);
        let org = org_world(&server, "Org", "A");
        let world = World::build(server);
        let admin = org.member(Role::OrgAdmin).token.clone();
        let outreach = org.member(Role::OutreachWorker).clone();
        let reception = org.member(Role::ReceptionStaff).clone();
        let mut feed = world.server.state.feed.subscribe();

        world.expect(
            200,
            "POST",
            "/v1/sync",
            &outreach.token,
            Some(json!({"documents": []})),
        );
        world.expect(
            204,
            "POST",
            &format!("/v1/devices/{}/revoke", outreach.device_id),
            &admin,
            None,
        );
        let answer = world.send(
            "POST",
            "/v1/sync",
            Some(&outreach.token),
            Some(json!({"documents": []})),
        );
        assert_eq!(answer.status, 401, "refused at once");
        let cut = std::iter::from_fn(|| feed.try_recv().ok()).any(|e| {
            e == FeedEvent::DeviceCut {
                device_id: outreach.device_id.clone(),
            }
        });
        assert!(cut, "live sessions are told to close");

        // A lost phone: wiped. It learns it at its next contact, once.
        world.expect(
            202,
            "POST",
            &format!("/v1/devices/{}/wipe", reception.device_id),
            &admin,
            None,
        );
        let held = casesync_contract::DocumentId::random();
        let reply = world.expect(
            200,
            "POST",
            "/v1/sync",
            &reception.token,
            Some(json!({"documents": [{"id": held.to_string(), "heads": [], "changes": []}]})),
        );
        assert_eq!(reply["wipe"], true);
        assert_eq!(reply["removed_documents"], json!([held.to_string()]));
        let answer = world.send(
            "POST",
            "/v1/sync",
            Some(&reception.token),
            Some(json!({"documents": []})),
        );
        assert_eq!(answer.status, 401, "after the wipe order the token is dead");
        let list = world.expect(200, "GET", "/v1/devices", &admin, None);
        let row = list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == reception.device_id.as_str())
            .unwrap()
            .clone();
        assert!(
            row["revoked_at"].is_i64()
                && row["wipe_requested_at"].is_i64()
                && row["wipe_delivered_at"].is_i64(),
            "{row}"
        );
    }
);
