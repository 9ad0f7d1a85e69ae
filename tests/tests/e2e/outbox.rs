//! The derive outbox under the interleavings two instances produce: work recorded after a
//! run finished is never removed by a run that finishes late.

use std::collections::BTreeSet;

use automerge::{transaction::Transactable, AutoCommit, ROOT};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::connection::open_pool;
use casesync_schema::outbox::{self, Claim};
use casesync_schema::store::SqlStore;
use casesync_sync::store::{DeriveWork, DocumentMeta, DocumentStore};
use casesync_tests::storage_test;

fn work(key: &str) -> DeriveWork {
    DeriveWork {
        touched: BTreeSet::from([key.to_string()]),
        created: false,
    }
}

fn chunk(text: &str) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "note", text).unwrap();
    doc.save()
}

storage_test!(a_late_run_never_removes_newer_work, |db| {
    let (pool, _) = open_pool(&db.url(), 4).unwrap();
    let mut conn = pool.get().unwrap();
    let org = casesync_schema::directory::organisations::create(&mut conn, "Outbox").unwrap();
    let store = SqlStore::new(
        pool.clone(),
        casesync_schema::access::audit_key::ChainKey::new(&[1; 32], 0),
    );
    let id = DocumentId::random();
    let meta = DocumentMeta {
        kind: DocumentKind::Case,
        organisation: org.id.clone(),
        site: None,
    };

    // Instance A derives the first append and finishes: the row goes.
    store
        .append(
            &id,
            &chunk("first"),
            &[],
            Some(&meta),
            Some(&work("episodes")),
            None,
        )
        .unwrap();
    let Claim::Mine(first) = outbox::claim(&mut conn, &id, "instance-a", 10_000).unwrap() else {
        panic!("instance A should hold the work");
    };
    outbox::complete(&mut conn, &id, "instance-a", &first).unwrap();

    // A missing report arrives: new work. Then a second run of A over the first work (its
    // lease ran out, or it retried) finishes late and completes what it read back then.
    store
        .append(
            &id,
            &chunk("missing"),
            &[],
            None,
            Some(&work("episodes.events")),
            None,
        )
        .unwrap();
    outbox::complete(&mut conn, &id, "instance-a", &first).unwrap();

    match outbox::claim(&mut conn, &id, "instance-b", 10_000).unwrap() {
        Claim::Mine(pending) => {
            assert!(pending.generation > first.generation);
            assert!(pending.work.touched.contains("episodes.events"));
        }
        other => panic!("the missing report's work was lost: {other:?}"),
    }
});
