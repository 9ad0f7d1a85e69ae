//! Missing-alert delivery benchmark (issue 4): how long after a phone reports a child
//! missing the alert is on each of N connected phones. Not a test: run it in release mode;
//! `ops/bench/alerts.sh` runs both backends and writes `ops/bench/alerts.md`.
//!
//!   bench_alerts --backend sqlite|postgres [--devices 1000] [--rounds 5] [--timeout-secs 60]
//!                [--phones answer|silent] [--casesync target/release/casesync]
//!                [--set KEY=VALUE]... [--json FILE]
//!
//! The server is the real `casesync serve`, a process of its own on 127.0.0.1 (PostgreSQL
//! runs need `TEST_DATABASE_URL`: a fresh database is made and dropped). One organisation,
//! one reception centre, a reporting phone and N listening phones of the centre's staff.
//! The reporter warms up (a child missing then located, so the centre's alert document
//! exists) and opens one case per round; it finds the alert document in its caseload. The N
//! listeners then connect (one thread and one WebSocket each, automerge-repo protocol v1),
//! join and sync the alert document. Each round the reporter records `missing` for a new
//! child over its WebSocket; every listener notes the instant the new `missing` entry for
//! that case is in its copy. Latency is that instant minus (a) the reporter's send and (b)
//! the reporter's receipt of the server's acknowledging sync message, which the server sends
//! only once the change is committed and the alert written. Phones and server share the
//! machine's cores. `--phones silent`: the listeners apply what they get but never answer,
//! which takes the server's handling of their answers out of the measurement.
//!
//! Prints one `round|<markdown row>` line per round and one `summary|<markdown row>` line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "bench_alerts/fleet.rs"]
mod fleet;
#[path = "bench_alerts/listener.rs"]
mod listener;
#[path = "bench_alerts/reporter.rs"]
mod reporter;
#[path = "bench_alerts/run.rs"]
mod run;
#[path = "bench_alerts/stats.rs"]
mod stats;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use casesync_tests::db::Kind;

use stats::{cells, json_summary, ms};

fn main() -> anyhow::Result<()> {
    let mut options = run::Options {
        backend: Kind::Sqlite,
        devices: 1000,
        rounds: 5,
        casesync: PathBuf::from("target/release/casesync"),
        settings: vec![],
        timeout: Duration::from_secs(60),
        silent: false,
    };
    let mut json_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(key) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("a value after {key}"))?;
        match key.as_str() {
            "--backend" => {
                options.backend = match value.as_str() {
                    "sqlite" => Kind::Sqlite,
                    "postgres" => Kind::Postgres,
                    other => bail!("unknown backend {other}: sqlite or postgres"),
                }
            }
            "--devices" => options.devices = value.parse::<usize>()?.max(1),
            "--rounds" => options.rounds = value.parse::<usize>()?.max(1),
            "--timeout-secs" => options.timeout = Duration::from_secs(value.parse()?),
            "--casesync" => options.casesync = PathBuf::from(value),
            "--phones" => {
                options.silent = match value.as_str() {
                    "answer" => false,
                    "silent" => true,
                    other => bail!("--phones {other}: answer or silent"),
                }
            }
            "--set" => {
                let (k, v) = value.split_once('=').context("--set KEY=VALUE")?;
                options.settings.push((k.to_string(), v.to_string()));
            }
            "--json" => json_file = Some(PathBuf::from(value)),
            other => bail!("unknown option {other}: see the header of bench_alerts.rs"),
        }
    }
    let outcome = run::run(&options)?;
    let backend = match options.backend {
        Kind::Sqlite => "SQLite",
        Kind::Postgres => "PostgreSQL",
    };
    let phones = if options.silent { "silent" } else { "answer" };
    for round in &outcome.rounds {
        println!(
            "round|| {backend} | {phones} | {} | {}/{} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} |",
            round.number,
            round.from_send.len(),
            round.listening,
            cells(&round.from_send),
            cells(&round.from_ack),
            ms(stats::first(&round.from_send)),
            ms(round.ack_ms),
            round.server_cpu.as_secs_f64(),
            round.phones_cpu.as_secs_f64(),
            round.settled.as_secs_f64(),
            round.server_threads,
        );
    }
    let pooled = |f: fn(&run::Round) -> &Vec<f64>| -> Vec<f64> {
        outcome
            .rounds
            .iter()
            .flat_map(|r| f(r).iter().copied())
            .collect()
    };
    let (from_send, from_ack) = (pooled(|r| &r.from_send), pooled(|r| &r.from_ack));
    let expected = outcome.listening * outcome.rounds.len();
    // The first phone of each round: admission, derivation and one push.
    let first: Vec<f64> = outcome
        .rounds
        .iter()
        .map(|r| stats::first(&r.from_send))
        .collect();
    let per_round = |f: fn(&run::Round) -> Duration| {
        outcome
            .rounds
            .iter()
            .map(|r| f(r).as_secs_f64())
            .sum::<f64>()
            / outcome.rounds.len().max(1) as f64
    };
    let (server_cpu, phones_cpu) = (per_round(|r| r.server_cpu), per_round(|r| r.phones_cpu));
    let first_median = stats::percentile(&stats::sorted(&first), 0.5);
    println!(
        "summary|| {backend} | {phones} | {} | {} | {}/{} | {} | {} | {} | {server_cpu:.2} | {phones_cpu:.2} | {} |",
        options.devices,
        outcome.rounds.len(),
        from_send.len(),
        expected,
        cells(&from_send),
        cells(&from_ack),
        ms(first_median),
        outcome.log_warnings,
    );
    for failure in outcome.failures.iter().take(5) {
        eprintln!("[bench] listener: {failure}");
    }
    if let Some(path) = json_file {
        let line = serde_json::json!({
            "backend": backend,
            "phones": phones,
            "devices": options.devices,
            "listening": outcome.listening,
            "rounds": outcome.rounds.len(),
            "received": from_send.len(),
            "expected": expected,
            "after_send": json_summary(&from_send),
            "after_ack": json_summary(&from_ack),
            "first_arrival_median_ms": first_median,
            "server_cpu_per_round_s": server_cpu,
            "phones_cpu_per_round_s": phones_cpu,
            "listener_failures": outcome.failures.len(),
            "server_log_warnings": outcome.log_warnings,
        });
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(file, "{line}")?;
    }
    Ok(())
}
