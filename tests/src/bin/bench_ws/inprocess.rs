//! The in-process limit for the throughput scenario: the same N x M changes (alternately in
//! each device's own case and in the shared cases, one change per message) merged the way a
//! server receives them over live sockets, one at a time in arrival order, with no network
//! and no database.
//!
//! - `apply`: `apply_changes` alone: the ceiling of any automerge sync server;
//! - `admit`: what casesync's admission does besides storage, as the engine does it: decode,
//!   apply (logging what changed), the real admission check of the sync crate (`check_case`:
//!   case shape, identity, role permissions) and the encoding of the increment to store
//!   (`save_after`).
//!
//! Same idea as `bench_inprocess` (which merges one batch per device and document, as batch
//! sync receives them).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use automerge::{ActorId, Automerge, Change, PatchLog};
use casesync_contract::{DocumentId, Role};
use casesync_sync::admission::check_case;
use casesync_sync::Writer;

use crate::fleet::{self, T0};
use crate::throughput::Options;

/// One change as it reaches the server.
struct Arrival {
    document: DocumentId,
    device: usize,
    bytes: Vec<u8>,
}

pub fn run(options: Options) -> anyhow::Result<(String, serde_json::Value)> {
    let fleet = fleet::anonymous(options.devices);
    let mut bases: HashMap<DocumentId, Vec<u8>> = HashMap::new();
    let mut shared = Vec::new();
    for k in 0..options.shared {
        let (id, mut doc) = fleet::new_case(&fleet, &format!("Shared {k}"), ActorId::random())?;
        bases.insert(id, doc.save());
        shared.push((id, doc));
    }
    // Every device's changes, recorded offline on forks of the shared cases and its own.
    let mut per_device: Vec<Vec<Arrival>> = Vec::new();
    for (i, device) in fleet.devices.iter().enumerate() {
        let actor = ActorId::random();
        let (own, mut own_doc) = fleet::new_case(&fleet, &format!("Own {i}"), actor.clone())?;
        bases.insert(own, own_doc.save());
        let mut forks: Vec<_> = shared
            .iter_mut()
            .map(|(id, d)| (*id, d.fork().with_actor(actor.clone())))
            .collect();
        let mut arrivals = Vec::new();
        for j in 0..options.changes {
            let at = T0 + 60_000 * (j as i64 + 1) + i as i64;
            let (id, doc) = if j % 2 == 0 {
                (own, &mut own_doc)
            } else {
                let (id, doc) = &mut forks[(j / 2 + i) % options.shared];
                (*id, doc)
            };
            let hash = fleet::observe(doc, device, &format!("obs-{i}-{j}"), at)?;
            let change = doc.get_change_by_hash(&hash).expect("own change");
            arrivals.push(Arrival {
                document: id,
                device: i,
                bytes: change.raw_bytes().to_vec(),
            });
        }
        per_device.push(arrivals);
    }
    // Arrival order: every device's first change, then every device's second, ...
    let mut order = Vec::new();
    for j in 0..options.changes {
        for arrivals in per_device.iter_mut() {
            if j < arrivals.len() {
                order.push(std::mem::replace(
                    &mut arrivals[j],
                    Arrival {
                        document: DocumentId::random(),
                        device: 0,
                        bytes: vec![],
                    },
                ));
            }
        }
    }
    let total = order.len();
    let writer = |device: usize| Writer {
        device: format!("device{device}"),
        user: format!("user{device}"),
        role: Some(Role::ReceptionStaff),
        organisation: fleet.organisation.clone(),
        site: Some(fleet.site.clone()),
        peer: None,
    };

    let apply = merge(&bases, &order, |doc, arrival| {
        let change = Change::from_bytes(arrival.bytes.clone()).expect("change");
        let started = Instant::now();
        doc.apply_changes([change]).expect("apply");
        started.elapsed()
    });
    let admit = merge(&bases, &order, |doc, arrival| {
        let started = Instant::now();
        let before = doc.get_heads();
        let change = Change::from_bytes(arrival.bytes.clone()).expect("change");
        let mut changed = PatchLog::active();
        doc.apply_changes_log_patches([change], &mut changed)
            .expect("apply");
        let patches = doc.make_patches(&mut changed);
        check_case(
            doc,
            &arrival.document,
            &before,
            &writer(arrival.device),
            &patches,
        )
        .expect("admitted");
        assert!(!doc.save_after(&before).is_empty());
        started.elapsed()
    });
    let rate = |d: Duration| total as f64 / d.as_secs_f64();
    let lines = format!(
        "| in-process: automerge `apply_changes` alone | {total} | {:.3} | {:.0} |\n\
         | in-process: casesync admission without storage (apply + `check_case` + `save_after`) | {total} | {:.3} | {:.0} |",
        apply.as_secs_f64(),
        rate(apply),
        admit.as_secs_f64(),
        rate(admit),
    );
    let json = serde_json::json!({
        "server": "in-process",
        "changes": total,
        "apply_per_s": rate(apply),
        "admit_per_s": rate(admit),
    });
    Ok((lines, json))
}

/// Total time `step` reports over every arrival, each document loaded fresh from its base.
fn merge(
    bases: &HashMap<DocumentId, Vec<u8>>,
    order: &[Arrival],
    mut step: impl FnMut(&mut Automerge, &Arrival) -> Duration,
) -> Duration {
    let mut docs: HashMap<DocumentId, Automerge> = bases
        .iter()
        .map(|(id, bytes)| (*id, Automerge::load(bytes).expect("base loads")))
        .collect();
    order
        .iter()
        .map(|arrival| step(docs.get_mut(&arrival.document).expect("doc"), arrival))
        .sum()
}
