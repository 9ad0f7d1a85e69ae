//! The crash loop: a real `casesync serve` under a sync storm, killed with SIGKILL at random
//! moments and restarted on the same storage, cycle after cycle. After every restart it
//! checks what the server promised:
//!
//! - every change a device was told is acknowledged (the server's heads covered it) is stored,
//!   checked before any device sends anything again;
//! - every stored missing report has exactly one missing alert, and every device in scope
//!   holds it once it has synced;
//! - no entry is stored twice;
//! - `casesync audit verify` passes (on full cycles, see `checks`).
//!
//!   crash_loop [--cycles 20] [--backend sqlite|postgres] [--instances 1|2] [--seed N]
//!
//! PostgreSQL runs need `TEST_DATABASE_URL` (a fresh database is made and dropped). With two
//! instances (PostgreSQL only) both serve the storm and one, chosen at random, is killed each
//! cycle while the other goes on. Exits 1 on the first violation, printing the seed and cycle
//! that reproduce it. Not a test: `ops/crash-loop.sh` runs it (short in `.ci/run`, long for
//! the figures in docs/RELIABILITY.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "crash_loop/cast.rs"]
mod cast;
#[path = "crash_loop/checks.rs"]
mod checks;
#[path = "crash_loop/storm.rs"]
mod storm;

use std::io::Write;
use std::time::{Duration, Instant};

use casesync_tests::db::{Kind, TestDb};
use casesync_tests::process::{casesync_binary, Casesync, ServerProcess};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Args {
    cycles: u32,
    backend: Kind,
    instances: usize,
    seed: u64,
}

fn args() -> Args {
    let mut args = Args {
        cycles: 20,
        backend: Kind::Sqlite,
        instances: 1,
        seed: rand::random(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--cycles" => args.cycles = value.parse().expect("--cycles N"),
            "--backend" if value == "postgres" => args.backend = Kind::Postgres,
            "--backend" => args.backend = Kind::Sqlite,
            "--instances" => args.instances = value.parse().expect("--instances 1|2"),
            "--seed" => args.seed = value.parse().expect("--seed N"),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        args.instances == 1 || args.backend == Kind::Postgres,
        "two instances share a PostgreSQL database"
    );
    args
}

fn main() {
    let args = args();
    let Some(db) = TestDb::new(args.backend) else {
        eprintln!("crash loop: no PostgreSQL (TEST_DATABASE_URL unset)");
        std::process::exit(if std::env::var("CI").is_ok_and(|v| v == "true") {
            1
        } else {
            0
        });
    };
    let mut rng = StdRng::seed_from_u64(args.seed);
    let logs = tempfile::tempdir().expect("log dir");
    let casesync = Casesync {
        binary: casesync_binary().expect("casesync binary"),
        database_url: db.url(),
        data_dir: db.data_dir(),
        settings: vec![],
    };
    let mut cast = cast::enrol(&db);
    let started = Instant::now();
    // Each instance's log spans its restarts (appended, a line marks each start), so that a
    // violation can be traced to the life that caused it. BENCH_SERVER_LOG=info says more.
    let serve = |n: usize| -> ServerProcess {
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.path().join(format!("instance-{n}.log")))
            .expect("log");
        let _ = writeln!(log, "--- crash loop: instance {n} starts");
        casesync.serve_logging_to(log).expect("casesync serves")
    };
    let mut servers: Vec<ServerProcess> = (0..args.instances).map(serve).collect();
    let mut totals = checks::Totals::default();
    let mut seen = checks::Seen::default();
    for cycle in 1..=args.cycles {
        let urls: Vec<String> = servers.iter().map(|s| s.base_url()).collect();
        cast.open_cycle_cases(&urls[0], cycle);
        let storm = storm::start(&mut cast, &urls, rng.random());
        std::thread::sleep(Duration::from_millis(rng.random_range(200..1500)));
        let victim = rng.random_range(0..servers.len());
        let killed = servers.remove(victim);
        killed.kill().expect("SIGKILL");
        storm::stop(storm, &mut cast);
        servers.insert(victim, serve(victim));
        let urls: Vec<String> = servers.iter().map(|s| s.base_url()).collect();
        let full = cycle == 1 || cycle % checks::FULL_EVERY == 0 || cycle == args.cycles;
        match checks::run(&casesync, &mut cast, &urls, &mut seen, full) {
            Ok(cycle_totals) => totals.add(&cycle_totals),
            Err(violation) => {
                eprintln!(
                    "crash loop: VIOLATION in cycle {cycle} (seed {}, {:?}, {} instance(s)): {violation}\n  logs kept in {}",
                    args.seed,
                    args.backend,
                    args.instances,
                    logs.keep().display()
                );
                // The servers stop; the database stays for inspection (exit skips its drop).
                for server in servers {
                    let _ = server.kill();
                }
                eprintln!("  database kept: {}", db.url());
                std::process::exit(1);
            }
        }
        if cycle % 10 == 0 || cycle == args.cycles {
            eprintln!(
                "crash loop: {cycle} cycles, {:.0} s, {}",
                started.elapsed().as_secs_f64(),
                totals.describe()
            );
        }
    }
    println!(
        "crash loop: {} cycles on {:?} with {} instance(s), seed {}: 0 violations, {} ({:.0} s)",
        args.cycles,
        args.backend,
        args.instances,
        args.seed,
        totals.describe(),
        started.elapsed().as_secs_f64()
    );
    // The closing line test-result readers understand: each cycle is a check that passed.
    println!("crash_loop: {} passed, 0 failed", args.cycles);
}
