//! Blob throughput: how fast devices upload and download attachments through
//! `PUT /v1/blobs/{sha256}` and `GET /v1/blobs/{sha256}` (hashing, sniffing, encryption at
//! rest and object storage included), on the local folder or on S3. Not a test: run it in
//! release mode (`ops/bench/blobs.sh` runs every combination and writes
//! `ops/bench/blobs.md`).
//!
//!   bench_blobs [--store local|s3] [--count 20] [--size 5000000] [--clients 1]
//!
//! S3 comes from `TEST_S3_*` (ops/services/s3.sh). Set-up (not timed): an organisation, a
//! coordinator's device, `count` distinct photo-sized JPEG-headed blobs. Timed: the uploads,
//! spread over `clients` threads; then (set-up again, not timed) one case per blob that names
//! it as the child's photo; then the downloads, each read to the end and checked. The server
//! runs in this process on SQLite, the clients are blocking HTTP clients with keep-alive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use casesync_contract::Role;
use casesync_server::blobs::{BlobConfig, StoreKind};
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::fixtures;
use casesync_tests::server::TestServer;
use sha2::{Digest, Sha256};

struct Options {
    store: StoreKind,
    count: usize,
    size: usize,
    clients: usize,
}

fn parse_args() -> Options {
    let mut options = Options {
        store: StoreKind::Local,
        count: 20,
        size: 5_000_000,
        clients: 1,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--store" if value == "s3" => options.store = StoreKind::S3,
            "--store" => options.store = StoreKind::Local,
            "--count" => options.count = value.parse().expect("--count N"),
            "--size" => options.size = value.parse().expect("--size BYTES"),
            "--clients" => options.clients = value.parse::<usize>().expect("--clients N").max(1),
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn blob_config(store: StoreKind) -> BlobConfig {
    let mut config = BlobConfig {
        sweep_interval_secs: 0,
        max_blob_bytes: 64 * 1024 * 1024,
        ..BlobConfig::default()
    };
    if store == StoreKind::S3 {
        let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
        let bucket = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        std::fs::create_dir_all(std::path::Path::new(&var("TEST_S3_ROOT")).join(&bucket)).unwrap();
        config.store = StoreKind::S3;
        config.endpoint = var("TEST_S3_ENDPOINT");
        config.access_key_id = var("TEST_S3_ACCESS_KEY");
        config.secret_access_key = var("TEST_S3_SECRET_KEY");
        config.region = var("TEST_S3_REGION");
        config.bucket = bucket;
        config.allow_http = true;
    }
    config
}

/// A JPEG header and then incompressible bytes: what the server sees of a photo.
fn photo(size: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

/// Runs `work` on each item over `clients` threads; returns the wall time.
fn timed<T: Sync>(
    items: &[T],
    clients: usize,
    work: impl Fn(&reqwest::blocking::Client, &T) + Sync,
) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for lane in 0..clients {
            let work = &work;
            scope.spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(300))
                    .build()
                    .unwrap();
                for item in items.iter().skip(lane).step_by(clients) {
                    work(&http, item);
                }
            });
        }
    });
    started.elapsed()
}

fn main() {
    let options = parse_args();
    let db = TestDb::new(Kind::Sqlite).unwrap();
    let blobs = blob_config(options.store);
    let bucket = blobs.bucket.clone();
    let server = TestServer::start_with(&db, move |c| c.blobs = blobs);
    let org = fixtures::org(&server, "Bench", "Centro");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let files: Vec<(String, Vec<u8>)> = (0..options.count)
        .map(|i| {
            let bytes = photo(options.size, i as u64 + 1);
            (hex::encode(Sha256::digest(&bytes)), bytes)
        })
        .collect();
    let total = (options.count * options.size) as f64 / 1e6;

    let upload = timed(&files, options.clients, |http, (sha, bytes)| {
        let response = http
            .put(server.url(&format!("/v1/blobs/{sha}")))
            .bearer_auth(&coord.token)
            .body(bytes.clone())
            .send()
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            201,
            "{}",
            response.text().unwrap()
        );
    });

    let http = reqwest::blocking::Client::new();
    for (sha, _) in &files {
        let created = http
            .post(server.url("/v1/cases"))
            .bearer_auth(&coord.token)
            .json(&serde_json::json!({"site": "Centro", "profile": {"photo": sha}}))
            .send()
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);
    }

    let download = timed(&files, options.clients, |http, (sha, bytes)| {
        let response = http
            .get(server.url(&format!("/v1/blobs/{sha}")))
            .bearer_auth(&coord.token)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body = response.bytes().unwrap();
        assert_eq!(body.as_ref(), &bytes[..]);
    });

    let store = match options.store {
        StoreKind::Local => "local folder",
        StoreKind::S3 => "S3 (s3s-fs)",
    };
    // One markdown table row: store | blobs | clients | MB | upload | download.
    println!(
        "| {store} | {} x {} KB | {} | {:.0} | {:.1} s, {:.0} MB/s | {:.1} s, {:.0} MB/s |",
        options.count,
        options.size / 1000,
        options.clients,
        total,
        upload.as_secs_f64(),
        total / upload.as_secs_f64(),
        download.as_secs_f64(),
        total / download.as_secs_f64(),
    );
    if !bucket.is_empty() {
        if let Ok(root) = std::env::var("TEST_S3_ROOT") {
            let _ = std::fs::remove_dir_all(std::path::Path::new(&root).join(bucket));
        }
    }
}
