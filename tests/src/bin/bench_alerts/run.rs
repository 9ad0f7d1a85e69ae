//! One backend: enrol, start the server, warm up, connect the listeners, then the rounds.

use std::path::PathBuf;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use anyhow::Context;
use casesync_contract::DocumentId;
use casesync_tests::db::{Kind, TestDb};

use crate::listener;
use crate::reporter::Reporter;
use casesync_tests::process::{Casesync, ServerProcess};

pub struct Options {
    pub backend: Kind,
    pub devices: usize,
    pub rounds: usize,
    pub casesync: PathBuf,
    pub settings: Vec<(String, String)>,
    /// How long a round waits for the last listener.
    pub timeout: Duration,
    /// Listeners never answer the server (the push path alone).
    pub silent: bool,
}

/// What one missing report did.
pub struct Round {
    pub number: usize,
    /// Listeners holding the alert document when the report was sent.
    pub listening: usize,
    /// Per listener that got the alert: arrival − the reporter's send, in ms.
    pub from_send: Vec<f64>,
    /// Arrival − the reporter's receipt of the acknowledgement, in ms (negative: the alert
    /// was on that phone before the reporter heard its own change was stored).
    pub from_ack: Vec<f64>,
    /// The reporter's send until the acknowledgement, in ms.
    pub ack_ms: f64,
    /// Server CPU from the send until the server was idle again.
    pub server_cpu: Duration,
    /// This process's CPU over the same time (the phones' own work, on the same cores).
    pub phones_cpu: Duration,
    /// From the send until the server was idle again (acknowledgements of the phones
    /// recorded as deliveries, and so on).
    pub settled: Duration,
    pub server_threads: u64,
}

pub struct Outcome {
    pub rounds: Vec<Round>,
    pub listening: usize,
    pub failures: Vec<String>,
    pub log_warnings: usize,
}

const QUIET_WINDOW: Duration = Duration::from_millis(300);

pub fn run(options: &Options) -> anyhow::Result<Outcome> {
    let db = TestDb::new(options.backend)
        .context("PostgreSQL needs TEST_DATABASE_URL (a fresh database is made and dropped)")?;
    let casesync = Casesync {
        binary: options.casesync.clone(),
        database_url: db.url(),
        data_dir: db.data_dir(),
        settings: options.settings.clone(),
    };
    std::fs::create_dir_all(&casesync.data_dir)?;
    eprintln!("[bench] enrolling {} phones", options.devices + 1);
    let fleet = crate::fleet::enrol(&casesync, options.devices)?;
    let (log, log_file) = casesync.log_file()?;
    let server = casesync.serve_logging_to(log_file)?;
    let measured = measure(options, &fleet, &server);
    if measured.is_err() {
        // The database folder goes with the run: show why the server failed, if it says.
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        for line in &lines[lines.len().saturating_sub(10)..] {
            eprintln!("[bench] server: {line}");
        }
    }
    let (rounds, listening, failures) = measured?;
    server.stop()?;
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"level\":\"WARN\"") || l.contains("\"level\":\"ERROR\""))
        // A fresh data folder always gets a new blob master key: not a problem.
        .filter(|l| !l.contains("blobs::keyring"))
        .collect();
    for line in warnings.iter().take(3) {
        eprintln!("[bench] server: {line}");
    }
    Ok(Outcome {
        rounds,
        listening,
        failures,
        log_warnings: warnings.len(),
    })
}

/// Warm-up, listeners, rounds: returns the rounds, how many listened, what failed.
fn measure(
    options: &Options,
    fleet: &crate::fleet::Fleet,
    server: &ServerProcess,
) -> anyhow::Result<(Vec<Round>, usize, Vec<String>)> {
    let base_url = server.base_url();
    let mut reporter = Reporter::connect(&base_url, fleet)?;

    // Warm-up: a child reported missing and then located makes the centre's alert document
    // (listed in every caseload) and leaves a stood-down alert in it. The round cases are
    // opened now too: a new case makes every live session refresh its caseload, which is
    // not what is measured here.
    let warm_up = reporter.open_case("Warm-up")?;
    for state in ["missing", "located"] {
        let (hash, _) = reporter.report(&warm_up, state)?;
        reporter.wait_acked(&warm_up, &hash, options.timeout)?;
    }
    let cases: Vec<DocumentId> = (1..=options.rounds)
        .map(|r| reporter.open_case(&format!("Child {r}")))
        .collect::<anyhow::Result<_>>()?;
    let alert_doc = reporter.alert_document(&base_url)?;
    server.wait_quiet(QUIET_WINDOW, Duration::from_secs(60));

    eprintln!("[bench] connecting {} listening phones", options.devices);
    let listeners = listener::start(&base_url, &fleet.listeners, alert_doc, 100, options.silent)?;
    let listening = listeners.ready;
    eprintln!("[bench] {listening} phones hold the alert document");
    server.wait_quiet(QUIET_WINDOW, Duration::from_secs(60));

    let mut rounds = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let round = one_round(
            options,
            server,
            &mut reporter,
            &listeners,
            i + 1,
            case,
            listening,
        )?;
        eprintln!(
            "[bench] round {}: {}/{} received",
            round.number,
            round.from_send.len(),
            listening
        );
        rounds.push(round);
    }
    let failures = listeners.stop();
    Ok((rounds, listening, failures))
}

fn one_round(
    options: &Options,
    server: &ServerProcess,
    reporter: &mut Reporter,
    listeners: &listener::Listeners,
    number: usize,
    case: &DocumentId,
    listening: usize,
) -> anyhow::Result<Round> {
    let case_id = case.to_string();
    let cpu_before = (server.cpu(), own_cpu());
    let (hash, sent) = reporter.report(case, "missing")?;
    let acked = reporter.wait_acked(case, &hash, options.timeout)?;
    let mut arrivals = Vec::with_capacity(listening);
    let deadline = sent.at + options.timeout;
    while arrivals.len() < listening {
        let left = deadline.saturating_duration_since(Instant::now());
        match listeners.arrivals.recv_timeout(left) {
            Ok(a) if a.case_id == case_id => arrivals.push(a.at),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    let server_threads = server.threads();
    server.wait_quiet(QUIET_WINDOW, Duration::from_secs(120));
    // The quiet window itself is not work.
    let settled = sent.at.elapsed().saturating_sub(QUIET_WINDOW);
    let signed_ms = |later: Instant, earlier: Instant| match later.checked_duration_since(earlier) {
        Some(d) => d.as_secs_f64() * 1000.0,
        None => -(earlier.duration_since(later).as_secs_f64() * 1000.0),
    };
    Ok(Round {
        number,
        listening,
        from_send: arrivals.iter().map(|a| signed_ms(*a, sent.at)).collect(),
        from_ack: arrivals.iter().map(|a| signed_ms(*a, acked)).collect(),
        ack_ms: signed_ms(acked, sent.at),
        server_cpu: server.cpu().saturating_sub(cpu_before.0),
        phones_cpu: own_cpu().saturating_sub(cpu_before.1),
        settled,
        server_threads,
    })
}

/// User plus system CPU time of this process (all its threads).
fn own_cpu() -> Duration {
    casesync_tests::process::cpu_of("self").unwrap_or_default()
}
