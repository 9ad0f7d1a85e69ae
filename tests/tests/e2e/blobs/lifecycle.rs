//! Blobs no case references go after the grace period; erasing a case removes its blobs at
//! once; abandoned uploads are dropped.

use casesync_contract::Role;
use casesync_schema::blobs::stored;
use casesync_server::blobs::erase_case_blobs;
use casesync_server::blobs::lifecycle::{sweep, SweepReport};
use casesync_tests::fixtures;
use casesync_tests::server::T0;

use super::support::{attach, blob_test, get, jpeg, put, sha256_hex, BlobServer};

const GRACE_SECS: u64 = 3600;

blob_test!(
    unreferenced_blobs_are_removed_after_the_grace_period,
    |db, store| {
        let bs = BlobServer::start_with(&db, store, |c| {
            c.unreferenced_grace_secs = GRACE_SECS;
            c.upload_expiry_secs = 2 * GRACE_SECS;
        });
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let coord = fixtures::device(&bs.server, &org, Role::Coordinator, "chiara");
        let mut outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let [stray, kept, old_face, new_face] = [1, 2, 3, 4].map(|seed| jpeg(160, 120, seed));
        for bytes in [&stray, &kept, &old_face, &new_face] {
            let sha = sha256_hex(bytes);
            assert_eq!(
                put(&bs.server, &outreach.token, &sha, bytes, None)
                    .status()
                    .as_u16(),
                201
            );
        }
        // An upload started and never finished.
        let abandoned = reqwest::blocking::Client::new()
            .post(bs.url(&format!("/v1/blobs/{}/uploads", sha256_hex(b"x"))))
            .bearer_auth(&outreach.token)
            .json(&serde_json::json!({"size": 1000}))
            .send()
            .unwrap();
        assert_eq!(abandoned.status().as_u16(), 201);

        let case = outreach.open_case(&[("given_name", "Qiro")], T0);
        outreach.sync().unwrap();
        attach(
            &mut outreach,
            &case,
            &sha256_hex(&kept),
            kept.len(),
            "image/jpeg",
        );
        outreach.set_profile(&case, "photo", &sha256_hex(&old_face));
        outreach.sync().unwrap();

        // Within the grace period nothing goes, referenced or not.
        assert_eq!(sweep(&bs.server.state).unwrap(), SweepReport::default());
        bs.server.clock.advance(GRACE_SECS as i64 * 1000 - 1);
        assert_eq!(sweep(&bs.server.state).unwrap().blobs_removed, 0);

        // The photo is replaced: the old one loses its reference now, and gets a grace period
        // of its own from this moment.
        outreach.set_profile(&case, "photo", &sha256_hex(&new_face));
        outreach.sync().unwrap();
        bs.server.clock.advance(2);
        let report = sweep(&bs.server.state).unwrap();
        assert_eq!(report.blobs_removed, 1, "only the stray blob");
        let mut conn = bs.server.state.pool.get().unwrap();
        assert!(stored::find(&mut conn, &org.id, &sha256_hex(&stray))
            .unwrap()
            .is_none());
        assert!(stored::find(&mut conn, &org.id, &sha256_hex(&old_face))
            .unwrap()
            .is_some());
        assert_eq!(bs.files_under(&format!("blobs/{}", org.id)).len(), 3);

        bs.server.clock.advance(GRACE_SECS as i64 * 1000);
        let report = sweep(&bs.server.state).unwrap();
        assert_eq!(
            report,
            SweepReport {
                blobs_removed: 1,
                uploads_dropped: 1
            }
        );
        assert!(stored::find(&mut conn, &org.id, &sha256_hex(&old_face))
            .unwrap()
            .is_none());
        assert_eq!(bs.files_under(&format!("blobs/{}", org.id)).len(), 2);
        for live in [&kept, &new_face] {
            let path = format!("/v1/blobs/{}", sha256_hex(live));
            let got = get(&bs.server, &coord.token, &path, None);
            assert_eq!(got.bytes().unwrap().as_ref(), &live[..]);
        }

        // A removed blob can be uploaded again.
        let sha = sha256_hex(&stray);
        assert_eq!(
            put(&bs.server, &outreach.token, &sha, &stray, None)
                .status()
                .as_u16(),
            201
        );

        // Erasure of the case takes its blobs at once, whatever the grace period.
        assert_eq!(erase_case_blobs(&bs.server.state, &case).unwrap(), 2);
        assert_eq!(bs.files_under(&format!("blobs/{}", org.id)).len(), 1);
        let path = format!("/v1/blobs/{}", sha256_hex(&kept));
        assert_eq!(
            get(&bs.server, &coord.token, &path, None).status().as_u16(),
            404
        );
    }
);

blob_test!(
    erasure_keeps_blobs_other_cases_still_reference,
    |db, store| {
        let bs = BlobServer::start(&db, store);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let coord = fixtures::device(&bs.server, &org, Role::Coordinator, "chiara");
        let mut outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let shared = jpeg(200, 150, 21);
        let sha = sha256_hex(&shared);
        assert_eq!(
            put(&bs.server, &outreach.token, &sha, &shared, None)
                .status()
                .as_u16(),
            201
        );
        let first = outreach.open_case(&[("given_name", "Abena")], T0);
        let second = outreach.open_case(&[("given_name", "Qiro")], T0);
        outreach.sync().unwrap();
        attach(&mut outreach, &first, &sha, shared.len(), "image/jpeg");
        attach(&mut outreach, &second, &sha, shared.len(), "image/jpeg");

        assert_eq!(erase_case_blobs(&bs.server.state, &first).unwrap(), 0);
        let path = format!("/v1/blobs/{sha}");
        assert_eq!(
            get(&bs.server, &coord.token, &path, None).status().as_u16(),
            200
        );
        assert_eq!(erase_case_blobs(&bs.server.state, &second).unwrap(), 1);
        assert!(bs.files_at_rest().is_empty());
    }
);

blob_test!(
    blobs_of_a_case_erased_elsewhere_go_with_the_next_sweep,
    |db, store| {
        use casesync_schema::tables::documents;
        use diesel::prelude::*;

        let bs = BlobServer::start(&db, store);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let mut outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let photo = jpeg(200, 150, 41);
        let sha = sha256_hex(&photo);
        assert_eq!(
            put(&bs.server, &outreach.token, &sha, &photo, None)
                .status()
                .as_u16(),
            201
        );
        let case = outreach.open_case(&[("given_name", "Abena")], T0);
        outreach.sync().unwrap();
        attach(&mut outreach, &case, &sha, photo.len(), "image/jpeg");

        // The case is erased while its blobs could not be removed (the store was down, say).
        let mut conn = bs.server.state.pool.get().unwrap();
        diesel::update(documents::table.filter(documents::id.eq(case.to_string())))
            .set(documents::deleted_at.eq(Some(T0)))
            .execute(&mut *conn)
            .unwrap();
        assert_eq!(sweep(&bs.server.state).unwrap().blobs_removed, 1);
        assert!(stored::find(&mut conn, &org.id, &sha).unwrap().is_none());
        assert!(bs.files_at_rest().is_empty());
    }
);
