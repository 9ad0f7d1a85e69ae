//! The audit trail: reads, writes and syncs of a case are recorded; auditors list who saw a
//! case and when; an altered or removed entry is found by `casesync audit verify`.

use std::process::ExitCode;

use casesync_contract::Role;
use casesync_schema::access::audit_verify::{verify, ChainProblem};
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::json;

use super::authz_world::{Relation, World};

storage_test!(auditors_see_who_read_synced_and_wrote_a_case, |db| {
    let world = World::build(TestServer::start(&db));
    let id = world.cases[&Relation::SameSite];
    let coord = world.a.member(Role::Coordinator).clone();
    let reception = world.a.member(Role::ReceptionStaff).clone();
    world.expect(
        200,
        "GET",
        &format!("/v1/cases/{id}/timeline"),
        &coord.token,
        None,
    );
    world.expect(200, "GET", "/v1/cases", &coord.token, None);
    world.expect(
        200,
        "POST",
        "/v1/sync",
        &reception.token,
        Some(json!({"documents": [{"id": id.to_string(), "heads": [], "changes": []}]})),
    );
    let auditor = world.a.member(Role::Auditor).token.clone();
    let list = world.expect(200, "GET", &format!("/v1/audit?case={id}"), &auditor, None);
    let entries = list["entries"].as_array().unwrap();
    let who_did = |action: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|e| e["action"] == action)
            .map(|e| e["actor_user"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(who_did("case.created").contains(&coord.user_id));
    assert!(!who_did("case.written").is_empty());
    assert!(who_did("case.read").contains(&coord.user_id));
    assert!(who_did("case.listed").contains(&coord.user_id));
    assert!(who_did("case.synced").contains(&reception.user_id));
    assert!(entries
        .iter()
        .all(|e| e["case_id"] == id.to_string() || e["action"] == "case.listed"));
    // Other organisations' auditors see nothing of it; other roles may not ask.
    let other = world.b.member(Role::Auditor).token.clone();
    let theirs = world.expect(200, "GET", &format!("/v1/audit?case={id}"), &other, None);
    assert_eq!(theirs["entries"], json!([]));
    assert_eq!(
        world
            .send("GET", "/v1/audit", Some(&coord.token), None)
            .status,
        403
    );
    // Asking is itself recorded.
    let mine = world.expect(200, "GET", "/v1/audit?limit=1000", &auditor, None);
    assert!(mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "audit.queried"));
});

/// `casesync audit verify` against the test database, as an operator runs it.
fn cli_verify(db: &TestDb) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("casesync.toml");
    // The server's data folder: where its audit chain key is.
    std::fs::write(
        &config,
        format!(
            "database_url = \"{}\"\ndata_dir = \"{}\"\n",
            db.url(),
            db.data_dir().display()
        ),
    )
    .unwrap();
    casesync_server::cli::run([
        "casesync",
        "--config",
        config.to_str().unwrap(),
        "audit",
        "verify",
    ])
}

fn raw(db: &TestDb, sql: &str) -> Result<(), diesel::result::Error> {
    match db.kind() {
        Kind::Sqlite => {
            let url = db.url();
            let path = url.strip_prefix("sqlite://").unwrap();
            diesel::SqliteConnection::establish(path)
                .unwrap()
                .batch_execute(sql)
        }
        Kind::Postgres => diesel::PgConnection::establish(&db.url())
            .unwrap()
            .batch_execute(sql),
    }
}

storage_test!(an_altered_or_removed_entry_is_detected, |db| {
    let world = World::build(TestServer::start(&db));
    let check = || {
        let mut conn = world.server.state.pool.get().unwrap();
        verify(&mut conn, &world.server.state.audit_key).unwrap()
    };
    let report = check();
    assert!(report.intact(), "{:?}", report.problems);
    assert!(
        report.entries > 20,
        "the setup left a trail: {}",
        report.entries
    );
    assert_eq!(cli_verify(&db), ExitCode::SUCCESS);

    // The database itself refuses edits of the trail.
    assert!(raw(&db, "UPDATE audit_log SET action = 'x' WHERE seq = 3").is_err());
    assert!(raw(&db, "DELETE FROM audit_log WHERE seq = 3").is_err());

    // Someone with full access to the database disables that and edits an entry...
    let unlock = match db.kind() {
        Kind::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Kind::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;",
    };
    raw(&db, unlock).unwrap();
    raw(
        &db,
        "UPDATE audit_log SET detail = '{\"view\":\"nothing to see\"}' WHERE seq = 3",
    )
    .unwrap();
    let report = check();
    assert_eq!(report.problems, vec![ChainProblem::Altered { seq: 3 }]);
    assert_eq!(cli_verify(&db), ExitCode::FAILURE);

    // ... and removes another, and the newest.
    raw(&db, "DELETE FROM audit_log WHERE seq = 7").unwrap();
    let last = report.head_seq;
    raw(&db, &format!("DELETE FROM audit_log WHERE seq = {last}")).unwrap();
    let problems = check().problems;
    assert!(problems.contains(&ChainProblem::Altered { seq: 3 }));
    assert!(problems.contains(&ChainProblem::Missing { from: 7, to: 7 }));
    assert!(problems.contains(&ChainProblem::BrokenLink { seq: 8 }));
    assert!(problems.contains(&ChainProblem::HeadMismatch {
        head_seq: last,
        last_seq: last - 1
    }));
    assert_eq!(cli_verify(&db), ExitCode::FAILURE);
});
