//! The phone that reports: it opens cases and records episode events over its own WebSocket
//! (the tests' automerge-repo peer), and tells when the server acknowledged them. The server
//! sends the acknowledging sync message only after the change is committed and what follows
//! from it (checklists, the alert) is written.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context};
use automerge::{ActorId, ChangeHash, ReadDoc, ROOT};
use casesync_contract::case::{self, CaseLog, Episode, EpisodeEvent, Millis, NewCase, Str};
use casesync_contract::DocumentId;
use casesync_tests::live::{connect, LivePeer};

use crate::fleet::{Fleet, Phone};

pub struct Reporter {
    peer: LivePeer,
    phone: Phone,
    organisation: String,
    site: String,
    actor: ActorId,
}

/// When a change left the reporter.
#[derive(Clone, Copy)]
pub struct Sent {
    pub at: Instant,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Reporter {
    pub fn connect(base_url: &str, fleet: &Fleet) -> anyhow::Result<Self> {
        let mut peer = connect(base_url, &fleet.reporter.token, false)?;
        peer.join();
        Ok(Self {
            peer,
            phone: fleet.reporter.clone(),
            organisation: fleet.organisation.clone(),
            site: fleet.site.clone(),
            actor: ActorId::random(),
        })
    }

    /// Opens a case for a new child and waits until the server has stored it.
    pub fn open_case(&mut self, name: &str) -> anyhow::Result<DocumentId> {
        let id = DocumentId::random();
        let new = NewCase {
            case_id: id,
            organisation: self.organisation.clone(),
            site: self.site.clone(),
            jurisdiction: None,
            created_at: now_millis(),
            profile: BTreeMap::from([("given_name".to_string(), name.to_string())]),
        };
        let doc = case::new_case_document(&new, self.actor.clone())?;
        self.peer.hold(id, doc);
        let heads = self.peer.heads(&id);
        for head in heads {
            self.wait_acked(&id, &head, Duration::from_secs(60))?;
        }
        Ok(id)
    }

    /// Records an episode event (`missing`, `located`...) as one change and sends it.
    pub fn report(&mut self, id: &DocumentId, state: &str) -> anyhow::Result<(ChangeHash, Sent)> {
        let doc = self.peer.doc(id);
        let seen: Vec<Str> = case::read_case(doc)
            .map(|c| {
                c.episodes
                    .iter()
                    .flat_map(|e| e.events.iter().map(|ev| ev.id.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let at = now_millis();
        let event = EpisodeEvent {
            id: Str(format!("ev-{state}-{at}")),
            state: Str::from(state),
            observed_at: Millis(at),
            author: Str(self.phone.user_id.clone()),
            device: Str(self.phone.device_id.clone()),
            note: None,
            supersedes: Some(seen),
            details: None,
            provenance: None,
        };
        if !case::edit::append_episode_event(doc, "ep1", &event)? {
            let episode = Episode {
                id: Str::from("ep1"),
                opened_at: Millis(at),
                events: vec![event],
            };
            case::append(doc, CaseLog::Episodes, &episode)?;
        }
        doc.commit();
        let hash = *doc.get_heads().first().context("a head after the commit")?;
        let sent = Sent { at: Instant::now() };
        self.peer.changed(*id);
        Ok((hash, sent))
    }

    /// Handles frames until the server's heads include `change`; returns when that was seen.
    pub fn wait_acked(
        &mut self,
        id: &DocumentId,
        change: &ChangeHash,
        max: Duration,
    ) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + max;
        loop {
            if self.acknowledged(id, change) {
                return Ok(Instant::now());
            }
            if self.peer.closed || !self.peer.errors.is_empty() {
                bail!("reporter's socket: {:?}", self.peer.errors);
            }
            if Instant::now() > deadline {
                let theirs = self.peer.docs.get(id).map(|(_, s)| s.their_heads.clone());
                bail!(
                    "no acknowledgement of {change} within {max:?} (server heads {theirs:?}, \
                     unavailable {:?})",
                    self.peer.unavailable
                );
            }
            self.peer.pump_once();
        }
    }

    /// The server's last heads include `change`, or descend from it.
    fn acknowledged(&mut self, id: &DocumentId, change: &ChangeHash) -> bool {
        let Some((doc, state)) = self.peer.docs.get_mut(id) else {
            return false;
        };
        let Some(theirs) = state.their_heads.clone() else {
            return false;
        };
        if theirs.contains(change) {
            return true;
        }
        let doc = doc.document();
        casesync_sync::history::reaches(doc, &theirs, change)
    }

    /// The centre's alert document, found the way a phone finds it: `GET /v1/me` names the
    /// device's caseload, which lists the documents to hold with their kind.
    pub fn alert_document(&mut self, base_url: &str) -> anyhow::Result<DocumentId> {
        let me: serde_json::Value = reqwest::blocking::Client::new()
            .get(format!("{base_url}/v1/me"))
            .bearer_auth(&self.phone.token)
            .send()?
            .error_for_status()?
            .json()?;
        let caseload: DocumentId = me["caseload_url"]
            .as_str()
            .context("caseload_url in /v1/me")?
            .parse()?;
        self.peer.open(caseload);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(found) = self.listed_alerts(&caseload) {
                return Ok(found);
            }
            self.peer.pump_once();
        }
        bail!("the caseload lists no alert document")
    }

    fn listed_alerts(&mut self, caseload: &DocumentId) -> Option<DocumentId> {
        let (doc, _) = self.peer.docs.get(caseload)?;
        let (_, docs) = doc.get(ROOT, "documents").ok()??;
        let key = doc.keys(&docs).find(|k| {
            doc.get(&docs, k.as_str())
                .ok()
                .flatten()
                .and_then(|(_, entry)| doc.get(&entry, "kind").ok().flatten())
                .is_some_and(|(v, _)| v.as_str() == Some("alerts"))
        })?;
        key.parse().ok()
    }
}
