//! The in-process limit for the sync benchmarks: the same changes merged with automerge alone,
//! no network, no database. Not a test: run it in release mode (see `ops/bench/README.md`).
//!
//!   bench_inprocess [--devices 200] [--changes 20] [--shared 5]
//!
//! Set-up (not timed): K shared case documents; each of N devices forks all of them with an
//! actor of its own and records M observations, one commit each, spread over the shared cases.
//! Timed, per shared document, as the server receives them (one batch per device and
//! document, as one sync request carries them):
//! - `apply`: `apply_changes` of each batch into the document;
//! - `admit`: what admission does besides storage: decode the bytes, apply the batch, read the
//!   result as a case document (the shape check), and encode the increment to store
//!   (`save_after`); the shape check's share is printed on its own line. (The server's
//!   admission also diffs the document for the permission check, not counted here.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use casesync_contract::case::{self, CaseLog, Millis, NewCase, Observation, Str};
use casesync_contract::DocumentId;

const T0: i64 = 1_795_852_800_000;

struct Options {
    devices: usize,
    changes: usize,
    shared: usize,
}

/// One shared case: its base document and, per device, the raw changes that device made.
struct SharedCase {
    base: Vec<u8>,
    base_heads: Vec<ChangeHash>,
    batches: Vec<Vec<Vec<u8>>>,
}

fn main() {
    let options = parse_args();
    let cases = record(&options);
    let total: usize = cases
        .iter()
        .flat_map(|c| c.batches.iter().map(Vec::len))
        .sum();

    let apply = time(&cases, |doc, batch| {
        let changes: Vec<Change> = batch
            .iter()
            .map(|raw| Change::from_bytes(raw.clone()).unwrap())
            .collect();
        let started = Instant::now();
        doc.apply_changes(changes).unwrap();
        started.elapsed()
    });
    let mut shape_check = Duration::ZERO;
    let admit = time(&cases, |doc, batch| {
        let started = Instant::now();
        let heads_before = doc.get_heads();
        let changes: Vec<Change> = batch
            .iter()
            .map(|raw| Change::from_bytes(raw.clone()).unwrap())
            .collect();
        doc.apply_changes(changes).unwrap();
        let checking = Instant::now();
        case::read_case(doc).expect("still a case");
        shape_check += checking.elapsed();
        let increment = doc.save_after(&heads_before);
        assert!(!increment.is_empty());
        started.elapsed()
    });

    println!(
        "in-process: {} devices x {} changes into {} shared cases = {total} changes",
        options.devices, options.changes, options.shared
    );
    let rows = [
        ("apply", apply),
        ("admit", admit),
        ("of which shape check", shape_check),
    ];
    for (name, elapsed) in rows {
        println!(
            "| {name} | {total} | {:.3} | {:.0} |",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64()
        );
    }
}

fn parse_args() -> Options {
    let mut options = Options {
        devices: 200,
        changes: 20,
        shared: 5,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value: usize = pair
            .get(1)
            .and_then(|v| v.parse().ok())
            .expect("a whole number after each option");
        match pair[0].as_str() {
            "--devices" => options.devices = value.max(1),
            "--changes" => options.changes = value,
            "--shared" => options.shared = value.max(1),
            other => panic!("unknown option {other}; see the header of bench_inprocess.rs"),
        }
    }
    options
}

/// Every device's offline work, as raw changes per shared case and device.
fn record(options: &Options) -> Vec<SharedCase> {
    let mut bases: Vec<AutoCommit> = (0..options.shared)
        .map(|i| {
            let new = NewCase {
                case_id: DocumentId::random(),
                organisation: "org".into(),
                site: "site".into(),
                jurisdiction: None,
                created_at: T0,
                profile: [("given_name".to_string(), format!("Shared {i}"))].into(),
            };
            case::new_case_document(&new, ActorId::random()).unwrap()
        })
        .collect();
    let mut cases: Vec<SharedCase> = bases
        .iter_mut()
        .map(|base| SharedCase {
            base: base.save(),
            base_heads: base.get_heads(),
            batches: Vec::with_capacity(options.devices),
        })
        .collect();
    for d in 0..options.devices {
        let actor = ActorId::random();
        let mut forks: Vec<AutoCommit> = bases
            .iter_mut()
            .map(|b| b.fork().with_actor(actor.clone()))
            .collect();
        for i in 0..options.changes {
            let doc = &mut forks[(i + d) % options.shared];
            let observation = Observation {
                id: Str(format!("obs-{d}-{i}")),
                kind: Str::from("sighting"),
                text: Str::from("seen at the station"),
                observed_at: Millis(T0 + 60_000 * (i as i64 + 1) + d as i64),
                place: Some(Str::from("transit point")),
                author: Str(format!("user{d}")),
                device: Str(format!("device{d}")),
                attachments: None,
                provenance: None,
            };
            case::append(doc, CaseLog::Observations, &observation).unwrap();
            doc.commit();
        }
        for (fork, case) in forks.iter_mut().zip(cases.iter_mut()) {
            let batch = fork
                .get_changes(&case.base_heads)
                .into_iter()
                .map(|c| c.raw_bytes().to_vec())
                .collect();
            case.batches.push(batch);
        }
    }
    cases
}

/// Total time `step` reports over every batch of every case, each case loaded fresh.
fn time(
    cases: &[SharedCase],
    mut step: impl FnMut(&mut AutoCommit, &[Vec<u8>]) -> Duration,
) -> Duration {
    let mut total = Duration::ZERO;
    for case in cases {
        let mut doc = AutoCommit::load(&case.base).unwrap();
        for batch in case.batches.iter().filter(|b| !b.is_empty()) {
            total += step(&mut doc, batch);
        }
    }
    total
}
