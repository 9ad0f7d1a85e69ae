//! Memory with many documents: a casesync server with a short idle time
//! (`CASESYNC_IDLE_DOCUMENT_SECS`) stores N case documents made by four phones over batch
//! sync, then one phone reads every one of them over one WebSocket, twice, with idle pauses
//! between. A sampler reads the server's resident memory every 100 ms; the documents held in
//! memory come from the server's `/metrics` (`casesync_documents_loaded`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use automerge::ActorId;
use casesync_contract::wire::DocumentStatus;
use casesync_contract::DocumentId;
use casesync_tests::device::Device;

use crate::fleet::{Fleet, T0};
use crate::peer::{BenchPeer, Endpoint, Heard};
use crate::process::ServerProcess;
use crate::target::Target;

const CREATORS: usize = 4;
const PER_REQUEST: usize = 100;
const IN_FLIGHT: usize = 200;

struct Phase {
    name: String,
    seconds: f64,
    rss_end: u64,
    rss_peak: u64,
    loaded: Option<u64>,
}

pub fn run(
    target: &Target,
    documents: usize,
    idle_secs: usize,
) -> anyhow::Result<(String, serde_json::Value)> {
    if target.casesync_config().is_none() {
        bail!("the memory scenario runs casesync");
    }
    let (server, fleet) = target.start(CREATORS + 1)?;
    let peak = Mutex::new(0u64);
    let done = AtomicBool::new(false);
    let mut phases = Vec::new();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                let (rss, _) = server.memory();
                if let Ok(mut p) = peak.lock() {
                    *p = (*p).max(rss);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let mut phase = |name: &str, work: &mut dyn FnMut() -> anyhow::Result<()>| {
            if let Ok(mut p) = peak.lock() {
                *p = server.memory().0;
            }
            let started = Instant::now();
            let result = work();
            let (rss_end, _) = server.memory();
            phases.push(Phase {
                name: name.to_string(),
                seconds: started.elapsed().as_secs_f64(),
                rss_end,
                rss_peak: peak.lock().map(|p| (*p).max(rss_end)).unwrap_or(rss_end),
                loaded: loaded(&server),
            });
            eprintln!("[memory] {name}: done");
            result
        };
        // Eviction runs every idle period: wait two of them and a margin.
        let settle = Duration::from_secs(2 * idle_secs as u64 + 3);
        let mut ids = Vec::new();
        let outcome = (|| -> anyhow::Result<()> {
            phase("started, nothing loaded", &mut || Ok(()))?;
            phase(
                &format!("{documents} cases created over batch sync"),
                &mut || {
                    ids = create(&server, &fleet, documents)?;
                    Ok(())
                },
            )?;
            for round in ["first", "second"] {
                phase("idle", &mut || {
                    std::thread::sleep(settle);
                    Ok(())
                })?;
                phase(
                    &format!("{round} read of every case over one WebSocket"),
                    &mut || read_all(&server, target, &fleet, &ids),
                )?;
            }
            phase("idle", &mut || {
                std::thread::sleep(settle);
                Ok(())
            })
        })();
        done.store(true, Ordering::SeqCst);
        outcome
    })?;
    let (_, hwm) = server.memory();
    server.stop()?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let lines: Vec<String> = phases
        .iter()
        .map(|p| {
            format!(
                "| {} | {:.1} | {:.0} | {:.0} | {} |",
                p.name,
                p.seconds,
                mib(p.rss_peak),
                mib(p.rss_end),
                p.loaded.map_or("?".to_string(), |n| n.to_string()),
            )
        })
        .collect();
    let json = serde_json::json!({
        "memory": target.label(),
        "documents": documents,
        "idle_secs": idle_secs,
        "peak_rss": hwm,
        "phases": phases.iter().map(|p| serde_json::json!({
            "phase": p.name, "seconds": p.seconds, "rss_peak": p.rss_peak,
            "rss_end": p.rss_end, "loaded": p.loaded,
        })).collect::<Vec<_>>(),
    });
    Ok((lines.join("\n"), json))
}

/// Four phones open `n` cases between them, 100 per batch request.
fn create(server: &ServerProcess, fleet: &Fleet, n: usize) -> anyhow::Result<Vec<DocumentId>> {
    let made = Mutex::new(Vec::with_capacity(n));
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..CREATORS)
            .map(|c| {
                let made = &made;
                scope.spawn(move || -> anyhow::Result<()> {
                    let d = &fleet.devices[c];
                    let mut phone = Device::new(
                        &format!("creator{c}"),
                        &d.device_id,
                        &d.user_id,
                        &fleet.organisation,
                        Some(&fleet.site),
                        d.token.as_deref().context("token")?,
                        &server.base_url(),
                    );
                    let mine = n / CREATORS + usize::from(c < n % CREATORS);
                    let mut count = 0;
                    while count < mine {
                        let batch = PER_REQUEST.min(mine - count);
                        for i in 0..batch {
                            phone.open_case(&[("given_name", &format!("C{c}-{}", count + i))], T0);
                        }
                        let request = phone.sync_request();
                        let response = phone
                            .post_sync(&request)
                            .map_err(|e| anyhow::anyhow!("batch sync: {e:?}"))?;
                        if response
                            .documents
                            .iter()
                            .any(|d| d.status != DocumentStatus::Ok)
                        {
                            bail!("a case was not stored");
                        }
                        let ids: Vec<DocumentId> = phone.docs.keys().copied().collect();
                        made.lock()
                            .map_err(|_| anyhow::anyhow!("lock"))?
                            .extend(ids);
                        phone.docs.clear();
                        count += batch;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("creator panicked"))??;
        }
        Ok(())
    })?;
    made.into_inner().map_err(|_| anyhow::anyhow!("lock"))
}

/// One phone requests every case, at most 200 at a time, then disconnects.
fn read_all(
    server: &ServerProcess,
    target: &Target,
    fleet: &Fleet,
    ids: &[DocumentId],
) -> anyhow::Result<()> {
    let endpoint = Endpoint {
        ws_url: target.ws_url(server.port),
        token: fleet.devices[CREATORS].token.clone(),
    };
    let mut phone = BenchPeer::connect(&endpoint, ActorId::random())?;
    let mut next = ids.iter();
    let mut in_flight = std::collections::HashSet::new();
    let mut read = 0;
    let deadline = Instant::now() + Duration::from_secs(1800);
    while read < ids.len() {
        while in_flight.len() < IN_FLIGHT {
            let Some(id) = next.next() else { break };
            phone.request(*id)?;
            in_flight.insert(*id);
        }
        match phone.pump()? {
            Heard::Sync(id) if in_flight.contains(&id) && !phone.heads(&id).is_empty() => {
                in_flight.remove(&id);
                read += 1;
            }
            Heard::Unavailable(id) => bail!("case {id} unavailable"),
            _ => {}
        }
        if Instant::now() > deadline {
            bail!("read {read} of {} cases in 30 minutes", ids.len());
        }
    }
    phone.close();
    Ok(())
}

/// `casesync_documents_loaded` from the server's Prometheus endpoint, when it has one.
fn loaded(server: &ServerProcess) -> Option<u64> {
    let text = reqwest::blocking::get(format!("{}/metrics", server.base_url()))
        .ok()?
        .text()
        .ok()?;
    text.lines()
        .find(|l| l.starts_with("casesync_documents_loaded"))?
        .split_whitespace()
        .last()?
        .parse::<f64>()
        .ok()
        .map(|v| v as u64)
}
