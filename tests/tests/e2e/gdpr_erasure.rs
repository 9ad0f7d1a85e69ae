//! Subject access export, legal holds, erasure (nothing of the case left in any table, the
//! devices told to purge, a pseudonymous tombstone in the audit trail) and retention expiry.

use casesync_contract::Role;
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::device::Device;
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::json;

use super::authz_world::World;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every (table, column) of the database whose value contains `needle`, text or bytes.
fn find_everywhere(db: &TestDb, needle: &str) -> Vec<(String, String)> {
    assert!(needle.chars().all(|c| c.is_ascii_alphanumeric()));
    let mut hits = vec![];
    match db.kind() {
        Kind::Sqlite => {
            let url = db.url();
            let mut conn =
                diesel::SqliteConnection::establish(url.strip_prefix("sqlite://").unwrap())
                    .unwrap();
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .load(&mut conn)
            .unwrap();
            for t in tables {
                let cols: Vec<Name> =
                    diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                        .load(&mut conn)
                        .unwrap();
                for c in cols {
                    let sql = format!(
                        "SELECT COUNT(*) AS n FROM \"{}\" WHERE instr(CAST(\"{}\" AS BLOB), CAST('{needle}' AS BLOB)) > 0",
                        t.name, c.name
                    );
                    let n: Vec<Count> = diesel::sql_query(sql).load(&mut conn).unwrap();
                    if n[0].n > 0 {
                        hits.push((t.name.clone(), c.name));
                    }
                }
            }
        }
        Kind::Postgres => {
            let mut conn = diesel::PgConnection::establish(&db.url()).unwrap();
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .load(&mut conn)
            .unwrap();
            for t in tables {
                let cols: Vec<Column> = diesel::sql_query(format!(
                    "SELECT column_name::text AS name, data_type::text AS data_type \
                     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{}'",
                    t.name
                ))
                .load(&mut conn)
                .unwrap();
                for c in cols {
                    let test = if c.data_type == "bytea" {
                        format!(
                            "position(convert_to('{needle}', 'UTF8') in \"{}\") > 0",
                            c.name
                        )
                    } else {
                        format!("strpos(\"{}\"::text, '{needle}') > 0", c.name)
                    };
                    let sql = format!(
                        "SELECT COUNT(*)::bigint AS n FROM \"{}\" WHERE {test}",
                        t.name
                    );
                    let n: Vec<Count> = diesel::sql_query(sql).load(&mut conn).unwrap();
                    if n[0].n > 0 {
                        hits.push((t.name.clone(), c.name));
                    }
                }
            }
        }
    }
    hits
}

storage_test!(export_then_erasure_leaves_nothing_of_the_case, |db| {
    let world = World::build(TestServer::start(&db));
    let coord = world.coordinator_a().to_string();
    let name = format!("Zerihun{}", uuid::Uuid::new_v4().simple());
    let created = world.expect(
        201,
        "POST",
        "/v1/cases",
        &coord,
        Some(json!({"site": "A1", "profile": {"given_name": name, "nationality": "Eritrean"}})),
    );
    let id: casesync_contract::DocumentId = created["id"].as_str().unwrap().parse().unwrap();
    let (share, _) = world.share_with_b(&id);
    let reception = world.a.member(Role::ReceptionStaff).clone();
    let mut phone = Device::new(
        "r",
        &reception.device_id,
        &reception.user_id,
        &reception.organisation_id,
        None,
        &reception.token,
        &world.server.base_url,
    );
    phone.sync().unwrap();
    assert!(phone.docs.contains_key(&id));

    // Subject access: the case, its shares with their legal basis, who accessed it.
    let export = world.expect(200, "GET", &format!("/v1/cases/{id}/export"), &coord, None);
    assert_eq!(export["case"]["profile"]["given_name"], name.as_str());
    assert_eq!(export["shares"][0]["id"], share.as_str());
    assert_eq!(export["shares"][0]["legal_basis"], "vital_interests");
    assert!(export["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "case.synced"));
    let page = world.send(
        "GET",
        &format!("/v1/cases/{id}/export?format=html"),
        Some(&coord),
        None,
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&name) && page.body.contains("Who accessed the case"));
    // Read by a person: actions and the retention class by their names, not their ids.
    assert!(
        page.body.contains("Case synced to a phone"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Retention class: standard."));

    // A legal hold blocks erasure until released.
    world.expect(
        200,
        "POST",
        &format!("/v1/cases/{id}/legal-hold"),
        &coord,
        Some(json!({"reason": "police investigation"})),
    );
    let refused = world.send("DELETE", &format!("/v1/cases/{id}"), Some(&coord), None);
    assert_eq!(
        (refused.status, refused.json()["error"]["code"].clone()),
        (409, json!("legal_hold"))
    );
    world.expect(200, "GET", &format!("/v1/cases/{id}"), &coord, None);
    world.expect(
        200,
        "DELETE",
        &format!("/v1/cases/{id}/legal-hold"),
        &coord,
        None,
    );

    assert!(
        !find_everywhere(&db, &name).is_empty(),
        "the name is stored before erasure"
    );
    let erased = world.expect(200, "DELETE", &format!("/v1/cases/{id}"), &coord, None);
    assert!(erased["chunks"].as_u64().unwrap() > 0);

    // Nothing of the case anywhere: not its content, and its id only as a tombstone.
    assert_eq!(
        find_everywhere(&db, &name),
        vec![],
        "the child's name survives"
    );
    assert_eq!(find_everywhere(&db, "Eritrean"), vec![]);
    let left = find_everywhere(&db, &id.to_string());
    assert!(
        left.contains(&("documents".to_string(), "id".to_string())),
        "tombstone kept"
    );
    assert!(
        left.iter()
            .all(|(table, column)| table == "audit_log" || (table == "documents" && column == "id")),
        "only the tombstone row and the pseudonymous audit trail name the id: {left:?}"
    );
    let auditor = world.a.member(Role::Auditor).token.clone();
    let trail = world.expect(200, "GET", &format!("/v1/audit?case={id}"), &auditor, None);
    assert!(trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "case.erased"));

    // Every path answers as for a case that never existed; the phone is told to purge.
    let unknown = casesync_contract::DocumentId::random();
    for suffix in ["", "/timeline", "/export"] {
        let gone = world.send(
            "GET",
            &format!("/v1/cases/{id}{suffix}"),
            Some(&coord),
            None,
        );
        let never = world.send(
            "GET",
            &format!("/v1/cases/{unknown}{suffix}"),
            Some(&coord),
            None,
        );
        assert_eq!(gone, never);
    }
    let request = phone.sync_request();
    let reply = phone.post_sync(&request).unwrap();
    assert!(reply.removed_documents.contains(&id));
    phone.apply_response(reply);
    assert!(!phone.docs.contains_key(&id));
});

storage_test!(retention_expires_quiet_cases_unless_held, |db| {
    let world = World::build(TestServer::start(&db));
    let coord = world.coordinator_a().to_string();
    let open = |profile: serde_json::Value| -> String {
        world.expect(
            201,
            "POST",
            "/v1/cases",
            &coord,
            Some(json!({"site": "A1", "profile": profile})),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let short = open(json!({"given_name": "Short"}));
    let held = open(json!({"given_name": "Held"}));
    let standard = open(json!({"given_name": "Standard"}));
    for id in [&short, &held] {
        world.expect(
            200,
            "POST",
            &format!("/v1/cases/{id}/retention"),
            &coord,
            Some(json!({"class": "short"})),
        );
    }
    world.expect(
        200,
        "POST",
        &format!("/v1/cases/{held}/legal-hold"),
        &coord,
        Some(json!({"reason": "court order"})),
    );
    let bad = world.send(
        "POST",
        &format!("/v1/cases/{short}/retention"),
        Some(&coord),
        Some(json!({"class": "forever"})),
    );
    assert_eq!(bad.status, 400);

    // Last activity is stamped by the database's clock; move the server's past it.
    let day = 24 * 3600 * 1000;
    let now = casesync_schema::now_millis();
    let exists = |id: &str| {
        world
            .send("GET", &format!("/v1/cases/{id}"), Some(&coord), None)
            .status
            == 200
    };
    world.server.clock.set(now + 300 * day);
    assert_eq!(
        casesync_server::domain::gdpr::retention::expire_due(&world.server.state).unwrap(),
        0
    );
    world.server.clock.set(now + 366 * day);
    let erased = casesync_server::domain::gdpr::retention::expire_due(&world.server.state).unwrap();
    assert!(
        !exists(&short) && exists(&held) && exists(&standard),
        "{erased} erased"
    );
    world.server.clock.set(now + 3 * 366 * day);
    casesync_server::domain::gdpr::retention::expire_due(&world.server.state).unwrap();
    assert!(exists(&held) && !exists(&standard));
});
