//! PostgreSQL over TLS, on a cluster that refuses plaintext (`ops/services/postgres_tls.sh`):
//! the `sslmode` of the database URL governs both the connection pool (libpq) and the bridge
//! that carries changes between instances (tokio-postgres over rustls), and a URL that asks
//! for TLS never ends up on a plaintext connection nor on an unverified one it asked to verify.

use std::path::PathBuf;
use std::time::Duration;

use casesync_contract::wire::Timeline;
use casesync_contract::Role;
use casesync_tests::db::TestDb;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, live, logs};

use crate::live::assert_change_crosses;

const WAIT: Duration = Duration::from_secs(5);

/// The CA that signed the TLS cluster's certificate.
fn root_cert() -> PathBuf {
    std::env::var_os("TEST_DATABASE_TLS_ROOT_CERT")
        .map(PathBuf::from)
        .expect("TEST_DATABASE_TLS_ROOT_CERT is set with TEST_DATABASE_TLS_URL")
}

/// `db`'s URL with `query` (what the test asks of TLS) appended.
fn url_asking(db: &TestDb, query: &str) -> String {
    format!("{}?{query}", db.url())
}

fn start_on(url: &str, db: &TestDb) -> TestServer {
    let url = url.to_string();
    TestServer::start_with(db, move |c| c.database_url = url)
}

/// The case: two instances on a database that requires TLS, `sslmode=require`. The
/// pool always managed (libpq); the bridge connected in plaintext, was refused, and pushes
/// across instances silently stopped.
#[test]
fn sslmode_require_carries_changes_across_instances() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    let url = url_asking(&db, "sslmode=require");
    let one = start_on(&url, &db);
    let two = start_on(&url, &db);
    assert_change_crosses(&one, &two);
}

/// `verify-full` with the CA that signed the server: the chain and the host name (an IP
/// address here, as in the certificate's subjectAltName) are verified, and everything works.
#[test]
fn sslmode_verify_full_with_the_right_root_certificate_carries_changes() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    let url = url_asking(
        &db,
        &format!("sslmode=verify-full&sslrootcert={}", root_cert().display()),
    );
    let one = start_on(&url, &db);
    let two = start_on(&url, &db);
    assert_change_crosses(&one, &two);
}

/// Both halves under TLS: a batch sync through one instance is stored (pool) and read back
/// through the other, whose live device is told of it at once (bridge).
#[test]
fn batch_sync_is_stored_read_back_and_pushed_under_tls() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    let url = url_asking(
        &db,
        &format!("sslmode=verify-ca&sslrootcert={}", root_cert().display()),
    );
    let one = start_on(&url, &db);
    let two = start_on(&url, &db);
    let org = fixtures::org(&one, "Reception Italy", "Centro Lampedusa");
    let mut writer = fixtures::device(&one, &org, Role::ReceptionStaff, "amara");
    let mut reader = fixtures::device(&one, &org, Role::ReceptionStaff, "bruno");
    let watcher = fixtures::device(&one, &org, Role::ReceptionStaff, "carla");
    let case = writer.open_case(&[("given_name", "Abena")], T0);
    writer.sync().unwrap();

    let mut on_two = live::connect(&two.base_url, &watcher.token, false).unwrap();
    on_two.join();
    on_two.open(case);
    assert!(on_two.pump_until(WAIT, |p| p.has_content(&case)));

    writer.observe(&case, "obs-tls", "seen at the station", T0 + 2_000);
    writer.sync().unwrap();
    assert!(
        on_two.pump_until(WAIT, |p| p
            .observation_ids(&case)
            .contains(&"obs-tls".to_string())),
        "the device live on the other instance was told of the batch sync"
    );

    reader.set_base_url(&two.base_url);
    reader.sync().unwrap();
    assert_eq!(
        reader.heads(&case),
        writer.heads(&case),
        "read back through two"
    );
    let timeline: Timeline = reqwest::blocking::Client::new()
        .get(two.url(&format!("/v1/cases/{case}/timeline")))
        .bearer_auth(&reader.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(timeline.entries.iter().any(|e| e.entry_id == "obs-tls"));
}

/// A self-signed CA that signed nothing the cluster presents.
fn wrong_root_cert(dir: &std::path::Path) -> PathBuf {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let path = dir.join("wrong-ca.pem");
    std::fs::write(&path, cert.pem()).unwrap();
    path
}

/// `url` with a password in it, to check that none of the refusals repeats it.
fn with_password(url: &str, password: &str) -> String {
    url.replacen("postgres@", &format!("postgres:{password}@"), 1)
}

/// A server whose CA does not match the database's certificate does not start, says why, and
/// neither says nor logs the password of the URL.
#[test]
fn a_wrong_root_certificate_stops_the_server_with_a_clear_reason() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    logs::capture();
    let dir = tempfile::tempdir().unwrap();
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let url = with_password(
        &url_asking(
            &db,
            &format!(
                "sslmode=verify-full&sslrootcert={}",
                wrong_root_cert(dir.path()).display()
            ),
        ),
        &password,
    );
    let reason = TestServer::try_start_with(&db, |c| c.database_url = url.clone())
        .err()
        .expect("the server refuses to start");
    eprintln!("{reason}");
    assert!(reason.contains("certificate"), "{reason}");
    assert!(!reason.contains(&password), "the password leaked: {reason}");
    assert!(
        !logs::text().contains(&password),
        "the password is in the log"
    );
}

/// The bridge's own check (the pool's libpq may accept what rustls does not): a certificate
/// from another CA is refused, with the reason and without the password.
#[test]
fn the_bridge_refuses_a_certificate_signed_by_another_ca() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    for mode in ["require", "verify-ca", "verify-full"] {
        let url = with_password(
            &url_asking(
                &db,
                &format!(
                    "sslmode={mode}&sslrootcert={}",
                    wrong_root_cert(dir.path()).display()
                ),
            ),
            &password,
        );
        let reason = casesync_server::bridge::check(&url)
            .unwrap_err()
            .to_string();
        eprintln!("{reason}");
        assert!(reason.contains("UnknownIssuer"), "{mode}: {reason}");
        assert!(!reason.contains(&password), "the password leaked: {reason}");
    }
    let right = url_asking(
        &db,
        &format!("sslmode=verify-full&sslrootcert={}", root_cert().display()),
    );
    casesync_server::bridge::check(&right).unwrap();
}

/// A URL that asks for TLS never gets a plaintext bridge: against a server without TLS (the
/// main test cluster) the bridge refuses, as libpq does, and so the server does not start.
#[test]
fn the_bridge_never_falls_back_to_plaintext() {
    let Some(plain) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    let mut asking = vec![format!("{}?sslmode=require", plain.url())];
    if let Some(root) = std::env::var_os("TEST_DATABASE_TLS_ROOT_CERT") {
        let root = PathBuf::from(root);
        asking.push(format!(
            "{}?sslmode=verify-full&sslrootcert={}",
            plain.url(),
            root.display()
        ));
    }
    for url in &asking {
        let reason = casesync_server::bridge::check(url).unwrap_err().to_string();
        eprintln!("{reason}");
        assert!(reason.contains("TLS"), "{url}: {reason}");
    }
    let reason = TestServer::try_start_with(&plain, |c| c.database_url = asking[0].clone())
        .err()
        .expect("the server refuses to start");
    eprintln!("{reason}");
    assert!(reason.contains("SSL") || reason.contains("TLS"), "{reason}");
}
