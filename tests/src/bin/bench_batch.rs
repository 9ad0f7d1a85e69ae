//! Batch sync benchmark: how long N devices with M offline observations each take to converge
//! through `POST /v1/sync`, on SQLite or PostgreSQL. Not a test: run it in release mode
//! (`ops/bench/batch.sh` runs it on both backends and writes `ops/bench/batch.md`).
//!
//!   bench_batch [--backend sqlite|postgres] [--devices 50] [--observations 20] [--shared 3]
//!
//! Set-up (not timed): one organisation with one reception centre, N reception staff with a
//! phone each (their scope is the centre's cases, so every phone holds every case); device 0
//! opens the shared cases and every device fetches them. Then, offline, every device opens a
//! case of its own and records M observations, one commit each, alternately in its own case
//! and in the shared cases. Timed: all devices come online at once (one thread each) and sync: a push
//! phase (until the server acknowledged all their changes), then, once every device has
//! pushed, a pull phase (until a round brings nothing new). Done when every device holds every
//! document of the organisation with the server's heads, which is checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use casesync_contract::wire::{SyncRequest, SyncResponse};
use casesync_contract::{DocumentId, Role};
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::device::Device;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};

struct Options {
    backend: Kind,
    devices: usize,
    observations: usize,
    shared: usize,
}

/// What one device's requests cost during the timed phase.
#[derive(Default)]
struct Traffic {
    requests: usize,
    sent: usize,
    received: usize,
    latencies: Vec<Duration>,
    /// From the start until the last device had its changes acknowledged.
    push: Duration,
}

fn main() {
    let options = parse_args();
    let Some(db) = TestDb::new(options.backend) else {
        eprintln!("bench_batch: PostgreSQL needs TEST_DATABASE_URL (ops/services/postgres.sh)");
        std::process::exit(2);
    };
    // The server's own defaults (the test helper shrinks the pool for test parallelism).
    // Simulated devices sync as fast as they can, far above a person's phone: no rate limit.
    let server = TestServer::start_with(&db, |c| {
        c.db_pool_size = casesync_server::Config::default().db_pool_size;
        c.limits.sync_requests_per_minute = u32::MAX;
    });
    let mut devices = set_up(&server, &options);
    let changes: usize = devices.iter_mut().map(Device::pending).sum();

    let started = Instant::now();
    let traffic = converge(&mut devices, &server.url("/v1/sync"), started);
    let wall = started.elapsed();

    let documents = verify(&server, &mut devices, options.shared);
    report(&options, &db, wall, changes, documents, &traffic);
}

fn parse_args() -> Options {
    let mut options = Options {
        backend: Kind::Sqlite,
        devices: 50,
        observations: 20,
        shared: 3,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        let number = || value.parse::<usize>().expect("a whole number");
        match pair[0].as_str() {
            "--backend" => {
                options.backend = match value {
                    "sqlite" => Kind::Sqlite,
                    "postgres" => Kind::Postgres,
                    other => panic!("unknown backend {other}: sqlite or postgres"),
                }
            }
            "--devices" => options.devices = number().max(1),
            "--observations" => options.observations = number(),
            "--shared" => options.shared = number().max(1),
            other => panic!("unknown option {other}; see the header of bench_batch.rs"),
        }
    }
    options
}

/// Devices holding the shared cases, then offline work on each.
fn set_up(server: &TestServer, options: &Options) -> Vec<Device> {
    let org = fixtures::org(server, "Bench Org", "Bench Centre");
    let mut devices: Vec<Device> = (0..options.devices)
        .map(|i| fixtures::device(server, &org, Role::ReceptionStaff, &format!("worker{i}")))
        .collect();
    let shared: Vec<DocumentId> = (0..options.shared)
        .map(|i| devices[0].open_case(&[("given_name", &format!("Shared {i}"))], T0))
        .collect();
    for device in devices.iter_mut() {
        device.sync().expect("set-up sync");
    }
    for (d, device) in devices.iter_mut().enumerate() {
        let own = device.open_case(&[("given_name", &format!("Own {d}"))], T0 + 1);
        for i in 0..options.observations {
            let case = if i % 2 == 0 {
                own
            } else {
                shared[(i / 2 + d) % shared.len()]
            };
            let at = T0 + 60_000 * (i as i64 + 1) + d as i64;
            device.observe(&case, &format!("obs-{d}-{i}"), "seen at the station", at);
        }
    }
    devices
}

/// All devices sync at once, each in a thread: push, wait for everyone, pull.
fn converge(devices: &mut [Device], url: &str, started: Instant) -> Traffic {
    let barrier = Arc::new(Barrier::new(devices.len()));
    let pushed = std::sync::OnceLock::new();
    let per_device: Vec<Traffic> = std::thread::scope(|scope| {
        let handles: Vec<_> = devices
            .iter_mut()
            .map(|device| {
                let barrier = barrier.clone();
                let pushed = &pushed;
                scope.spawn(move || {
                    let http = reqwest::blocking::Client::new();
                    let mut traffic = Traffic::default();
                    while device.pending() > 0 {
                        round(&http, url, device, &mut traffic);
                    }
                    if barrier.wait().is_leader() {
                        let _ = pushed.set(started.elapsed());
                    }
                    while round(&http, url, device, &mut traffic) {}
                    traffic
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total = Traffic {
        push: pushed.get().copied().unwrap_or_default(),
        ..Traffic::default()
    };
    for t in per_device {
        total.requests += t.requests;
        total.sent += t.sent;
        total.received += t.received;
        total.latencies.extend(t.latencies);
    }
    total
}

/// One request; whether it brought anything new (changes or documents).
fn round(
    http: &reqwest::blocking::Client,
    url: &str,
    device: &mut Device,
    traffic: &mut Traffic,
) -> bool {
    let request: SyncRequest = device.sync_request();
    let mut body = Vec::new();
    ciborium::into_writer(&request, &mut body).unwrap();
    let sent = body.len();
    let started = Instant::now();
    let response = http
        .post(url)
        .bearer_auth(&device.token)
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .expect("sync request");
    assert_eq!(response.status().as_u16(), 200, "sync failed");
    let bytes = response.bytes().expect("sync response");
    traffic.latencies.push(started.elapsed());
    traffic.requests += 1;
    traffic.sent += sent;
    traffic.received += bytes.len();
    let response: SyncResponse = ciborium::from_reader(bytes.as_ref()).unwrap();
    let fresh = !response.new_documents.is_empty()
        || response.documents.iter().any(|d| !d.changes.is_empty());
    device.apply_response(response);
    fresh
}

/// Every device holds every document with the server's heads. Returns the document count.
fn verify(server: &TestServer, devices: &mut [Device], shared: usize) -> usize {
    let ids: Vec<DocumentId> = devices[0].docs.keys().copied().collect();
    assert_eq!(ids.len(), shared + devices.len(), "documents on device 0");
    for id in &ids {
        let mut server_heads = server
            .state
            .engine
            .read(id, |doc| doc.get_heads())
            .unwrap()
            .expect("document stored");
        server_heads.sort();
        for device in devices.iter_mut() {
            assert_eq!(
                device.docs.len(),
                ids.len(),
                "{} holds every case",
                device.name
            );
            let mut heads = device.heads(id);
            heads.sort();
            assert_eq!(
                heads, server_heads,
                "{} has every change of {id}",
                device.name
            );
        }
    }
    ids.len()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn report(o: &Options, db: &TestDb, wall: Duration, changes: usize, docs: usize, t: &Traffic) {
    let mut latencies = t.latencies.clone();
    latencies.sort();
    let backend = match db.kind() {
        Kind::Sqlite => "SQLite",
        Kind::Postgres => "PostgreSQL",
    };
    println!(
        "| {backend} | {} | {} | {} | {docs} | {changes} | {:.2} | {:.2} | {:.0} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
        o.devices,
        o.observations,
        o.shared,
        wall.as_secs_f64(),
        t.push.as_secs_f64(),
        changes as f64 / wall.as_secs_f64(),
        t.requests,
        t.sent as f64 / 1024.0,
        t.received as f64 / 1024.0,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
