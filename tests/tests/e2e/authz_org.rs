//! The organisation-level part of the authorization matrix: listing cases, people, devices,
//! sharing and enrolment, for every caller of either organisation and no caller at all.

use casesync_contract::Role;
use serde_json::json;

use super::authz_matrix::{callers, sees, Side};
use super::authz_world::World;

/// The organisation-level endpoints x callers x targets (own organisation, the other one,
/// none). Returns how many cells it checked.
pub fn run_org_matrix(world: &World) -> usize {
    let mut cells = 0;
    let admins = [Role::OrgAdmin, Role::Coordinator];
    for who in callers(world) {
        let role = who.role();
        let (own, other) = if who.side == Side::A {
            (&world.a, &world.b)
        } else {
            (&world.b, &world.a)
        };
        let token = who.token();

        // Listing cases: exactly the cases of the world the oracle says it sees.
        let list = world.send("GET", "/v1/cases", token, None);
        if role.is_none() {
            assert_eq!(list.status, 401);
        } else {
            assert_eq!(list.status, 200, "{:?}", role);
            let listed: Vec<String> = list.json()["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect();
            for (relation, id) in &world.cases {
                assert_eq!(
                    listed.contains(&id.to_string()),
                    sees(&who, *relation),
                    "GET /v1/cases as {:?} {:?}: {relation:?}",
                    who.side,
                    role
                );
            }
        }
        cells += 1;

        // Opening a case.
        let created = world.send("POST", "/v1/cases", token, Some(json!({"site": format!("{}1", if who.side == Side::A {"A"} else {"B"}), "profile": {}})));
        let expected = match role {
            None => 401,
            Some(Role::OrgAdmin | Role::Auditor) => 403,
            Some(_) => 201,
        };
        assert_eq!(
            created.status, expected,
            "POST /v1/cases as {role:?}: {}",
            created.body
        );
        cells += 1;

        // Listing devices: admins see their own organisation's only.
        let devices = world.send("GET", "/v1/devices", token, None);
        match role {
            None => assert_eq!(devices.status, 401),
            Some(r) if admins.contains(&r) => {
                assert_eq!(devices.status, 200);
                let body = devices.body.clone();
                for m in other.members.values() {
                    assert!(
                        !body.contains(&m.device_id),
                        "other organisation's device listed"
                    );
                }
                assert!(body.contains(&own.member(Role::OutreachWorker).device_id));
            }
            Some(_) => assert_eq!(devices.status, 403, "GET /v1/devices as {role:?}"),
        }
        cells += 1;

        // Revoking and wiping: own device, another organisation's, an unknown id.
        for action in ["revoke", "wipe"] {
            let ok = if action == "revoke" { 204 } else { 202 };
            for target in ["own", "other", "unknown"] {
                let victim = match target {
                    "own" => Some(world.spare_device(own.member(Role::OutreachWorker))),
                    "other" => Some(world.spare_device(other.member(Role::OutreachWorker))),
                    _ => None,
                };
                let device_id = victim
                    .as_ref()
                    .map(|v| v.device_id.clone())
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let path = format!("/v1/devices/{device_id}/{action}");
                let answer = world.send("POST", &path, token, None);
                let baseline = world.send(
                    "POST",
                    &format!("/v1/devices/{}/{action}", uuid::Uuid::new_v4()),
                    token,
                    None,
                );
                let cut = match (role, target) {
                    (None, _) => {
                        assert_eq!(answer, baseline);
                        assert_eq!(answer.status, 401);
                        false
                    }
                    (Some(r), "own") if admins.contains(&r) => {
                        assert_eq!(answer.status, ok, "{path} as {r:?}: {}", answer.body);
                        true
                    }
                    (Some(r), _) if admins.contains(&r) => {
                        assert_eq!(answer.status, 404, "{path} as {r:?}");
                        assert_eq!(
                            answer, baseline,
                            "{path}: another organisation's device looks unknown"
                        );
                        false
                    }
                    (Some(r), _) => {
                        assert_eq!(answer.status, 403, "{path} as {r:?}");
                        false
                    }
                };
                if let Some(victim) = victim {
                    // A wiped device gets its wipe order once; a revoked one is refused.
                    let after = world.send(
                        "POST",
                        "/v1/sync",
                        Some(&victim.token),
                        Some(json!({"documents": []})),
                    );
                    let expected = match (cut, action) {
                        (false, _) => 200,
                        (true, "revoke") => 401,
                        (true, _) => 200,
                    };
                    assert_eq!(after.status, expected, "{path} as {role:?}, then sync");
                    assert_eq!(after.json()["wipe"] == json!(true), cut && action == "wipe");
                }
                cells += 1;
            }
        }

        // Enrolment codes: for a user of the own organisation, of the other, or nobody.
        for target in ["own", "other", "unknown"] {
            let user = match target {
                "own" => own.member(Role::OutreachWorker).user_id.clone(),
                "other" => other.member(Role::OutreachWorker).user_id.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            };
            let answer = world.send(
                "POST",
                "/v1/enrolments",
                token,
                Some(json!({ "user": user })),
            );
            match (role, target) {
                (None, _) => assert_eq!(answer.status, 401),
                (Some(r), "own") if admins.contains(&r) => {
                    assert_eq!(answer.status, 201, "{}", answer.body)
                }
                (Some(r), _) if admins.contains(&r) => {
                    let baseline = world.send(
                        "POST",
                        "/v1/enrolments",
                        token,
                        Some(json!({ "user": "nobody-at-all" })),
                    );
                    assert_eq!(answer.status, 400);
                    assert_eq!(
                        answer.json()["error"]["code"],
                        baseline.json()["error"]["code"],
                        "another organisation's user looks unknown"
                    );
                }
                (Some(_), _) => assert_eq!(answer.status, 403),
            }
            cells += 1;
        }

        // Enrolling a phone needs no token: a wrong code is refused alike for everyone.
        let answer = world.send(
            "POST",
            "/v1/enrol",
            token,
            Some(json!({"code": uuid::Uuid::new_v4().to_string(), "device_name": "x"})),
        );
        assert_eq!(answer.status, 401);
        cells += 1;
    }
    cells
}
