//! A reference device client: what a field app does. It keeps a local automerge copy of each
//! case, edits offline, and syncs in one batch request when it has a link, retrying when the
//! link drops. Changes stay pending until the server's heads acknowledge them.

mod alerts;
mod entries;

pub use alerts::HeldAlert;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::case::{self, CaseLog, NewCase, Observation};
use casesync_contract::wire::{DocumentPush, DocumentStatus, SyncRequest, SyncResponse};
use casesync_contract::DocumentId;

/// One enrolled device.
pub struct Device {
    pub name: String,
    pub device_id: String,
    pub user_id: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub token: String,
    base_url: String,
    http: reqwest::blocking::Client,
    actor: ActorId,
    pub docs: HashMap<DocumentId, LocalDoc>,
    /// The last error the server reported per document (refusals).
    pub last_errors: HashMap<DocumentId, casesync_contract::errors::ErrorDetail>,
    pub wiped: bool,
}

pub struct LocalDoc {
    pub doc: AutoCommit,
    /// Server heads last acknowledged: everything after them is pending.
    pub acked: Vec<ChangeHash>,
}

#[derive(Debug)]
pub enum SyncError {
    Transport(String),
    Status(u16, String),
}

impl Device {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        device_id: &str,
        user_id: &str,
        organisation_id: &str,
        site_id: Option<&str>,
        token: &str,
        base_url: &str,
    ) -> Self {
        Self {
            name: name.into(),
            device_id: device_id.into(),
            user_id: user_id.into(),
            organisation_id: organisation_id.into(),
            site_id: site_id.map(str::to_string),
            token: token.into(),
            base_url: base_url.into(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            actor: ActorId::random(),
            docs: HashMap::new(),
            last_errors: HashMap::new(),
            wiped: false,
        }
    }

    /// Points the device at another server (another instance, or a restarted one).
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.into();
    }

    /// Opens a new case offline, in the device's own organisation and site.
    pub fn open_case(&mut self, profile: &[(&str, &str)], now: i64) -> DocumentId {
        let id = DocumentId::random();
        let new = NewCase {
            case_id: id,
            organisation: self.organisation_id.clone(),
            site: self.site_id.clone().unwrap_or_default(),
            jurisdiction: None,
            created_at: now,
            profile: profile
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        };
        let doc = case::new_case_document(&new, self.actor.clone()).expect("new case");
        self.docs.insert(id, LocalDoc { doc, acked: vec![] });
        id
    }

    /// Starts holding a case known by id (fetched at the next sync).
    pub fn hold(&mut self, id: DocumentId) {
        self.docs.entry(id).or_insert_with(|| LocalDoc {
            doc: AutoCommit::new().with_actor(self.actor.clone()),
            acked: vec![],
        });
    }

    pub fn doc(&mut self, id: &DocumentId) -> &mut AutoCommit {
        &mut self.docs.get_mut(id).expect("case held on device").doc
    }

    /// The request a sync would send now.
    pub fn sync_request(&mut self) -> SyncRequest {
        let documents = self
            .docs
            .iter_mut()
            .map(|(id, local)| DocumentPush {
                id: *id,
                heads: local
                    .doc
                    .get_heads()
                    .iter()
                    .map(|h| h.to_string())
                    .collect(),
                changes: local
                    .doc
                    .get_changes(&local.acked)
                    .into_iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect(),
            })
            .collect();
        SyncRequest {
            include_new: false,
            documents,
            scope_digest: None,
        }
    }

    /// The scope digest of what this device holds, at its heads (`wire::scope_digest`).
    pub fn scope_digest(&mut self) -> String {
        let held: Vec<(DocumentId, Vec<String>)> = self
            .docs
            .iter_mut()
            .map(|(id, local)| {
                let heads = local
                    .doc
                    .get_heads()
                    .iter()
                    .map(|h| h.to_string())
                    .collect();
                (*id, heads)
            })
            .collect();
        casesync_contract::wire::scope_digest(held.iter().map(|(id, h)| (*id, h.as_slice())))
    }

    /// Sends a request as CBOR and decodes the reply.
    pub fn post_sync(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let mut body = Vec::new();
        ciborium::into_writer(request, &mut body).expect("encode request");
        let response = self
            .http
            .post(format!("{}/v1/sync", self.base_url))
            .bearer_auth(&self.token)
            .header("content-type", "application/cbor")
            .body(body)
            .send()
            .map_err(|e| SyncError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .map_err(|e| SyncError::Transport(e.to_string()))?;
        if status != 200 {
            return Err(SyncError::Status(
                status,
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        ciborium::from_reader(bytes.as_ref()).map_err(|e| SyncError::Transport(e.to_string()))
    }

    /// Applies a server reply to the local copies.
    pub fn apply_response(&mut self, response: SyncResponse) {
        if response.wipe {
            self.docs.clear();
            self.wiped = true;
            return;
        }
        for reply in response.documents {
            match reply.status {
                DocumentStatus::Unavailable => {
                    self.docs.remove(&reply.id);
                }
                DocumentStatus::Rejected => {
                    if let Some(err) = reply.error {
                        self.last_errors.insert(reply.id, err);
                    }
                    self.reset(reply.id, reply.changes, &reply.heads);
                }
                DocumentStatus::Ok => {
                    // A document the device did not send: a new one of its scope, sent in
                    // this reply because it asked with `include_new`.
                    self.hold(reply.id);
                    let Some(local) = self.docs.get_mut(&reply.id) else {
                        continue;
                    };
                    let changes: Vec<automerge::Change> = reply
                        .changes
                        .into_iter()
                        .filter_map(|b| automerge::Change::from_bytes(b).ok())
                        .collect();
                    local
                        .doc
                        .apply_changes(changes)
                        .expect("apply server changes");
                    local.acked = reply.heads.iter().filter_map(|h| h.parse().ok()).collect();
                }
            }
        }
        for entry in response.new_documents {
            self.hold(entry.id);
        }
        for id in response.removed_documents {
            self.docs.remove(&id);
        }
    }

    /// The reset flow after a refusal: the local copy goes back to the server's heads (the
    /// changes the server stored are kept, the refused ones and those built on them are
    /// dropped), then the device records again its own observations that the server does
    /// not have: facts seen in the field are never lost because a forbidden edit travelled
    /// with them. An app does the same for every log its user's role may append to.
    fn reset(&mut self, id: DocumentId, changes: Vec<Vec<u8>>, heads: &[String]) {
        let server_heads: Vec<ChangeHash> = heads.iter().filter_map(|h| h.parse().ok()).collect();
        let Some(local) = self.docs.get_mut(&id) else {
            return;
        };
        if server_heads.is_empty() {
            // Nothing of the document was stored (a new case refused): start again empty.
            local.doc = AutoCommit::new().with_actor(ActorId::random());
            local.acked = vec![];
            return;
        }
        let changes: Vec<automerge::Change> = changes
            .into_iter()
            .filter_map(|b| automerge::Change::from_bytes(b).ok())
            .collect();
        local
            .doc
            .apply_changes(changes)
            .expect("apply server changes");
        let own: Vec<Observation> = case::read_case(&local.doc)
            .map(|c| c.observations)
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o.device.as_str() == self.device_id)
            .collect();
        let mut reset = local
            .doc
            .fork_at(&server_heads)
            .expect("the device holds the server's heads");
        let stored: Vec<String> = case::read_case(&reset)
            .map(|c| c.observations.iter().map(|o| o.id.0.clone()).collect())
            .unwrap_or_default();
        for observation in own.iter().filter(|o| !stored.contains(&o.id.0)) {
            case::append(&mut reset, CaseLog::Observations, observation).expect("record again");
            reset.commit();
        }
        local.doc = reset;
        local.acked = server_heads;
    }

    /// Syncs until nothing new arrives (new documents are fetched in a second round),
    /// retrying transport failures a few times.
    pub fn sync(&mut self) -> Result<(), SyncError> {
        for _round in 0..3 {
            let request = self.sync_request();
            let held_before = self.docs.len();
            let mut attempt = 0;
            let response = loop {
                match self.post_sync(&request) {
                    Ok(r) => break r,
                    Err(SyncError::Transport(e)) if attempt < 3 => {
                        attempt += 1;
                        eprintln!("{}: sync failed ({e}), retrying", self.name);
                        std::thread::sleep(Duration::from_millis(100 * attempt));
                    }
                    Err(e) => return Err(e),
                }
            };
            let fresh = !response.new_documents.is_empty();
            self.apply_response(response);
            if !fresh && self.docs.len() <= held_before && self.pending() == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Changes not yet acknowledged by the server, over all documents.
    pub fn pending(&mut self) -> usize {
        self.docs
            .values_mut()
            .map(|l| l.doc.get_changes(&l.acked).len())
            .sum()
    }

    pub fn heads(&mut self, id: &DocumentId) -> Vec<ChangeHash> {
        self.doc(id).get_heads()
    }
}
