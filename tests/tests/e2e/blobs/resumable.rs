//! Resumable uploads: a 20 MB photo on a flaky link continues after a cut, on any instance,
//! instead of starting again from zero.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use casesync_contract::wire::UploadStatus;
use casesync_contract::Role;
use casesync_schema::blobs::stored;
use casesync_tests::fixtures;
use casesync_tests::server::TestServer;

use super::support::{
    assert_encrypted_at_rest, blob_test, error_code, jpeg, sha256_hex, BlobServer,
};

fn start(server: &TestServer, token: &str, sha: &str, size: usize) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .post(server.url(&format!("/v1/blobs/{sha}/uploads")))
        .bearer_auth(token)
        .json(&serde_json::json!({ "size": size }))
        .send()
        .unwrap()
}

fn part(
    server: &TestServer,
    token: &str,
    id: &str,
    bytes: &[u8],
    first: usize,
    total: usize,
) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/uploads/{id}")))
        .bearer_auth(token)
        .header(
            "Content-Range",
            format!("bytes {first}-{}/{total}", first + bytes.len() - 1),
        )
        .body(bytes.to_vec())
        .send()
        .unwrap()
}

fn offset(server: &TestServer, token: &str, id: &str) -> u64 {
    let response = reqwest::blocking::Client::new()
        .get(server.url(&format!("/v1/blobs/uploads/{id}")))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json::<UploadStatus>().unwrap().offset
}

/// A part whose connection drops halfway: the headers promise `bytes.len()` bytes, half
/// are sent, then the socket closes.
fn cut_part(server: &TestServer, token: &str, id: &str, bytes: &[u8], first: usize, total: usize) {
    let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let head = format!(
        "PUT /v1/blobs/uploads/{id} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Range: bytes {first}-{}/{total}\r\nContent-Length: {}\r\n\r\n",
        first + bytes.len() - 1,
        bytes.len()
    );
    socket.write_all(head.as_bytes()).unwrap();
    socket.write_all(&bytes[..bytes.len() / 2]).unwrap();
    socket.shutdown(std::net::Shutdown::Both).unwrap();
    // Whatever the server managed to say before the cut is of no interest.
    let _ = socket.read(&mut [0u8; 256]);
}

blob_test!(
    an_upload_continues_after_a_cut_on_another_instance,
    |db, store| {
        let bs = BlobServer::start(&db, store);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let other = fixtures::org(&bs.server, "Other", "Porto");
        let outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let stranger = fixtures::device(&bs.server, &other, Role::OutreachWorker, "sven");
        let photo = jpeg(1400, 1000, 11);
        let (size, sha) = (photo.len(), sha256_hex(&photo));
        let third = size / 3;

        let opened = start(&bs.server, &outreach.token, &sha, size);
        assert_eq!(opened.status().as_u16(), 201);
        let opened: UploadStatus = opened.json().unwrap();
        let id = opened.id.clone().expect("an upload id");
        assert_eq!(opened.offset, 0);

        let first = part(&bs.server, &outreach.token, &id, &photo[..third], 0, size);
        assert_eq!(first.status().as_u16(), 200);
        assert_eq!(first.json::<UploadStatus>().unwrap().offset, third as u64);
        // Parts wait encrypted too.
        assert_encrypted_at_rest(
            &bs.files_under(&format!("uploads/{}", org.id)),
            &photo[..third],
        );

        // The link drops in the middle of the second part: nothing of it is committed.
        cut_part(
            &bs.server,
            &outreach.token,
            &id,
            &photo[third..2 * third],
            third,
            size,
        );
        assert_eq!(offset(&bs.server, &outreach.token, &id), third as u64);
        // A resent first part (its answer was lost) is fine; a part past the offset is not.
        let resent = part(&bs.server, &outreach.token, &id, &photo[..third], 0, size);
        assert_eq!(resent.json::<UploadStatus>().unwrap().offset, third as u64);
        let ahead = part(
            &bs.server,
            &outreach.token,
            &id,
            &photo[2 * third..],
            2 * third,
            size,
        );
        assert_eq!(ahead.status().as_u16(), 409);
        assert_eq!(error_code(ahead), "upload_offset_mismatch");
        // Another organisation cannot see or feed the upload.
        let foreign = reqwest::blocking::Client::new()
            .get(bs.url(&format!("/v1/blobs/uploads/{id}")))
            .bearer_auth(&stranger.token)
            .send()
            .unwrap();
        assert_eq!(foreign.status().as_u16(), 404);

        // The device carries on through another instance: progress is in the database.
        let other_instance = bs.instance_with(&db, |_| {});
        assert_eq!(offset(&other_instance, &outreach.token, &id), third as u64);
        let rest = part(
            &other_instance,
            &outreach.token,
            &id,
            &photo[third..],
            third,
            size,
        );
        assert_eq!(rest.status().as_u16(), 200);
        let done: UploadStatus = rest.json().unwrap();
        assert_eq!(done.offset, size as u64);
        let blob = done.blob.expect("stored");
        assert_eq!(
            (blob.sha256.as_str(), blob.size),
            (sha.as_str(), size as u64)
        );
        assert_eq!(blob.media_type, "image/jpeg");

        // Parts are gone, the blob is stored once, encrypted.
        assert!(bs.files_under(&format!("uploads/{}", org.id)).is_empty());
        let stored_files = bs.files_under(&format!("blobs/{}", org.id));
        assert_eq!(stored_files.len(), 1);
        assert_encrypted_at_rest(&stored_files, &photo);
        // Starting again says it is already there.
        let again: UploadStatus = start(&bs.server, &outreach.token, &sha, size)
            .json()
            .unwrap();
        assert_eq!((again.id, again.offset), (None, size as u64));
        assert!(again.blob.is_some());
    }
);

blob_test!(
    a_resumed_upload_with_the_wrong_bytes_stores_nothing,
    |db, store| {
        let bs = BlobServer::start_with(&db, store, |c| c.max_blob_bytes = 300_000);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let staff = fixtures::device(&bs.server, &org, Role::ReceptionStaff, "sara");
        let photo = jpeg(600, 400, 5);
        let claimed = sha256_hex(b"some other photo");

        let too_big = start(&bs.server, &staff.token, &claimed, 300_001);
        assert_eq!(too_big.status().as_u16(), 413);

        let opened: UploadStatus = start(&bs.server, &staff.token, &claimed, photo.len())
            .json()
            .unwrap();
        let id = opened.id.unwrap();
        let half = photo.len() / 2;
        assert_eq!(
            part(
                &bs.server,
                &staff.token,
                &id,
                &photo[..half],
                0,
                photo.len()
            )
            .status()
            .as_u16(),
            200
        );
        let last = part(
            &bs.server,
            &staff.token,
            &id,
            &photo[half..],
            half,
            photo.len(),
        );
        assert_eq!(last.status().as_u16(), 400);
        assert_eq!(error_code(last), "hash_mismatch");

        // The upload is over, and neither its parts nor a blob remain.
        let gone = reqwest::blocking::Client::new()
            .get(bs.url(&format!("/v1/blobs/uploads/{id}")))
            .bearer_auth(&staff.token)
            .send()
            .unwrap();
        assert_eq!(gone.status().as_u16(), 404);
        assert!(bs.files_at_rest().is_empty(), "{:?}", bs.files_at_rest());
        let mut conn = bs.server.state.pool.get().unwrap();
        assert!(stored::find(&mut conn, &org.id, &claimed)
            .unwrap()
            .is_none());
    }
);
