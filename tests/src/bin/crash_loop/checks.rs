//! What must hold after every restart. Checked in this order, because each step changes what
//! the next one sees: what the server stored before any phone sends anything again, then the
//! phones' resync, then the alerts the stored reports imply, their delivery, duplicates and
//! the audit chain.
//!
//! The checks read incrementally: the checker keeps its copy of each document and asks only
//! for what it lacks, and each phone's acknowledged changes are checked from where the last
//! cycle left off. Otherwise every cycle would read the alert documents' whole history again
//! and a long run would slow down cycle after cycle. A full cycle (the first, every
//! [`FULL_EVERY`]th and the last) reads everything from scratch, checks every acknowledged
//! change again (a change lost after it was once found stored shows there) and verifies the
//! audit chain, whose verification reads the whole log.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ChangeHash, ReadDoc, ROOT};
use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::read_case;
use casesync_contract::wire::{DocumentPush, SyncRequest};
use casesync_contract::DocumentId;
use casesync_tests::process::Casesync;

use crate::cast::Cast;

/// How long derived alerts may take after a restart.
const DERIVE_WAIT: Duration = Duration::from_secs(30);

/// How often a cycle reads and checks everything again.
pub const FULL_EVERY: u32 = 25;

/// What the checker has read of the server, and up to which heads each phone's acknowledged
/// changes were found stored.
#[derive(Default)]
pub struct Seen {
    replicas: BTreeMap<DocumentId, AutoCommit>,
    /// By phone (its index in the cast) and document.
    verified: BTreeMap<(usize, DocumentId), Vec<ChangeHash>>,
}

#[derive(Debug, Default)]
pub struct Totals {
    pub cycles: u64,
    pub acknowledged: u64,
    pub missing_reports: u64,
    pub deliveries: u64,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.cycles += other.cycles;
        self.acknowledged += other.acknowledged;
        self.missing_reports += other.missing_reports;
        self.deliveries += other.deliveries;
    }

    pub fn describe(&self) -> String {
        format!(
            "{} acknowledged changes found stored, {} missing reports with one alert each, {} alert deliveries",
            self.acknowledged, self.missing_reports, self.deliveries
        )
    }
}

/// A missing alert as an alert document holds it.
pub struct HeldAlert {
    pub id: String,
    pub case: String,
}

/// The missing alerts in an alert document.
pub fn missing_alerts_in(doc: &AutoCommit) -> Vec<HeldAlert> {
    let Ok(Some((_, alerts))) = doc.get(ROOT, "alerts") else {
        return vec![];
    };
    doc.keys(&alerts)
        .filter_map(|id| {
            let (_, entry) = doc.get(&alerts, id.as_str()).ok().flatten()?;
            let field = |k: &str| {
                doc.get(&entry, k)
                    .ok()
                    .flatten()
                    .and_then(|(v, _)| v.as_str().map(str::to_string))
            };
            (field("kind")? == AlertKind::Missing.as_str()).then(|| HeldAlert {
                case: field("case_id").unwrap_or_default(),
                id,
            })
        })
        .collect()
}

pub fn run(
    casesync: &Casesync,
    cast: &mut Cast,
    urls: &[String],
    seen: &mut Seen,
    full: bool,
) -> Result<Totals, String> {
    let mut totals = Totals {
        cycles: 1,
        ..Totals::default()
    };
    cast.checker.set_base_url(&urls[0]);
    let ids: BTreeSet<DocumentId> = cast
        .phones
        .iter()
        .flat_map(|p| p.device.docs.keys().copied())
        .collect();

    // 1. Before anyone resends: every acknowledged change is stored.
    if full {
        seen.replicas.clear();
        seen.verified.clear();
    }
    pull(cast, &ids, seen)?;
    for (n, phone) in cast.phones.iter_mut().enumerate() {
        seen.verified
            .retain(|(p, id), _| *p != n || phone.device.docs.contains_key(id));
        for (id, local) in phone.device.docs.iter_mut() {
            if local.acked.is_empty() {
                continue;
            }
            let checked_up_to = seen.verified.get(&(n, *id)).cloned().unwrap_or_default();
            let covered = local
                .doc
                .fork_at(&local.acked)
                .map_err(|e| format!("{}: acknowledged heads not held: {e}", phone.device.name))?
                .get_changes(&checked_up_to)
                .iter()
                .map(|c| c.hash())
                .collect::<Vec<ChangeHash>>();
            let store = seen
                .replicas
                .get(id)
                .ok_or(format!("document {id} not stored at all"))?;
            for hash in &covered {
                if store.get_change_by_hash(hash).is_none() {
                    return Err(format!(
                        "{}: change {hash} of {id} was acknowledged and is not stored",
                        phone.device.name
                    ));
                }
            }
            totals.acknowledged += covered.len() as u64;
            seen.verified.insert((n, *id), local.acked.clone());
        }
    }

    // 2. The phones come back and send what was not acknowledged.
    for (n, phone) in cast.phones.iter_mut().enumerate() {
        phone.device.set_base_url(&urls[n % urls.len()]);
        for _ in 0..2 {
            phone.sync_once().map_err(|e| {
                format!(
                    "{} could not sync after the restart: {e:?}",
                    phone.device.name
                )
            })?;
        }
    }

    // 3. Every stored missing report has exactly one alert, and no entry is stored twice.
    pull(cast, &ids, seen)?;
    let mut reported = BTreeSet::new();
    for (id, doc) in &seen.replicas {
        let Ok(case) = read_case(doc) else { continue };
        let observations: Vec<&str> = case.observations.iter().map(|o| o.id.as_str()).collect();
        if observations.iter().collect::<BTreeSet<_>>().len() != observations.len() {
            return Err(format!("case {id} holds an observation twice"));
        }
        let missing = case
            .episodes
            .iter()
            .flat_map(|e| e.events.iter())
            .any(|ev| ev.state.as_str() == "missing");
        if missing {
            reported.insert(id.to_string());
        }
    }
    let alerts = wait_for_alerts(&urls[0], &cast.checker.token, &reported)?;
    totals.missing_reports += reported.len() as u64;

    // 4. Every phone of the centre, and the coordinator, holds each of them once synced.
    for phone in &mut cast.phones {
        phone
            .sync_once()
            .map_err(|e| format!("{}: {e:?}", phone.device.name))?;
        phone
            .sync_once()
            .map_err(|e| format!("{}: {e:?}", phone.device.name))?;
        let held: BTreeSet<String> = phone
            .alert_docs
            .iter()
            .filter_map(|id| phone.device.docs.get(id))
            .flat_map(|local| missing_alerts_in(&local.doc))
            .map(|a| a.case)
            .collect();
        for case in &reported {
            if !held.contains(case) {
                return Err(format!(
                    "{} does not hold the missing alert of case {case} after syncing ({} alerts listed)",
                    phone.device.name,
                    alerts.len()
                ));
            }
            totals.deliveries += 1;
        }
    }

    // 5. The audit chain is whole.
    if !full {
        return Ok(totals);
    }
    let (ok, output) = casesync
        .run(&["audit", "verify"])
        .map_err(|e| format!("audit verify did not run: {e}"))?;
    if !ok {
        return Err(format!("casesync audit verify failed: {output}"));
    }
    Ok(totals)
}

/// Brings the checker's copies of `ids` up to what the server stores (its heads sent, no
/// changes: it writes nothing); copies of other documents are dropped.
fn pull(cast: &Cast, ids: &BTreeSet<DocumentId>, seen: &mut Seen) -> Result<(), String> {
    seen.replicas.retain(|id, _| ids.contains(id));
    let request = SyncRequest {
        include_new: false,
        documents: ids
            .iter()
            .map(|id| DocumentPush {
                id: *id,
                heads: seen.replicas.get_mut(id).map_or_else(Vec::new, |doc| {
                    doc.get_heads().iter().map(|h| h.to_string()).collect()
                }),
                changes: vec![],
            })
            .collect(),
        scope_digest: None,
    };
    let response = cast
        .checker
        .post_sync(&request)
        .map_err(|e| format!("checker could not read: {e:?}"))?;
    for reply in response.documents {
        let changes = reply
            .changes
            .into_iter()
            .filter_map(|b| automerge::Change::from_bytes(b).ok())
            .collect::<Vec<_>>();
        seen.replicas
            .entry(reply.id)
            .or_default()
            .apply_changes(changes)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Waits until every reported case has a missing alert, then checks it has exactly one.
fn wait_for_alerts(
    base_url: &str,
    token: &str,
    reported: &BTreeSet<String>,
) -> Result<Vec<String>, String> {
    let started = Instant::now();
    loop {
        let list: AlertList = reqwest::blocking::Client::new()
            .get(format!("{base_url}/v1/alerts?all=true"))
            .bearer_auth(token)
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("alert list: {e}"))?;
        let mut per_case: BTreeMap<String, usize> = BTreeMap::new();
        for status in list
            .alerts
            .iter()
            .filter(|s| s.alert.kind == AlertKind::Missing)
        {
            *per_case
                .entry(status.alert.case_id.to_string())
                .or_default() += 1;
        }
        if let Some((case, n)) = per_case.iter().find(|(_, n)| **n > 1) {
            return Err(format!("case {case} has {n} missing alerts"));
        }
        let missing: Vec<&String> = reported
            .iter()
            .filter(|c| !per_case.contains_key(*c))
            .collect();
        if missing.is_empty() {
            return Ok(per_case.into_keys().collect());
        }
        if started.elapsed() > DERIVE_WAIT {
            return Err(format!(
                "no missing alert {DERIVE_WAIT:?} after the restart for case(s) {missing:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
