//! WebSocket benchmarks (issue 3). Not a test: run it in release mode; `ops/bench/ws.sh`
//! runs every scenario and writes `ops/bench/ws.md`.
//!
//!   bench_ws throughput --server sqlite|postgres|node [--devices 200] [--changes 20] [--shared 5]
//!   bench_ws inprocess [--devices 200] [--changes 20] [--shared 5]
//!   bench_ws latency --server sqlite|postgres [--instances 1|2] [--samples 200]
//!   bench_ws memory --server sqlite|postgres [--documents 10000] [--idle-secs 2]
//!   bench_ws summary --from FILE    (the goals, from the JSON lines of the runs above)
//!
//! Common options: `--casesync PATH` (default `target/release/casesync`), `--node PATH`
//! (default `$CASESYNC_NODE` or `node`), `--node-script PATH` (default
//! `ops/bench/node-sync-server.mjs`), `--json FILE` (append the figures as one JSON line),
//! `--set KEY=VALUE` (a `CASESYNC_KEY` setting for the casesync server, repeatable).
//! PostgreSQL runs need `TEST_DATABASE_URL` (a fresh database is created and dropped).
//!
//! Each server is a process of its own (`casesync serve`, configured through `CASESYNC_*`
//! variables, devices enrolled with `casesync admin ... --json`; or the Node sync server), so
//! that its CPU time and peak memory come from `/proc/PID`. The simulated devices run in this
//! process, one thread and one WebSocket each, with the same client code for every server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fleet;
mod inprocess;
mod latency;
mod memory;
mod peer;
mod process;
mod report;
mod summary;
mod target;
mod throughput;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use casesync_tests::db::Kind;

use target::Target;

struct Args {
    scenario: String,
    values: HashMap<String, String>,
    settings: Vec<(String, String)>,
}

impl Args {
    fn parse() -> anyhow::Result<Self> {
        let mut args = std::env::args().skip(1);
        let scenario = args.next().context("a scenario: see bench_ws.rs")?;
        let mut values = HashMap::new();
        let mut settings = Vec::new();
        while let Some(key) = args.next() {
            let value = args
                .next()
                .with_context(|| format!("a value after {key}"))?;
            match key.as_str() {
                "--set" => {
                    let (k, v) = value.split_once('=').context("--set KEY=VALUE")?;
                    settings.push((k.to_string(), v.to_string()));
                }
                _ => {
                    let name = key.strip_prefix("--").context("options start with --")?;
                    values.insert(name.to_string(), value);
                }
            }
        }
        Ok(Self {
            scenario,
            values,
            settings,
        })
    }

    fn number(&self, name: &str, default: usize) -> anyhow::Result<usize> {
        self.values
            .get(name)
            .map_or(Ok(default), |v| v.parse().context("a whole number"))
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.values
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    fn target(&self) -> anyhow::Result<Target> {
        let casesync = PathBuf::from(self.text("casesync", "target/release/casesync"));
        let mut settings = self.settings.clone();
        if self.scenario == "memory" {
            settings.push((
                "IDLE_DOCUMENT_SECS".into(),
                self.number("idle-secs", 2)?.to_string(),
            ));
        }
        match self.text("server", "sqlite").as_str() {
            "sqlite" => Target::casesync(casesync, Kind::Sqlite, settings),
            "postgres" => Target::casesync(casesync, Kind::Postgres, settings),
            "node" => {
                let default_node = std::env::var("CASESYNC_NODE").unwrap_or("node".into());
                Target::node(
                    PathBuf::from(self.text("node", &default_node)),
                    PathBuf::from(self.text("node-script", "ops/bench/node-sync-server.mjs")),
                )
            }
            other => bail!("unknown server {other}: sqlite, postgres or node"),
        }
    }

    fn options(&self) -> anyhow::Result<throughput::Options> {
        Ok(throughput::Options {
            devices: self.number("devices", 200)?.max(1),
            changes: self.number("changes", 20)?,
            shared: self.number("shared", 5)?.max(1),
        })
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse()?;
    let (line, json) = match args.scenario.as_str() {
        "throughput" => {
            let row = throughput::run(&args.target()?, args.options()?)?;
            (row.markdown(), row.json())
        }
        "inprocess" => inprocess::run(args.options()?)?,
        "latency" => latency::run(
            &args.target()?,
            args.number("instances", 1)?,
            args.number("samples", 200)?,
        )?,
        "memory" => memory::run(
            &args.target()?,
            args.number("documents", 10_000)?,
            args.number("idle-secs", 2)?,
        )?,
        "summary" => summary::run(&args.text("from", "ws.jsonl"))?,
        other => bail!("unknown scenario {other}: see the header of bench_ws/main.rs"),
    };
    println!("{line}");
    if let Some(path) = args.values.get("json") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(file, "{json}")?;
    }
    Ok(())
}
