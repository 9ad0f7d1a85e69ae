//! Live push latency: a change sent on one socket, until it arrives on another socket that
//! holds the same case, on one server or across two `casesync serve` processes on one
//! PostgreSQL database (the second instance learns of the change through LISTEN/NOTIFY).
//! The writer waits for each acknowledgement and pauses 20 ms before the next change, so
//! the samples are independent; the reader runs in its own thread.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use automerge::{ActorId, ChangeHash};

use crate::fleet::{self, T0};
use crate::peer::{BenchPeer, Endpoint};
use crate::target::Target;

const WAIT: Duration = Duration::from_secs(60);

pub fn run(
    target: &Target,
    instances: usize,
    samples: usize,
) -> anyhow::Result<(String, serde_json::Value)> {
    let (first, fleet) = target.start(2)?;
    let second = match (instances, target.casesync_config()) {
        (1, _) => None,
        (2, Some(casesync)) if casesync.database_url.starts_with("postgres") => {
            Some(casesync.serve()?)
        }
        _ => bail!("two instances need casesync on PostgreSQL"),
    };
    let endpoint = |port: u16, i: usize| Endpoint {
        ws_url: target.ws_url(port),
        token: fleet.devices[i].token.clone(),
    };
    let reader_port = second.as_ref().map_or(first.port, |s| s.port);
    let mut writer = BenchPeer::connect(&endpoint(first.port, 0), ActorId::random())?;
    let mut reader = BenchPeer::connect(&endpoint(reader_port, 1), ActorId::random())?;
    let (case, doc) = fleet::new_case(&fleet, "Latency", writer.actor.clone())?;
    writer.hold(case, doc)?;
    let heads = writer.heads(&case);
    writer.pump_until(WAIT, "the case stored", |p| {
        heads.iter().all(|h| p.acknowledged(&case, h))
    })?;
    reader.request(case)?;
    reader.pump_until(WAIT, "the case on the reader", |p| {
        p.has_all(&case, heads.iter())
    })?;

    let (tx, rx) = mpsc::channel::<(ChangeHash, Instant)>();
    let reading = std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
        let mut waiting: Vec<(ChangeHash, Instant)> = Vec::new();
        let mut seen = Vec::new();
        loop {
            // Look for arrivals right after each frame, and only then wait for the next: a
            // change sent while the reader waited in `pump` has arrived by the time it
            // returns, and checking before the next wait keeps that wait out of the figure.
            waiting.extend(rx.try_iter());
            waiting.retain(|(hash, sent)| {
                let arrived = reader.has_all(&case, [hash].into_iter());
                if arrived {
                    seen.push(sent.elapsed());
                }
                !arrived
            });
            if seen.len() >= samples {
                break;
            }
            if waiting.iter().any(|(_, sent)| sent.elapsed() > WAIT) {
                bail!("a change never reached the reader");
            }
            reader.pump()?;
        }
        reader.close();
        Ok(seen)
    });
    let mut acks = Vec::new();
    let device = fleet.devices[0].clone();
    for s in 0..samples {
        let doc = &mut writer.docs.get_mut(&case).context("case")?.doc;
        let hash = fleet::observe(doc, &device, &format!("lat-{s}"), T0 + s as i64)?;
        let sent = Instant::now();
        tx.send((hash, sent))?;
        writer.sync(case, false)?;
        writer.pump_until(WAIT, "an acknowledgement", |p| p.acknowledged(&case, &hash))?;
        acks.push(sent.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut pushes = reading
        .join()
        .map_err(|_| anyhow::anyhow!("reader panicked"))??;
    writer.close();
    if let Some(second) = second {
        second.stop()?;
    }
    first.stop()?;
    acks.sort();
    pushes.sort();
    let ms = |sorted: &[Duration], p: f64| {
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let setup = match instances {
        2 => format!("{}, two instances", target.label()),
        _ => format!("{}, one instance", target.label()),
    };
    let line = format!(
        "| {setup} | {samples} | {:.1} | {:.1} | {:.1} | {:.1} |",
        ms(&pushes, 0.5),
        ms(&pushes, 0.99),
        ms(&acks, 0.5),
        ms(&acks, 0.99),
    );
    let json = serde_json::json!({
        "latency": setup,
        "samples": samples,
        "push_p50_ms": ms(&pushes, 0.5),
        "push_p99_ms": ms(&pushes, 0.99),
        "ack_p50_ms": ms(&acks, 0.5),
        "ack_p99_ms": ms(&acks, 0.99),
    });
    Ok((line, json))
}
