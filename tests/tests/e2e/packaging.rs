//! The binary runs on a machine without PostgreSQL's client library or OpenSSL (issue 17):
//! libpq and OpenSSL are built from source and linked in (`schema/Cargo.toml`), so the
//! dynamic loader is never asked for them.

use std::process::Command;

use casesync_tests::process::casesync_binary;

#[test]
fn the_binary_needs_no_libpq_nor_openssl_from_the_system() {
    let binary = casesync_binary().expect("the casesync binary is built");
    let out = Command::new("ldd").arg(&binary).output().expect("ldd runs");
    let linked = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && linked.contains("libc"),
        "ldd: {linked}"
    );
    for library in ["libpq", "libssl", "libcrypto"] {
        assert!(
            !linked.contains(library),
            "{library} is loaded from the system:\n{linked}"
        );
    }
}
