//! Downloading: only readers of a case that references the blob get it, with ranges and a
//! preview; everyone else gets the answer a missing blob gets.

use casesync_contract::Role;
use casesync_tests::fixtures;
use casesync_tests::server::T0;

use super::support::{attach, blob_test, get, jpeg, png, put, sha256_hex, BlobServer};

/// Status and body of a 404, to compare "not yours" with "does not exist".
fn not_found(response: reqwest::blocking::Response) -> (u16, String) {
    (response.status().as_u16(), response.text().unwrap())
}

blob_test!(
    readers_of_a_referencing_case_download_ranges_and_previews,
    |db, store| {
        let bs = BlobServer::start(&db, store);
        let org = fixtures::org(&bs.server, "Org", "Centro");
        let other = fixtures::org(&bs.server, "Other org", "Porto");
        let coord = fixtures::device(&bs.server, &org, Role::Coordinator, "chiara");
        let mut outreach = fixtures::device(&bs.server, &org, Role::OutreachWorker, "omar");
        let stranger = fixtures::device(&bs.server, &other, Role::Coordinator, "sven");
        // Large enough to span several encryption segments.
        let photo = jpeg(1200, 900, 7);
        assert!(photo.len() > 200_000, "test photo is {} bytes", photo.len());
        let sha = sha256_hex(&photo);
        let path = format!("/v1/blobs/{sha}");
        let missing = format!("/v1/blobs/{}", sha256_hex(b"never uploaded"));

        assert_eq!(
            put(&bs.server, &outreach.token, &sha, &photo, None)
                .status()
                .as_u16(),
            201
        );
        // Uploaded but referenced by no case yet: nobody may read it.
        let unreferenced = not_found(get(&bs.server, &coord.token, &path, None));
        assert_eq!(
            unreferenced,
            not_found(get(&bs.server, &coord.token, &missing, None))
        );
        assert_eq!(unreferenced.0, 404);

        let case = outreach.open_case(&[("given_name", "Abena")], T0);
        outreach.sync().unwrap();
        attach(&mut outreach, &case, &sha, photo.len(), "image/jpeg");

        let whole = get(&bs.server, &coord.token, &path, None);
        assert_eq!(whole.status().as_u16(), 200);
        assert_eq!(whole.headers()["content-type"], "image/jpeg");
        assert_eq!(whole.headers()["accept-ranges"], "bytes");
        assert_eq!(whole.bytes().unwrap().as_ref(), &photo[..]);

        let size = photo.len();
        for (range, start, end) in [
            ("bytes=100-199".to_string(), 100, 200),
            // Across an encryption segment boundary (64 KiB).
            ("bytes=65500-65600".to_string(), 65_500, 65_601),
            (format!("bytes={}-", size - 10), size - 10, size),
            ("bytes=-7".to_string(), size - 7, size),
        ] {
            let part = get(&bs.server, &coord.token, &path, Some(&range));
            assert_eq!(part.status().as_u16(), 206, "{range}");
            assert_eq!(
                part.headers()["content-range"],
                format!("bytes {start}-{}/{size}", end - 1).as_str()
            );
            assert_eq!(
                part.bytes().unwrap().as_ref(),
                &photo[start..end],
                "{range}"
            );
        }
        let past_end = get(
            &bs.server,
            &coord.token,
            &path,
            Some(&format!("bytes={size}-")),
        );
        assert_eq!(past_end.status().as_u16(), 416);
        assert_eq!(
            past_end.headers()["content-range"],
            format!("bytes */{size}").as_str()
        );

        let preview = get(&bs.server, &coord.token, &format!("{path}/preview"), None);
        assert_eq!(preview.status().as_u16(), 200);
        assert_eq!(preview.headers()["content-type"], "image/jpeg");
        let small = image::load_from_memory(&preview.bytes().unwrap()).unwrap();
        assert_eq!((small.width(), small.height()), (320, 240));

        // Another organisation, even holding the same bytes itself, sees nothing.
        assert_eq!(
            put(&bs.server, &stranger.token, &sha, &photo, None)
                .status()
                .as_u16(),
            201
        );
        assert_eq!(
            not_found(get(&bs.server, &stranger.token, &path, None)),
            unreferenced
        );
        assert_eq!(
            not_found(get(
                &bs.server,
                &stranger.token,
                &format!("{path}/preview"),
                None
            )),
            unreferenced
        );

        // A profile photo is a reference too; a PNG previews as well.
        let face = png(500, 200, 9);
        let face_sha = sha256_hex(&face);
        assert_eq!(
            put(&bs.server, &outreach.token, &face_sha, &face, None)
                .status()
                .as_u16(),
            201
        );
        outreach.set_profile(&case, "photo", &face_sha);
        outreach.sync().unwrap();
        let face_path = format!("/v1/blobs/{face_sha}");
        let got = get(&bs.server, &coord.token, &face_path, None);
        assert_eq!(got.status().as_u16(), 200);
        assert_eq!(got.headers()["content-type"], "image/png");
        assert_eq!(got.bytes().unwrap().as_ref(), &face[..]);
        let preview = get(
            &bs.server,
            &coord.token,
            &format!("{face_path}/preview"),
            None,
        );
        let small = image::load_from_memory(&preview.bytes().unwrap()).unwrap();
        assert_eq!((small.width(), small.height()), (320, 128));

        // A document has no preview, but downloads.
        let scan = b"%PDF-1.4\n% a scanned asylum card\n%%EOF\n".to_vec();
        let scan_sha = sha256_hex(&scan);
        assert_eq!(
            put(&bs.server, &outreach.token, &scan_sha, &scan, None)
                .status()
                .as_u16(),
            201
        );
        attach(
            &mut outreach,
            &case,
            &scan_sha,
            scan.len(),
            "application/pdf",
        );
        let doc = get(
            &bs.server,
            &coord.token,
            &format!("/v1/blobs/{scan_sha}"),
            None,
        );
        assert_eq!(doc.headers()["content-type"], "application/pdf");
        assert_eq!(doc.bytes().unwrap().as_ref(), &scan[..]);
        let no_preview = get(
            &bs.server,
            &coord.token,
            &format!("/v1/blobs/{scan_sha}/preview"),
            None,
        );
        assert_eq!(no_preview.status().as_u16(), 415);

        // A case referencing bytes never uploaded: still 404, like any missing blob.
        let ghost = sha256_hex(b"uploaded later, perhaps");
        attach(&mut outreach, &case, &ghost, 10, "image/jpeg");
        let ghost_answer = not_found(get(
            &bs.server,
            &coord.token,
            &format!("/v1/blobs/{ghost}"),
            None,
        ));
        assert_eq!(ghost_answer, unreferenced);
    }
);
