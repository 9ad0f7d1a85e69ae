//! Uploading: stored once per organisation, retries answer the same, refusals store nothing,
//! and what is stored is ciphertext.

use casesync_contract::wire::BlobInfo;
use casesync_contract::Role;
use casesync_schema::blobs::stored;
use casesync_tests::fixtures;

use super::support::{
    assert_encrypted_at_rest, blob_test, error_code, jpeg, put, sha256_hex, BlobServer,
};

blob_test!(
    uploads_are_verified_deduplicated_and_encrypted,
    |db, store| {
        let bs = BlobServer::start_with(&db, store, |c| c.max_blob_bytes = 400_000);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let photo = jpeg(320, 240, 1);
        let sha = sha256_hex(&photo);

        let first = put(
            &bs.server,
            &outreach.token,
            &sha,
            &photo,
            Some("image/jpeg"),
        );
        assert_eq!(first.status().as_u16(), 201);
        let first: BlobInfo = first.json().unwrap();
        assert_eq!(
            first,
            BlobInfo {
                sha256: sha.clone(),
                size: photo.len() as u64,
                media_type: "image/jpeg".into()
            }
        );
        // A retry (the answer was lost) is safe and answers the same.
        let again = put(&bs.server, &outreach.token, &sha, &photo, None);
        assert_eq!(again.status().as_u16(), 200);
        assert_eq!(again.json::<BlobInfo>().unwrap(), first);

        let files = bs.files_at_rest();
        assert_eq!(files.len(), 1, "stored once: {files:?}");
        assert_encrypted_at_rest(&files, &photo);
        assert!(files[0]
            .0
            .starts_with(bs.at_rest.join("blobs").join(&org.id)));

        // Refusals, each with its code, and none of them stores anything.
        let other = jpeg(320, 240, 2);
        let wrong = put(
            &bs.server,
            &outreach.token,
            &sha256_hex(&other),
            &photo,
            None,
        );
        assert_eq!(wrong.status().as_u16(), 400);
        assert_eq!(error_code(wrong), "hash_mismatch");

        let text = b"<html>not a photo</html>".to_vec();
        let refused = put(&bs.server, &outreach.token, &sha256_hex(&text), &text, None);
        assert_eq!(refused.status().as_u16(), 415);
        assert_eq!(error_code(refused), "unsupported_media_type");

        let lying = put(
            &bs.server,
            &outreach.token,
            &sha256_hex(&other),
            &other,
            Some("image/png"),
        );
        assert_eq!(lying.status().as_u16(), 415);

        let mut big = jpeg(64, 64, 3);
        big.resize(500_000, 0x5a);
        let too_big = put(&bs.server, &outreach.token, &sha256_hex(&big), &big, None);
        assert_eq!(too_big.status().as_u16(), 413);
        assert_eq!(error_code(too_big), "payload_too_large");

        let bad_name = put(&bs.server, &outreach.token, "ABC", &photo, None);
        assert_eq!(bad_name.status().as_u16(), 400);
        let anonymous = reqwest::blocking::Client::new()
            .put(bs.url(&format!("/v1/blobs/{sha}")))
            .body(photo.clone())
            .send()
            .unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);

        assert_eq!(bs.files_at_rest().len(), 1, "a refusal stored something");
        let mut conn = bs.server.state.pool.get().unwrap();
        assert!(stored::find(&mut conn, &org.id, &sha256_hex(&other))
            .unwrap()
            .is_none());
        assert!(stored::find(&mut conn, &org.id, &sha256_hex(&big))
            .unwrap()
            .is_none());
        let row = stored::find(&mut conn, &org.id, &sha)
            .unwrap()
            .expect("stored");
        assert_eq!(row.size as usize, photo.len());
        assert_ne!(row.wrapped_key.len(), 0);
    }
);

blob_test!(each_organisation_stores_its_own_copy, |db, store| {
    let bs = BlobServer::start(&db, store);
    let a = fixtures::org(&bs.server, "Org A", "Centro");
    let b = fixtures::org(&bs.server, "Org B", "Porto");
    let in_a = fixtures::device(&bs.server, &a, Role::ReceptionStaff, "sara");
    let in_b = fixtures::device(&bs.server, &b, Role::ReceptionStaff, "bea");
    let auditor = fixtures::device(&bs.server, &b, Role::Auditor, "dora");
    let scan = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let sha = sha256_hex(&scan);

    let first = put(
        &bs.server,
        &in_a.token,
        &sha,
        &scan,
        Some("application/pdf"),
    );
    assert_eq!(first.status().as_u16(), 201);
    // Organisation B cannot learn that A has these bytes: it stores its own copy.
    let second = put(&bs.server, &in_b.token, &sha, &scan, None);
    assert_eq!(second.status().as_u16(), 201);
    assert_eq!(bs.files_under(&format!("blobs/{}", a.id)).len(), 1);
    assert_eq!(bs.files_under(&format!("blobs/{}", b.id)).len(), 1);
    // Roles that hold no case content upload nothing.
    let refused = put(&bs.server, &auditor.token, &sha, &scan, None);
    assert_eq!(refused.status().as_u16(), 403);
});
