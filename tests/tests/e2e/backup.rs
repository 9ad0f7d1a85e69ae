//! Backup and restore (issue 17): `casesync backup` while the server serves and a phone
//! keeps writing, `casesync restore` into a fresh database and blob store, and everything
//! back: every case with the heads it had, the photo, the devices' tokens, the audit chain.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use casesync_contract::case::read_case_causal;
use casesync_contract::Role;
use casesync_tests::db::TestDb;
use casesync_tests::process::{casesync_binary, Casesync};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

use crate::pages::support::world;

fn cli(db: &TestDb) -> Casesync {
    Casesync {
        binary: casesync_binary().expect("casesync binary"),
        database_url: db.url(),
        data_dir: db.data_dir(),
        settings: vec![],
    }
}

storage_test!(a_backup_under_load_restores_whole, |db| {
    let w = world(&db);
    // A phone keeps writing while the backup runs.
    let mut loader = fixtures::device(&w.server, &w.org, Role::ReceptionStaff, "loader");
    loader.sync().unwrap();
    assert!(loader.docs.contains_key(&w.case));
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let mut ben = loader;
        let case = w.case;
        std::thread::spawn(move || {
            let mut n = 0;
            while writing.load(Ordering::Relaxed) {
                n += 1;
                ben.observe(&case, &format!("load-{n}"), "still at the station", T0 + n);
                ben.sync().unwrap();
            }
            n
        })
    };
    let backup = tempfile::tempdir().unwrap();
    let folder = backup.path().join("backup-1");
    let started = Instant::now();
    let (ok, out) = cli(&db).run(&["backup", folder.to_str().unwrap()]).unwrap();
    let took = started.elapsed();
    writing.store(false, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(ok, "backup failed: {out}");
    eprintln!("backup under load ({written} observations written meanwhile): {took:?}\n{out}");
    assert!(
        out.contains("not in the backup, keep apart: blob master key"),
        "{out}"
    );

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("MANIFEST.json")).unwrap()).unwrap();
    assert!(manifest["documents"].as_i64().unwrap() >= 1, "{manifest}");
    assert!(manifest["blobs"].as_u64().unwrap() >= 1, "{manifest}");

    // Restore into a fresh database and data folder; the operator brings the key back.
    let target = TestDb::new(db.kind()).expect("a second database");
    std::fs::create_dir_all(target.data_dir()).unwrap();
    // The keys the manifest names, kept apart from the backup, brought back.
    for key in ["blob-master.key", "audit-chain.key"] {
        assert!(out.contains(key), "the backup names {key}: {out}");
        std::fs::copy(db.data_dir().join(key), target.data_dir().join(key))
            .unwrap_or_else(|e| panic!("{key}, kept apart: {e}"));
    }
    let started = Instant::now();
    let (ok, out) = cli(&target)
        .run(&["restore", folder.to_str().unwrap()])
        .unwrap();
    assert!(ok, "restore failed: {out}");
    eprintln!("restore: {:?}\n{out}", started.elapsed());
    // Restoring twice into the same place is refused, nothing overwritten.
    let (again, out) = cli(&target)
        .run(&["restore", folder.to_str().unwrap()])
        .unwrap();
    assert!(!again, "{out}");

    // The restored server serves the case to the same phone, photo included.
    let restored = TestServer::start(&target);
    let old = w
        .server
        .state
        .engine
        .read(&w.case, |d| read_case_causal(d).unwrap())
        .unwrap()
        .unwrap();
    let back = restored
        .state
        .engine
        .read(&w.case, |d| read_case_causal(d).unwrap())
        .unwrap()
        .expect("the case is back");
    assert_eq!(back.profile, old.profile);
    assert!(back.observations.len() >= 2 && back.observations.len() <= old.observations.len());
    let photo = back.profile.get("photo").expect("a photo").0.clone();
    let resp = reqwest::blocking::Client::new()
        .get(restored.url(&format!("/v1/blobs/{photo}")))
        .bearer_auth(&w.ana.token)
        .send()
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        200,
        "the photo reads with the restored key"
    );
    let (ok, out) = cli(&target).run(&["audit", "verify"]).unwrap();
    assert!(ok, "{out}");
});
