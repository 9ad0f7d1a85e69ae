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

/// Copies a folder's files into another (the operator keeping the erasure ledger apart).
fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

storage_test!(
    an_erasure_survives_restoring_a_backup_taken_before_it,
    |db| {
        let w = world(&db);
        let coordinator = fixtures::device(&w.server, &w.org, Role::Coordinator, "chiara");
        let http = reqwest::blocking::Client::new();
        let photo = w
            .server
            .state
            .engine
            .read(&w.case, |d| read_case_causal(d).unwrap())
            .unwrap()
            .unwrap()
            .profile["photo"]
            .0
            .clone();
        // Another child's case, which a forged ledger entry will name.
        let keep = {
            let mut other = fixtures::device(&w.server, &w.org, Role::ReceptionStaff, "other");
            let id = other.open_case(&[("given_name", "Qiro")], T0);
            other.sync().unwrap();
            id
        };
        let backup = tempfile::tempdir().unwrap();
        let folder = backup.path().join("before-the-erasure");
        let (ok, out) = cli(&db).run(&["backup", folder.to_str().unwrap()]).unwrap();
        assert!(ok, "{out}");
        assert!(
            out.contains("erasure ledger"),
            "the backup names the ledger to keep: {out}"
        );

        // The child's case is erased after the backup.
        let resp = http
            .delete(w.server.url(&format!("/v1/cases/{}", w.case)))
            .bearer_auth(&coordinator.token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{}", resp.text().unwrap());
        let ledger = db.data_dir().join("blobs").join("erasures");
        assert_eq!(
            std::fs::read_dir(&ledger).unwrap().count(),
            1,
            "one ledger entry"
        );

        // The older backup is restored into a fresh database; the keys and the ledger were kept
        // apart (in production the bucket outlives the database).
        let target = TestDb::new(db.kind()).expect("a second database");
        std::fs::create_dir_all(target.data_dir()).unwrap();
        for key in ["blob-master.key", "audit-chain.key"] {
            std::fs::copy(db.data_dir().join(key), target.data_dir().join(key)).unwrap();
        }
        copy_folder(&ledger, &target.data_dir().join("blobs").join("erasures"));
        // A forged entry (no valid seal) for a case that must stay.
        std::fs::write(
            target
                .data_dir()
                .join("blobs")
                .join("erasures")
                .join(format!("{keep}.json")),
            serde_json::json!({"case_id": keep.to_string(), "organisation_id": w.org.id,
                           "erased_at": T0, "seal": "00"})
            .to_string(),
        )
        .unwrap();
        let (ok, out) = cli(&target)
            .run(&["restore", folder.to_str().unwrap()])
            .unwrap();
        assert!(ok, "restore failed: {out}");

        // The restored server erases the case again before serving: nothing of it reads.
        let restored = TestServer::start(&target);
        assert!(restored
            .state
            .engine
            .read(&w.case, |_| ())
            .unwrap()
            .is_none());
        let resp = http
            .get(restored.url(&format!("/v1/cases/{}", w.case)))
            .bearer_auth(&coordinator.token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404);
        let resp = http
            .get(restored.url(&format!("/v1/blobs/{photo}")))
            .bearer_auth(&w.ana.token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "the photo is gone again");
        let mut conn = restored.state.pool.get().unwrap();
        let chunks =
            casesync_schema::store::count_chunks_of(&mut conn, &w.case.to_string()).unwrap();
        assert_eq!(chunks, 0, "no chunk of the case in the restored database");
        drop(conn);
        // The forged entry erased nothing.
        assert!(restored.state.engine.read(&keep, |_| ()).unwrap().is_some());
        let (ok, out) = cli(&target).run(&["audit", "verify"]).unwrap();
        assert!(ok, "{out}");
    }
);
