//! A phone: its copy of the case, the sync state of its connection to the server, and the
//! observations its worker recorded (facts: each must reach the server, whatever happens to
//! the changes that first carried it).

use std::collections::HashSet;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::CommitOptions;
use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use casesync_contract::case::{self, CaseLog, Millis, Str};
use casesync_contract::Role;
use casesync_sync::Writer;
use rand::rngs::StdRng;
use rand::Rng;

use crate::common::{observation, writer};

pub struct Phone {
    pub name: String,
    pub writer: Writer,
    pub doc: AutoCommit,
    /// The sync state of the current connection; `None` while offline.
    pub link: Option<sync::State>,
    /// What the device keeps of the sync state across connections (automerge-repo stores
    /// it per storage id): decoding keeps only the shared heads.
    pub saved: Vec<u8>,
    /// Offline until this step (a partition, or a lost connection noticed late).
    pub offline_until: u64,
    /// Ids of the observations recorded here: every one must end up on the server.
    pub recorded: Vec<String>,
    /// Forbidden edits made here: none may ever be stored.
    pub forbidden: Vec<String>,
    edits: usize,
}

impl Phone {
    /// A worker's phone holding `case` (as fetched from the server), writing as `actor`.
    pub fn new(n: usize, case: &AutoCommit, actor: ActorId) -> Self {
        let name = format!("dev-{n}");
        Self {
            writer: writer(&name, Role::OutreachWorker),
            name,
            doc: case.clone().with_actor(actor),
            link: None,
            saved: sync::State::new().encode(),
            offline_until: 0,
            recorded: Vec::new(),
            forbidden: Vec::new(),
            edits: 0,
        }
    }

    /// Records an observation, which an outreach worker may do.
    pub fn observe(&mut self, now: i64) {
        self.edits += 1;
        let id = format!("{}-o{}", self.name, self.edits);
        let obs = observation(&id, &self.name, now);
        case::append(&mut self.doc, CaseLog::Observations, &obs).unwrap();
        self.commit(now);
        self.recorded.push(id);
    }

    /// Opens an episode reporting the child missing: the rules keep that from outreach
    /// workers (`episodes_open`), so the server must refuse it.
    pub fn report_missing(&mut self, now: i64) {
        self.edits += 1;
        let id = format!("{}-ep{}", self.name, self.edits);
        let episode = case::Episode {
            id: Str::from(id.as_str()),
            opened_at: Millis(now),
            events: vec![case::EpisodeEvent {
                id: Str::from(format!("{id}-ev")),
                state: Str::from("missing"),
                observed_at: Millis(now),
                author: Str::from(format!("user-{}", self.name)),
                device: Str::from(self.name.as_str()),
                note: None,
                supersedes: Some(vec![]),
                details: None,
                provenance: None,
            }],
        };
        case::append(&mut self.doc, CaseLog::Episodes, &episode).unwrap();
        self.commit(now);
        self.forbidden.push(id);
    }

    /// Commits with the simulated clock: automerge would otherwise stamp the wall clock into
    /// the change, and its hash, and a replay would not be the same run.
    fn commit(&mut self, now: i64) {
        self.doc
            .commit_with(CommitOptions::default().with_time(now / 1000));
    }

    pub fn online(&self) -> bool {
        self.link.is_some()
    }

    /// Connects (again), starting from what the device kept of the sync state.
    pub fn connect(&mut self) {
        self.link = Some(sync::State::decode(&self.saved).unwrap());
    }

    /// The connection is gone: what was in flight is lost.
    pub fn disconnect(&mut self) {
        if let Some(state) = self.link.take() {
            self.saved = state.encode();
        }
    }

    /// The app was killed: the in-flight sync state is gone, the document is on disk.
    pub fn restart(&mut self) {
        self.link = None;
        self.saved = sync::State::new().encode();
    }

    /// The next sync message, if the protocol has something to say.
    pub fn speak(&mut self) -> Option<sync::Message> {
        let state = self.link.as_mut()?;
        self.doc.sync().generate_sync_message(state)
    }

    /// A message from the server.
    pub fn hear(&mut self, message: sync::Message) {
        if let Some(state) = self.link.as_mut() {
            self.doc
                .sync()
                .receive_sync_message(state, message)
                .unwrap();
        }
    }

    /// The server refused `refused`: reset without losing facts, as the wire protocol says
    /// (docs/wire-protocol.md) and the reference client does. The document goes back to
    /// the last state without the refused changes and anything built on them, under a new
    /// actor; the observations lost with them are recorded again. The connection restarts:
    /// its sync state described the old history.
    pub fn reset(&mut self, refused: &[ChangeHash], rng: &mut StdRng, now: i64) {
        let changes: Vec<Change> = self.doc.get_changes(&[]);
        let mut dropped: HashSet<ChangeHash> = refused.iter().copied().collect();
        // get_changes is in causal order: a change's dependencies come before it.
        for change in &changes {
            if change.deps().iter().any(|d| dropped.contains(d)) {
                dropped.insert(change.hash());
            }
        }
        if !changes.iter().any(|c| dropped.contains(&c.hash())) {
            return;
        }
        let kept: Vec<&Change> = changes
            .iter()
            .filter(|c| !dropped.contains(&c.hash()))
            .collect();
        let depended_on: HashSet<ChangeHash> =
            kept.iter().flat_map(|c| c.deps().iter().copied()).collect();
        let heads: Vec<ChangeHash> = kept
            .iter()
            .map(|c| c.hash())
            .filter(|h| !depended_on.contains(h))
            .collect();
        let actor = ActorId::from(rng.random::<[u8; 16]>().to_vec());
        let mut fresh = self.doc.fork_at(&heads).unwrap().with_actor(actor);
        let present: HashSet<String> = case::read_case(&fresh)
            .unwrap()
            .observations
            .iter()
            .map(|o| o.id.as_str().to_string())
            .collect();
        let own = case::read_case(&self.doc).unwrap().observations;
        for obs in own
            .iter()
            .filter(|o| o.device.as_str() == self.name && !present.contains(o.id.as_str()))
        {
            case::append(&mut fresh, CaseLog::Observations, obs).unwrap();
            fresh.commit_with(CommitOptions::default().with_time(now / 1000));
        }
        self.doc = fresh;
        self.link = None;
        self.saved = sync::State::new().encode();
    }
}
