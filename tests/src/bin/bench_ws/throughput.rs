//! The throughput scenario, the same for every server. Set-up (not timed): device 0 opens
//! the shared cases; each device in turn opens a case of its own (one at a time: a new case
//! makes casesync refresh the caseload of every open session); then all devices connect,
//! each on its own socket, and fetch the shared cases. Timed: each device records M
//! observations, one change each, alternately in its own case and in a shared case, sending
//! each at once and waiting for the server's acknowledgement before the next (as a phone
//! on a live link does). Done when every device holds every change of every shared case.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use automerge::{ActorId, ChangeHash};
use casesync_contract::DocumentId;

use crate::fleet::{self, Fleet, T0};
use crate::peer::{BenchPeer, Endpoint, Held};
use crate::process::ServerProcess;
use crate::report::{DeviceTraffic, Row};
use crate::target::Target;

/// How long any one step may take before the run fails (`BENCH_WAIT_SECS`, default 600).
pub fn wait() -> Duration {
    let secs = std::env::var("BENCH_WAIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

#[derive(Clone, Copy)]
pub struct Options {
    pub devices: usize,
    pub changes: usize,
    pub shared: usize,
}

/// What every device thread shares.
struct Race {
    barrier: Barrier,
    start: OnceLock<Instant>,
    /// Per shared case, the hashes of every change recorded into it so far.
    expected: Mutex<Vec<Vec<ChangeHash>>>,
    acked: AtomicUsize,
    converged: AtomicUsize,
}

struct Prepared {
    actor: ActorId,
    own: DocumentId,
    docs: HashMap<DocumentId, Held>,
}

pub fn run(target: &Target, options: Options) -> anyhow::Result<Row> {
    let (server, fleet) = target.start(options.devices)?;
    let port = server.port;
    let endpoint = |i: usize| Endpoint {
        ws_url: target.ws_url(port),
        token: fleet.devices[i].token.clone(),
    };
    eprintln!("[{}] set-up: shared and own cases", target.label());
    let actors: Vec<ActorId> = (0..options.devices).map(|_| ActorId::random()).collect();
    let mut creator = BenchPeer::connect(&endpoint(0), actors[0].clone())?;
    let mut shared = Vec::new();
    for k in 0..options.shared {
        let (id, doc) = fleet::new_case(&fleet, &format!("Shared {k}"), actors[0].clone())?;
        store(&mut creator, id, doc)?;
        shared.push(id);
    }
    let shared_heads: Vec<Vec<ChangeHash>> = shared.iter().map(|id| creator.heads(id)).collect();
    creator.close();
    let mut prepared = Vec::new();
    for (i, actor) in actors.iter().enumerate() {
        let mut peer = BenchPeer::connect(&endpoint(i), actor.clone())?;
        let (own, doc) = fleet::new_case(&fleet, &format!("Own {i}"), actor.clone())?;
        store(&mut peer, own, doc)?;
        prepared.push(Prepared {
            actor: actor.clone(),
            own,
            docs: peer.close(),
        });
    }

    let race = Race {
        barrier: Barrier::new(options.devices + 1),
        start: OnceLock::new(),
        expected: Mutex::new(vec![Vec::new(); options.shared]),
        acked: AtomicUsize::new(0),
        converged: AtomicUsize::new(0),
    };
    eprintln!("[{}] {} devices connect", target.label(), options.devices);
    let (traffic, cpu, acked_cpu) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let handles: Vec<_> = prepared
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let (race, fleet, shared, heads) = (&race, &fleet, &shared, &shared_heads);
                let endpoint = endpoint(i);
                scope.spawn(move || device(i, p, &endpoint, fleet, shared, heads, race, options))
            })
            .collect();
        let (cpu0, acked_cpu, cpu) = watch(&server, &race, &handles, options.devices)?;
        let traffic = handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow::anyhow!("device panicked"))?)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok((
            traffic,
            cpu.saturating_sub(cpu0),
            acked_cpu.saturating_sub(cpu0),
        ))
    })?;
    check_converged(&traffic, options.shared)?;
    let (_, peak) = server.memory();
    let flush = server.stop()?;
    eprintln!("[{}] restart and read every document back", target.label());
    let restarted = target.restart()?;
    verify_stored(&restarted, target, &endpoint(0), &traffic, &shared)?;
    restarted.stop()?;
    Ok(Row::new(
        target, options, &traffic, cpu, acked_cpu, peak, flush,
    ))
}

/// Sends a new document and waits until the server acknowledges it.
fn store(peer: &mut BenchPeer, id: DocumentId, doc: automerge::AutoCommit) -> anyhow::Result<()> {
    peer.hold(id, doc)?;
    let head = peer.heads(&id);
    peer.pump_until(wait(), "a new case acknowledged", |p| {
        head.iter().all(|h| p.acknowledged(&id, h))
    })
}

/// Releases the devices and reads the server's CPU time at the start, when every change is
/// acknowledged and when every device has every change.
fn watch<T>(
    server: &ServerProcess,
    race: &Race,
    handles: &[std::thread::ScopedJoinHandle<'_, anyhow::Result<T>>],
    n: usize,
) -> anyhow::Result<(Duration, Duration, Duration)> {
    let cpu0 = server.cpu();
    let _ = race.start.set(Instant::now());
    race.barrier.wait();
    let mut acked_cpu = None;
    while race.converged.load(Ordering::SeqCst) < n {
        if acked_cpu.is_none() && race.acked.load(Ordering::SeqCst) == n {
            acked_cpu = Some(server.cpu());
        }
        if handles.iter().any(|h| h.is_finished()) {
            break; // a device failed: joining reports why
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let cpu = server.cpu();
    Ok((cpu0, acked_cpu.unwrap_or(cpu), cpu))
}

#[allow(clippy::too_many_arguments)]
fn device(
    i: usize,
    prepared: Prepared,
    endpoint: &Endpoint,
    fleet: &Fleet,
    shared: &[DocumentId],
    shared_heads: &[Vec<ChangeHash>],
    race: &Race,
    options: Options,
) -> anyhow::Result<DeviceTraffic> {
    let me = &fleet.devices[i];
    let mut peer = BenchPeer::connect(endpoint, prepared.actor)?;
    let own = prepared.own;
    let own_head = prepared.docs[&own].doc.clone().get_heads();
    peer.adopt(prepared.docs)?;
    for id in shared {
        peer.request(*id)?;
    }
    peer.pump_until(wait(), "the shared cases", |p| {
        shared
            .iter()
            .zip(shared_heads)
            .all(|(id, heads)| p.has_all(id, heads.iter()))
            && own_head.iter().all(|h| p.acknowledged(&own, h))
    })?;
    race.barrier.wait();
    let start = *race.start.get().context("start time")?;
    let (read0, written0) = peer.bytes();
    let (in0, out0) = (peer.frames_in, peer.frames_out);

    for j in 0..options.changes {
        let (case, k) = if j % 2 == 0 {
            (own, None)
        } else {
            let k = (j / 2 + i) % shared.len();
            (shared[k], Some(k))
        };
        let at = T0 + 60_000 * (j as i64 + 1) + i as i64;
        let doc = &mut peer.docs.get_mut(&case).context("case held")?.doc;
        let change = fleet::observe(doc, me, &format!("obs-{i}-{j}"), at)?;
        if let Some(k) = k {
            race.expected.lock().map_err(|_| anyhow::anyhow!("lock"))?[k].push(change);
        }
        peer.sync(case, false)?;
        peer.pump_until(wait(), "an acknowledgement", |p| {
            p.acknowledged(&case, &change)
        })?;
    }
    let acked = start.elapsed();
    race.acked.fetch_add(1, Ordering::SeqCst);
    peer.pump_until(wait(), "every device's acknowledgements", |_| {
        race.acked.load(Ordering::SeqCst) == options.devices
    })?;
    let expected = race
        .expected
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone();
    // How many of each case's changes are known here, so that each check looks only at
    // the ones not seen yet (changes never leave a document).
    let mut held = vec![0usize; shared.len()];
    peer.pump_until(wait(), "every change of the shared cases", |p| {
        shared
            .iter()
            .zip(&expected)
            .zip(held.iter_mut())
            .all(|((id, hashes), held)| {
                while *held < hashes.len() && p.has_all(id, hashes[*held..=*held].iter()) {
                    *held += 1;
                }
                *held == hashes.len()
            })
    })?;
    let converged = start.elapsed();
    let (read, written) = peer.bytes();
    let traffic = DeviceTraffic {
        acked,
        converged,
        bytes_down: read - read0,
        bytes_up: written - written0,
        frames_down: peer.frames_in - in0,
        frames_up: peer.frames_out - out0,
        heads: shared
            .iter()
            .chain([&own])
            .map(|id| (*id, sorted(peer.heads(id))))
            .collect(),
    };
    race.converged.fetch_add(1, Ordering::SeqCst);
    // Keep answering the server until everyone is done, as a connected phone would.
    peer.pump_until(wait(), "every device converged", |_| {
        race.converged.load(Ordering::SeqCst) == options.devices
    })?;
    peer.close();
    Ok(traffic)
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// Every device ends with the same heads for every shared case.
fn check_converged(traffic: &[DeviceTraffic], shared: usize) -> anyhow::Result<()> {
    let first = traffic.first().context("no devices")?;
    for t in traffic {
        for (id, heads) in t.heads.iter().take(shared) {
            if first.heads.iter().find(|(i, _)| i == id).map(|(_, h)| h) != Some(heads) {
                bail!("devices disagree on the heads of {id}");
            }
        }
    }
    Ok(())
}

/// After a restart, a fresh peer reads every document back with the heads the devices have:
/// every acknowledged change was stored.
fn verify_stored(
    server: &ServerProcess,
    target: &Target,
    endpoint: &Endpoint,
    traffic: &[DeviceTraffic],
    shared: &[DocumentId],
) -> anyhow::Result<()> {
    let endpoint = Endpoint {
        ws_url: target.ws_url(server.port),
        ..endpoint.clone()
    };
    let mut expected: HashMap<DocumentId, Vec<ChangeHash>> = HashMap::new();
    for t in traffic {
        for (id, heads) in &t.heads {
            expected.insert(*id, heads.clone());
        }
    }
    let mut reader = BenchPeer::connect(&endpoint, ActorId::random())?;
    for id in expected.keys() {
        reader.request(*id)?;
    }
    reader.pump_until(wait(), "every stored document", |p| {
        expected
            .iter()
            .all(|(id, heads)| sorted(p.heads(id)) == *heads)
    })?;
    eprintln!(
        "[{}] verified {} documents ({} shared) after restart",
        target.label(),
        expected.len(),
        shared.len()
    );
    reader.close();
    Ok(())
}
