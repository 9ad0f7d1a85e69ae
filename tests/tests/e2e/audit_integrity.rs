//! The trail cannot be bypassed nor forged: a write whose audit entry cannot be written is
//! not stored, and a trail rewritten wholesale (every hash recomputed, head included, as
//! someone with the database but not the audit chain key would) fails `casesync audit
//! verify`.

use std::process::ExitCode;

use casesync_contract::Role;
use casesync_schema::access::audit::{page, AuditEntry};
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Every entry of the trail.
fn trail(server: &TestServer) -> Vec<AuditEntry> {
    let mut conn = server.state.pool.get().unwrap();
    page(&mut conn, 0, 1_000_000).unwrap()
}

/// `casesync audit verify` as an operator runs it, with the server's data folder.
fn cli_verify(db: &TestDb) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("casesync.toml");
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

fn raw(db: &TestDb, sql: &str) {
    let done = match db.kind() {
        Kind::Sqlite => {
            let url = db.url();
            let path = url.strip_prefix("sqlite://").unwrap();
            // The server's workers may hold the write lock a moment: wait for it.
            let mut conn = diesel::SqliteConnection::establish(path).unwrap();
            conn.batch_execute("PRAGMA busy_timeout = 10000;")
                .and_then(|()| conn.batch_execute(sql))
        }
        Kind::Postgres => diesel::PgConnection::establish(&db.url())
            .unwrap()
            .batch_execute(sql),
    };
    done.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn quoted_or_null(text: Option<&str>) -> String {
    text.map_or("NULL".into(), quoted)
}

storage_test!(a_write_whose_audit_entry_fails_is_not_stored, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = intake.open_case(&[("given_name", "Abena")], T0);
    intake.sync().unwrap();

    // The database refuses the entry of a write (and only that: reads are still recorded).
    let refuse = match db.kind() {
        Kind::Sqlite => {
            "CREATE TRIGGER refuse_written BEFORE INSERT ON audit_log \
             WHEN NEW.action = 'case.written' \
             BEGIN SELECT RAISE(ABORT, 'audit entry refused'); END;"
        }
        Kind::Postgres => {
            "CREATE FUNCTION refuse_written() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit entry refused'; END; $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_written BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = 'case.written') EXECUTE FUNCTION refuse_written();"
        }
    };
    raw(&db, refuse);
    intake.observe(&case, "obs-unaudited", "seen at the station", T0 + 1_000);
    let _ = intake.sync();
    let timeline = |server: &TestServer| -> String {
        reqwest::blocking::Client::new()
            .get(server.url(&format!("/v1/cases/{case}/timeline")))
            .bearer_auth(&coord.token)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(
        !timeline(&server).contains("obs-unaudited"),
        "a write was stored without its audit entry"
    );
    // Not in memory either: another instance, reading only the database, agrees.
    let other = TestServer::start(&db);
    assert!(!timeline(&other).contains("obs-unaudited"));
    drop(other);

    // Once the trail takes entries again, the device's next sync stores it, with its entry.
    let lift = match db.kind() {
        Kind::Sqlite => "DROP TRIGGER refuse_written;",
        Kind::Postgres => "DROP TRIGGER refuse_written ON audit_log;",
    };
    raw(&db, lift);
    intake.sync().unwrap();
    assert!(timeline(&server).contains("obs-unaudited"));
    // The server's own writes (the intake checklist) have entries of their own.
    let written = trail(&server)
        .into_iter()
        .filter(|e| {
            e.action == "case.written"
                && e.case_id.as_deref() == Some(&case.to_string())
                && e.actor_device.as_deref() == Some(intake.device_id.as_str())
        })
        .count();
    assert_eq!(
        written, 2,
        "one entry per stored write: the creation and the observation"
    );
});

storage_test!(a_trail_rewritten_wholesale_is_detected, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = intake.open_case(&[("given_name", "Abena")], T0);
    intake.sync().unwrap();
    let read = reqwest::blocking::Client::new()
        .get(server.url(&format!("/v1/cases/{case}")))
        .bearer_auth(&coord.token)
        .send()
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    drop(server);
    assert_eq!(cli_verify(&db), ExitCode::SUCCESS);

    // Someone with the database hides the coordinator's read: every entry from it on is
    // renumbered and every hash recomputed with the chain's published formula (SHA-256 of
    // the canonical entry), the head too, so that every link holds.
    let unlock = match db.kind() {
        Kind::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Kind::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;",
    };
    raw(&db, unlock);
    let entries = {
        let (pool, _) = casesync_schema::open_pool(&db.url(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        page(&mut conn, 0, 1_000_000).unwrap()
    };
    let hidden = entries
        .iter()
        .position(|e| e.action == "case.read" && e.case_id.as_deref() == Some(&case.to_string()))
        .expect("the read was recorded");
    let mut sql = String::from("DELETE FROM audit_log;");
    let mut prev = "0".repeat(64);
    let mut seq = 0i64;
    for e in entries
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != hidden)
        .map(|(_, e)| e)
    {
        seq += 1;
        let canonical = serde_json::json!([
            seq,
            e.at,
            e.actor_kind,
            e.actor_user,
            e.actor_device,
            e.organisation_id,
            e.action,
            e.case_id,
            e.detail,
            prev
        ]);
        let hash = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
        sql.push_str(&format!(
            "INSERT INTO audit_log (seq, at, actor_kind, actor_user, actor_device, \
             organisation_id, action, case_id, detail, prev_hash, hash) \
             VALUES ({seq}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
            e.at,
            quoted(&e.actor_kind),
            quoted_or_null(e.actor_user.as_deref()),
            quoted_or_null(e.actor_device.as_deref()),
            quoted_or_null(e.organisation_id.as_deref()),
            quoted(&e.action),
            quoted_or_null(e.case_id.as_deref()),
            quoted(&e.detail),
            quoted(&prev),
            quoted(&hash),
        ));
        prev = hash;
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET seq = {seq}, hash = {} WHERE id = 1;",
        quoted(&prev)
    ));
    raw(&db, &sql);

    // The rewritten trail is consistent on its own terms, and still found out.
    let reads = |entries: &[AuditEntry]| entries.iter().filter(|e| e.action == "case.read").count();
    let rewritten = {
        let (pool, _) = casesync_schema::open_pool(&db.url(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        page(&mut conn, 0, 1_000_000).unwrap()
    };
    assert_eq!(reads(&rewritten), reads(&entries) - 1);
    let _: Value = serde_json::from_str(&rewritten[0].detail).unwrap();
    assert_eq!(cli_verify(&db), ExitCode::FAILURE);
});

storage_test!(
    newest_entries_removed_with_the_head_are_found_by_the_checkpoint,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Org", "Centro");
        let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
        intake.open_case(&[("given_name", "Abena")], T0);
        intake.sync().unwrap();
        let entries = trail(&server);
        // A graceful stop checkpoints the head to the blob store.
        drop(server);
        assert_eq!(cli_verify(&db), ExitCode::SUCCESS);

        // Someone with the database removes the two newest entries and moves the head back to the last entry kept: every remaining link and hash holds.
        assert!(entries.len() >= 3, "{entries:?}");
        let kept = &entries[entries.len() - 3];
        let unlock = match db.kind() {
            Kind::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
            Kind::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;",
        };
        raw(&db, unlock);
        raw(
            &db,
            &format!(
                "DELETE FROM audit_log WHERE seq > {seq}; \
             UPDATE audit_head SET seq = {seq}, hash = {} WHERE id = 1;",
                quoted(&kept.hash),
                seq = kept.seq
            ),
        );
        {
            let (pool, _) = casesync_schema::open_pool(&db.url(), 1).unwrap();
            let mut conn = pool.get().unwrap();
            assert_eq!(
                page(&mut conn, 0, 1_000_000).unwrap().len() as i64,
                kept.seq
            );
        }
        assert_eq!(cli_verify(&db), ExitCode::FAILURE);

        // A server started on the truncated trail does not checkpoint it over the old one.
        drop(TestServer::start(&db));
        assert_eq!(cli_verify(&db), ExitCode::FAILURE);
    }
);

// A conflict resolved on the pages is recorded as an override in the write's own
// transaction: while the trail refuses `case.override` entries, the resolution is not
// stored either; once it takes them, the entry names the field beside the write's entry.
storage_test!(an_override_is_stored_only_with_its_audit_entry, |db| {
    use crate::pages::support::{world, PASSWORD};
    use crate::security::support::{client, csrf_in, session};

    let w = world(&db);
    let http = client();
    let cookie = session(&w.server, &http, "maria", PASSWORD);
    let conflicts = format!("/web/cases/{}/conflicts", w.case);
    let resolve = |value: &str| {
        let page = http
            .get(w.server.url(&conflicts))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        http.post(w.server.url(&conflicts))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf_in(&page).as_str()),
                ("field", "nationality"),
                ("value", value),
            ])
            .send()
            .unwrap()
    };
    let nationality = |server: &TestServer| {
        server
            .state
            .engine
            .read(&w.case, |d| {
                casesync_contract::case::read_case(d).unwrap().profile["nationality"]
                    .0
                    .clone()
            })
            .unwrap()
            .unwrap()
    };
    let refuse = match db.kind() {
        Kind::Sqlite => {
            "CREATE TRIGGER refuse_override BEFORE INSERT ON audit_log \
             WHEN NEW.action = 'case.override' \
             BEGIN SELECT RAISE(ABORT, 'audit entry refused'); END;"
        }
        Kind::Postgres => {
            "CREATE FUNCTION refuse_override() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit entry refused'; END; $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_override BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = 'case.override') EXECUTE FUNCTION refuse_override();"
        }
    };
    raw(&db, refuse);
    let _ = resolve("Eritrean, confirmed");
    let other = TestServer::start(&db);
    assert_ne!(
        nationality(&other),
        "Eritrean, confirmed",
        "an override was stored without its audit entry"
    );
    drop(other);
    let lift = match db.kind() {
        Kind::Sqlite => "DROP TRIGGER refuse_override;",
        Kind::Postgres => "DROP TRIGGER refuse_override ON audit_log;",
    };
    raw(&db, lift);
    let done = resolve("Eritrean, confirmed");
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(nationality(&w.server), "Eritrean, confirmed");
    let overrides: Vec<AuditEntry> = trail(&w.server)
        .into_iter()
        .filter(|e| e.action == "case.override")
        .collect();
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    let detail: Value = serde_json::from_str(&overrides[0].detail).unwrap();
    assert_eq!(detail["conflict"], "profile.nationality");
});
