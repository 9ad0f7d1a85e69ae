//! Master key rotation: data keys are re-wrapped, objects stay as they are, and the old
//! key can then be dropped.

use casesync_contract::Role;
use casesync_schema::blobs::stored;
use casesync_server::blobs::keyring::{generate_master_key, Keyring};
use casesync_server::blobs::rotate::rotate;
use casesync_tests::fixtures;
use casesync_tests::server::T0;

use super::support::{attach, blob_test, get, jpeg, put, sha256_hex, BlobServer};

blob_test!(
    rotating_the_master_key_rewraps_without_rewriting_objects,
    |db, store| {
        let (old, new) = (
            generate_master_key().unwrap(),
            generate_master_key().unwrap(),
        );
        let bs = BlobServer::start_with(&db, store, |c| c.master_key = old.clone());
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let coord = fixtures::device(&bs.server, &org, Role::Coordinator, "chiara");
        let mut outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let photo = jpeg(400, 300, 31);
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
        let before = bs.files_at_rest();

        // A server with only the new key cannot open the old data key.
        let new_only = bs.instance_with(&db, |c| c.master_key = new.clone());
        let path = format!("/v1/blobs/{sha}");
        assert_eq!(
            get(&new_only, &coord.token, &path, None).status().as_u16(),
            500
        );

        // The operator's rotation: the new key current, the old one still listed.
        let mut config = bs.config.clone();
        config.master_key = new.clone();
        config.previous_keys = vec![old.clone()];
        let keys = Keyring::load(&config, &db.data_dir()).unwrap();
        let mut conn = bs.server.state.pool.get().unwrap();
        let rotation = rotate(&mut conn, &keys).unwrap();
        assert_eq!((rotation.blobs, rotation.uploads), (1, 0));
        assert_eq!(rotation.key_id, keys.current_id());
        let row = stored::find(&mut conn, &org.id, &sha).unwrap().unwrap();
        assert_eq!(row.key_id, keys.current_id());
        // Again: nothing left to do.
        assert_eq!(rotate(&mut conn, &keys).unwrap().blobs, 0);

        // Objects untouched; the new key alone now reads everything.
        assert_eq!(bs.files_at_rest(), before);
        let got = get(&new_only, &coord.token, &path, None);
        assert_eq!(got.status().as_u16(), 200);
        assert_eq!(got.bytes().unwrap().as_ref(), &photo[..]);
    }
);
