//! TLS through rustls when a certificate is configured.

use casesync_tests::db::{Kind, TestDb};
use casesync_tests::server::TestServer;

#[test]
fn serves_https_with_the_configured_certificate() {
    let db = TestDb::new(Kind::Sqlite).unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = TestServer::start_with(&db, |c| {
        c.tls_cert = Some(cert_path.clone());
        c.tls_key = Some(key_path.clone());
    });
    let trusted = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(trusted)
        .build()
        .unwrap();
    let resp = client
        .get(format!("https://localhost:{}/healthz", server.port))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::blocking::get(format!("http://127.0.0.1:{}/healthz", server.port));
    assert!(plain.map(|r| r.status().as_u16() != 200).unwrap_or(true));
}

#[test]
fn unreadable_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.pem");
    let err = casesync_server::tls::server_config(&missing, &missing).unwrap_err();
    assert!(err.to_string().contains("TLS certificate"), "{err}");
}
