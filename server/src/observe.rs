//! This instance's figures for operators, through the `metrics` facade, rendered by the
//! Prometheus exporter into `GET /metrics` (no listener of its own). Counters and histograms
//! are recorded where things happen (requests, admission, pushes, alert deliveries); gauges
//! are read when `/metrics` is scraped. Nothing names a case, a person or a device: routes
//! are patterns, refusals are error codes.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: from a millisecond (a push to an idle phone) to ten seconds
/// (a phone back after a week with a large batch).
const SECONDS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The recorder, installed once per process (tests run many servers in one process: they
/// share it, which only adds their figures up). `None` if another recorder was installed
/// first, when metrics are simply not rendered.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

pub fn request(method: &str, route: &str, status: u16, seconds: f64) {
    let labels = [
        ("method", method.to_string()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    metrics::counter!("casesync_http_requests_total", &labels).increment(1);
    let labels = [("method", method.to_string()), ("route", route.to_string())];
    metrics::histogram!("casesync_http_request_duration_seconds", &labels).record(seconds);
}

pub fn changes_admitted(n: usize) {
    metrics::counter!("casesync_changes_admitted_total").increment(n as u64);
}

/// `n` changes refused for `code` (a refusal of a whole message counts once).
pub fn changes_refused(code: &str, n: usize) {
    metrics::counter!("casesync_changes_refused_total", "code" => code.to_string())
        .increment(n.max(1) as u64);
}

/// A live push sent to a device, and how long it took to compute and send.
pub fn push(seconds: f64) {
    metrics::counter!("casesync_pushes_total").increment(1);
    metrics::histogram!("casesync_push_duration_seconds").record(seconds);
}

/// An alert held by a device for the first time, this long after it was raised.
pub fn alert_delivered(seconds: f64) {
    metrics::histogram!("casesync_alert_delivery_seconds").record(seconds);
}
