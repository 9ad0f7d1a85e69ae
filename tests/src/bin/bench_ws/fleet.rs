//! The simulated devices: one organisation with one reception centre and N reception staff
//! with a phone each, enrolled through `casesync admin ... --json` (the Node server has no
//! accounts: the same devices without tokens). Also the case documents they write.

use std::collections::BTreeMap;
use std::sync::Mutex;

use anyhow::Context;
use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::case::{self, CaseLog, Millis, NewCase, Observation, Str};
use casesync_contract::DocumentId;

use crate::process::Casesync;

/// 2026-11-28T08:00:00Z, as in the tests.
pub const T0: i64 = 1_795_852_800_000;

pub struct Fleet {
    pub organisation: String,
    pub site: String,
    pub devices: Vec<FleetDevice>,
}

#[derive(Clone)]
pub struct FleetDevice {
    pub device_id: String,
    pub user_id: String,
    pub token: Option<String>,
}

fn text(value: &serde_json::Value, key: &str) -> anyhow::Result<String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no \"{key}\" in {value}"))
}

/// Enrols `n` phones of users with `role` (e.g. `reception_staff`) at one site of a new
/// organisation, `casesync admin` calls in `parallel` threads (1 for SQLite: concurrent
/// admin commands there may fail with "database is locked").
pub fn enrol(casesync: &Casesync, n: usize, role: &str, parallel: usize) -> anyhow::Result<Fleet> {
    let org = casesync.admin(&["org", "add", "Bench Org"])?;
    let organisation = text(&org, "id")?;
    let site = casesync.admin(&["site", "add", "--org", &organisation, "Bench Centre"])?;
    let site = text(&site, "id")?;
    let enrolled = Mutex::new(vec![None; n]);
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..parallel.max(1))
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let i = {
                            let mut next = next.lock().map_err(|_| anyhow::anyhow!("lock"))?;
                            *next += 1;
                            *next - 1
                        };
                        if i >= n {
                            return Ok(());
                        }
                        let name = format!("worker{i}");
                        let user = casesync.admin(&[
                            "user",
                            "add",
                            "--org",
                            &organisation,
                            "--site",
                            &site,
                            "--role",
                            role,
                            &name,
                        ])?;
                        let user_id = text(&user, "id")?;
                        let device = casesync.admin(&[
                            "device",
                            "add",
                            "--user",
                            &user_id,
                            &format!("{name}'s phone"),
                        ])?;
                        let found = FleetDevice {
                            device_id: text(&device, "device_id")?,
                            user_id,
                            token: Some(text(&device, "token")?),
                        };
                        enrolled.lock().map_err(|_| anyhow::anyhow!("lock"))?[i] = Some(found);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("enrolment thread panicked"))??;
        }
        Ok(())
    })?;
    let devices = enrolled
        .into_inner()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .context("every device enrolled")?;
    Ok(Fleet {
        organisation,
        site,
        devices,
    })
}

/// The same devices for a server without accounts.
pub fn anonymous(n: usize) -> Fleet {
    Fleet {
        organisation: "bench-org".into(),
        site: "bench-site".into(),
        devices: (0..n)
            .map(|i| FleetDevice {
                device_id: format!("device{i}"),
                user_id: format!("user{i}"),
                token: None,
            })
            .collect(),
    }
}

/// A new case document, as a phone opens it offline.
pub fn new_case(
    fleet: &Fleet,
    name: &str,
    actor: ActorId,
) -> anyhow::Result<(DocumentId, AutoCommit)> {
    let id = DocumentId::random();
    let new = NewCase {
        case_id: id,
        organisation: fleet.organisation.clone(),
        site: fleet.site.clone(),
        jurisdiction: None,
        created_at: T0,
        profile: BTreeMap::from([("given_name".to_string(), name.to_string())]),
    };
    let mut doc = case::new_case_document(&new, actor)?;
    doc.commit();
    Ok((id, doc))
}

/// Records one observation as one change; returns its hash.
pub fn observe(
    doc: &mut AutoCommit,
    device: &FleetDevice,
    entry: &str,
    at: i64,
) -> anyhow::Result<ChangeHash> {
    let observation = Observation {
        id: Str::from(entry),
        kind: Str::from("sighting"),
        text: Str::from("seen at the station"),
        observed_at: Millis(at),
        place: Some(Str::from("transit point")),
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
        attachments: None,
        provenance: None,
    };
    case::append(doc, CaseLog::Observations, &observation)?;
    doc.commit();
    doc.get_heads()
        .first()
        .copied()
        .context("a head after the commit")
}
