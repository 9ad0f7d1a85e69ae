//! One run: a server, some phones and the network between them, driven by a seeded
//! scheduler through a faulty phase, then healed and synced until nobody has anything to
//! say; then the checks. Everything random comes from the seed, so a seed is a run.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use automerge::sync;
use automerge::ActorId;
use casesync_contract::case;
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::common::{all_changes, meta, new_case, writer};
use crate::faulty_store::{FaultCounts, FaultyStore};
use crate::phone::Phone;
use crate::server::{stored_document, Closed, Server, ToPhone};
use crate::shape::{leave_one_out, Shape};

/// What a run did, to show that the faults actually happened across seeds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Where everyone converged.
    pub heads: Vec<automerge::ChangeHash>,
    pub admissions: usize,
    pub refused: usize,
    pub held_peak: usize,
    pub store_faults: FaultCounts,
    pub server_restarts: usize,
    pub phone_restarts: usize,
    pub lost_messages: usize,
    pub quiescence_rounds: usize,
}

struct Link {
    to_server: VecDeque<Vec<u8>>,
    to_phone: VecDeque<ToPhone>,
}

pub struct World {
    rng: StdRng,
    shape: Shape,
    now: i64,
    step: u64,
    server: Server,
    phones: Vec<Phone>,
    links: Vec<Link>,
    summary: Summary,
}

impl World {
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let shape = Shape::for_seed(&mut rng);
        let store = Arc::new(FaultyStore::new(rng.random(), shape.store));
        let id = DocumentId::from_bytes(rng.random());
        // The case exists before the run: created by the first phone and stored whole,
        // before storage starts failing.
        let mut case = new_case(id, actor(&mut rng));
        let server = Server::new(store.clone(), id);
        server
            .engine
            .admit(
                &id,
                DocumentKind::Case,
                &writer("dev-0", Role::OutreachWorker),
                &all_changes(&mut case),
                Some(&meta()),
                0,
            )
            .unwrap();
        store.set_failing(true);
        let phones: Vec<Phone> = (0..shape.phones)
            .map(|n| Phone::new(n, &case, actor(&mut rng)))
            .collect();
        let links = (0..shape.phones)
            .map(|_| Link {
                to_server: VecDeque::new(),
                to_phone: VecDeque::new(),
            })
            .collect();
        Self {
            rng,
            shape,
            now: 1_000_000,
            step: 0,
            server,
            phones,
            links,
            summary: Summary::default(),
        }
    }

    /// The whole run; panics (with the step) when a check fails.
    pub fn run(mut self) -> Summary {
        for n in 0..self.phones.len() {
            self.connect(n);
        }
        while self.step < self.shape.steps {
            self.step += 1;
            self.now += self.rng.random_range(1..5_000);
            self.server.tick(self.now);
            self.faulty_step();
        }
        self.heal();
        self.quiesce();
        self.summary.heads = self.check_converged();
        self.summary.admissions = self.server.ledger.admissions;
        self.summary.refused = self.server.ledger.refused.len();
        self.summary.held_peak = self.server.ledger.held_peak;
        self.summary.store_faults = self.server.store.counts();
        self.summary
    }

    /// One thing happens, chosen at random.
    fn faulty_step(&mut self) {
        for n in 0..self.phones.len() {
            self.reconnect_when_due(n);
        }
        let n = self.rng.random_range(0..self.phones.len());
        match self.rng.random_range(0..100) {
            0..=19 => self.edit(n),
            20..=39 => {
                self.phone_speaks(n, true);
            }
            // Deliveries go to a link with something in flight: a step spent on an empty
            // queue would only stretch the run.
            40..=64 => {
                if let Some(n) = self.busy(|link| !link.to_server.is_empty()) {
                    self.deliver_to_server(n, true);
                }
            }
            65..=86 => {
                if let Some(n) = self.busy(|link| !link.to_phone.is_empty()) {
                    self.deliver_to_phone(n, true);
                }
            }
            87..=92 => {
                self.server_pushes(n);
            }
            93..=94 => self.partition(n),
            95..=96 => {
                self.summary.phone_restarts += 1;
                self.drop_connection(n, true);
                self.phones[n].restart();
            }
            97 => self.restart_server(),
            _ => {
                // Compaction at a random moment, as the server's workers run it.
                self.server.engine.compact(&self.server.id).unwrap();
            }
        }
    }

    /// A phone whose link is busy that way, at random.
    fn busy(&mut self, way: impl Fn(&Link) -> bool) -> Option<usize> {
        let busy: Vec<usize> = (0..self.links.len())
            .filter(|&n| way(&self.links[n]))
            .collect();
        busy.choose(&mut self.rng).copied()
    }

    fn edit(&mut self, n: usize) {
        if self.rng.random_bool(self.shape.forbidden) {
            self.phones[n].report_missing(self.now);
        } else {
            self.phones[n].observe(self.now);
        }
    }

    fn phone_speaks(&mut self, n: usize, faulty: bool) -> bool {
        let Some(mut message) = self.phones[n].speak() else {
            return false;
        };
        if faulty && !message.changes.is_empty() && self.rng.random_bool(self.shape.left_out) {
            leave_one_out(&mut message, &mut self.rng, self.phones[n].link.as_mut());
        }
        self.links[n].to_server.push_back(message.encode());
        true
    }

    fn deliver_to_server(&mut self, n: usize, faulty: bool) -> bool {
        let link = &mut self.links[n];
        if link.to_server.is_empty() {
            return false;
        }
        if faulty && self.rng.random_bool(self.shape.loss) {
            self.summary.lost_messages += 1;
            self.partition(n);
            return true;
        }
        let at = if faulty && link.to_server.len() > 1 && self.rng.random_bool(self.shape.reorder) {
            self.rng.random_range(0..link.to_server.len())
        } else {
            0
        };
        let bytes = link.to_server.remove(at).unwrap();
        if faulty && self.rng.random_bool(self.shape.duplicate) {
            link.to_server.push_back(bytes.clone());
        }
        let who = self.phones[n].writer.clone();
        match self.server.frame(n, &who, &bytes) {
            Ok(out) => self.send_to_phone(n, out),
            Err(Closed) => self.server_failed(n),
        }
        true
    }

    fn deliver_to_phone(&mut self, n: usize, faulty: bool) -> bool {
        let Some(frame) = self.links[n].to_phone.pop_front() else {
            return false;
        };
        if faulty && self.rng.random_bool(self.shape.loss) {
            self.summary.lost_messages += 1;
            self.partition(n);
            return true;
        }
        match frame {
            ToPhone::Sync(bytes) => self.phones[n].hear(sync::Message::decode(&bytes).unwrap()),
            ToPhone::Refused(hashes) => {
                let now = self.now;
                self.phones[n].reset(&hashes, &mut self.rng, now);
                if !self.phones[n].online() {
                    // The reset restarts the connection.
                    self.drop_connection(n, true);
                    self.connect(n);
                }
            }
        }
        true
    }

    fn server_pushes(&mut self, n: usize) -> bool {
        if !self.server.sessions.contains_key(&n) {
            return false;
        }
        let who = self.phones[n].writer.clone();
        match self.server.push(n, &who) {
            Ok(out) => {
                let said = !out.is_empty();
                self.send_to_phone(n, out);
                said
            }
            Err(Closed) => {
                self.server_failed(n);
                true
            }
        }
    }

    fn send_to_phone(&mut self, n: usize, out: Vec<ToPhone>) {
        self.links[n].to_phone.extend(out);
    }

    /// The server failed handling a frame and closed the socket; the phone reconnects.
    fn server_failed(&mut self, n: usize) {
        self.drop_connection(n, false);
        self.connect(n);
    }

    /// The phone goes out of reach for a while: its connection breaks now.
    fn partition(&mut self, n: usize) {
        self.drop_connection(n, true);
        self.phones[n].offline_until = self.step + self.rng.random_range(1..20);
    }

    fn drop_connection(&mut self, n: usize, cleanly: bool) {
        self.links[n].to_server.clear();
        self.links[n].to_phone.clear();
        self.server.close(n, cleanly);
        self.phones[n].disconnect();
    }

    fn connect(&mut self, n: usize) {
        self.phones[n].connect();
        self.server.open(n);
    }

    fn reconnect_when_due(&mut self, n: usize) {
        if !self.phones[n].online() && self.phones[n].offline_until <= self.step {
            self.connect(n);
        }
    }

    fn restart_server(&mut self) {
        self.summary.server_restarts += 1;
        for n in 0..self.phones.len() {
            self.links[n].to_server.clear();
            self.links[n].to_phone.clear();
            self.phones[n].disconnect();
        }
        self.server.restart();
        for n in 0..self.phones.len() {
            self.reconnect_when_due(n);
        }
    }

    /// The network comes back: storage stops failing, every phone reconnects (as a phone
    /// does when it is reachable again), nothing is lost, duplicated or reordered.
    fn heal(&mut self) {
        self.server.store.set_failing(false);
        for n in 0..self.phones.len() {
            self.drop_connection(n, true);
            self.connect(n);
        }
    }

    /// Everyone says what they have to say until nobody has anything left.
    fn quiesce(&mut self) {
        for round in 0..self.shape.quiescence_rounds {
            let mut spoke = false;
            for n in 0..self.phones.len() {
                spoke |= self.phone_speaks(n, false);
                spoke |= self.server_pushes(n);
                while self.deliver_to_server(n, false) || self.deliver_to_phone(n, false) {
                    spoke = true;
                }
            }
            if !spoke {
                self.summary.quiescence_rounds = round;
                return;
            }
        }
        panic!(
            "no quiescence after {} rounds: the sync stalls or loops",
            self.shape.quiescence_rounds
        );
    }

    /// Checks the end state; returns the heads everyone has.
    fn check_converged(&mut self) -> Vec<automerge::ChangeHash> {
        let id = self.server.id;
        let stored = stored_document(&self.server.store, &id);
        let mut heads = stored.get_heads();
        heads.sort();
        let mut engine_heads = self
            .server
            .engine
            .read(&id, |d| d.get_heads())
            .unwrap()
            .unwrap();
        engine_heads.sort();
        assert_eq!(engine_heads, heads, "the engine and its storage differ");
        for phone in &mut self.phones {
            let mut theirs = phone.doc.get_heads();
            theirs.sort();
            assert_eq!(
                theirs, heads,
                "{} did not converge with the server",
                phone.name
            );
            // And the phone knows: the server's last word covers all it has, so nothing of
            // it waits for an acknowledgement.
            let mut acknowledged = phone.link.as_ref().and_then(|l| l.their_heads.clone());
            if let Some(acknowledged) = acknowledged.as_mut() {
                acknowledged.sort();
            }
            assert_eq!(
                acknowledged.as_ref(),
                Some(&heads),
                "{} has no acknowledgement of its changes",
                phone.name
            );
        }
        self.server.check_acknowledged_stored(&stored, "at the end");
        let case = case::read_case(&stored).expect("the stored case reads as a case");
        let observed: HashSet<&str> = case.observations.iter().map(|o| o.id.as_str()).collect();
        for phone in &self.phones {
            for id in &phone.recorded {
                assert!(observed.contains(id.as_str()), "observation {id} was lost");
            }
            for id in &phone.forbidden {
                assert!(
                    case.episodes.iter().all(|e| e.id.as_str() != id),
                    "forbidden episode {id} was stored"
                );
            }
        }
        // Each stored change came with its receipt, in the same append.
        for change in stored.get_changes(&[]) {
            let receipt = self.server.store.memory().receipt(&id, &change.hash());
            assert!(receipt.is_some(), "change {} has no receipt", change.hash());
        }
        heads
    }
}

fn actor(rng: &mut StdRng) -> ActorId {
    ActorId::from(rng.random::<[u8; 16]>().to_vec())
}
