//! What a run measured, as a row of the results table in `ops/bench/ws.md`.

use std::time::Duration;

use automerge::ChangeHash;
use casesync_contract::DocumentId;

use crate::target::Target;
use crate::throughput::Options;

/// One device's view of the timed phase.
pub struct DeviceTraffic {
    /// From the start until its last change was acknowledged.
    pub acked: Duration,
    /// From the start until it held every change of every shared case.
    pub converged: Duration,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub frames_up: u64,
    pub frames_down: u64,
    /// Sorted heads of the shared cases, then of its own case, at convergence.
    pub heads: Vec<(DocumentId, Vec<ChangeHash>)>,
}

pub struct Row {
    label: &'static str,
    options: Options,
    changes: usize,
    acked: Duration,
    converged: Duration,
    /// The server's time to stop after convergence (the Node server flushes its storage).
    stop: Duration,
    durable: Duration,
    cpu: Duration,
    acked_cpu: Duration,
    peak_rss: u64,
    bytes_up: u64,
    bytes_down: u64,
    frames_up: u64,
    frames_down: u64,
}

impl Row {
    pub fn new(
        target: &Target,
        options: Options,
        traffic: &[DeviceTraffic],
        cpu: Duration,
        acked_cpu: Duration,
        peak_rss: u64,
        stop: Duration,
    ) -> Self {
        let acked = traffic.iter().map(|t| t.acked).max().unwrap_or_default();
        let converged = traffic
            .iter()
            .map(|t| t.converged)
            .max()
            .unwrap_or_default();
        // casesync acknowledges only what it has committed. The Node server acknowledges
        // first and writes later (throttled per document, flushed on shutdown): its changes
        // are on disk at the latest when its shutdown, started after convergence, ends.
        let durable = if target.is_node() {
            acked + stop
        } else {
            acked
        };
        Self {
            label: target.label(),
            options,
            changes: options.devices * options.changes,
            acked,
            converged,
            stop,
            durable,
            cpu,
            acked_cpu,
            peak_rss,
            bytes_up: traffic.iter().map(|t| t.bytes_up).sum(),
            bytes_down: traffic.iter().map(|t| t.bytes_down).sum(),
            frames_up: traffic.iter().map(|t| t.frames_up).sum(),
            frames_down: traffic.iter().map(|t| t.frames_down).sum(),
        }
    }

    pub fn markdown(&self) -> String {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        format!(
            "| {} | {} | {} | {:.2} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {} | {} |",
            self.label,
            self.options.devices,
            self.changes,
            self.acked.as_secs_f64(),
            self.changes as f64 / self.acked.as_secs_f64(),
            self.changes as f64 / self.durable.as_secs_f64(),
            self.converged.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.acked_cpu.as_secs_f64() * 1000.0 / self.changes as f64,
            mib(self.peak_rss),
            mib(self.bytes_up),
            mib(self.bytes_down),
            self.frames_up,
            self.frames_down,
        )
    }

    /// Machine-readable figures for the script that writes the ratios.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "server": self.label,
            "devices": self.options.devices,
            "changes": self.changes,
            "acked_s": self.acked.as_secs_f64(),
            "acked_per_s": self.changes as f64 / self.acked.as_secs_f64(),
            "durable_per_s": self.changes as f64 / self.durable.as_secs_f64(),
            "converged_s": self.converged.as_secs_f64(),
            "stop_s": self.stop.as_secs_f64(),
            "cpu_s": self.cpu.as_secs_f64(),
            "peak_rss": self.peak_rss,
        })
    }
}
