//! Receiving a device's changes: those that arrive before their history wait in the
//! session's [`HeldChanges`], and a refusal costs only the changes at fault and those that
//! depend on them. What a device records in the field is a fact: a forbidden edit travelling
//! in the same push must not take the observations before it down with it.

use std::collections::HashSet;
use std::sync::{MutexGuard, PoisonError};

use automerge::{Automerge, Change, ChangeHash, Patch, PatchLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use super::commit::Push;
use super::held::{missing_for, HeldChanges};
use super::incoming::{new_changes, parse_changes};
use super::refused::{RefusedChanges, Rejected, Verdicts};
use super::triage::{triage, Triage};
use super::{lock, Admitted, Engine};
use crate::admission::{Refusal, Writer};
use crate::contain::contain;
use crate::live::LiveDocument;
use crate::store::{DocumentMeta, DocumentStore, StoreError};

/// What [`Engine::receive`] did with a device's changes to one document.
#[derive(Debug)]
pub struct Received {
    /// What this call stored, durable when it returns (its heads acknowledge the changes);
    /// `None` when nothing new was stored.
    pub admitted: Option<Admitted>,
    /// The changes refused: those at fault and those depending on them. Nothing else of the
    /// call is affected.
    pub refused: Option<Rejected>,
    /// How many of the document's changes the session holds after the call.
    pub held: usize,
    /// What the held changes wait for: changes neither stored nor held, for the device to
    /// send.
    pub need: Vec<ChangeHash>,
}

impl<S: DocumentStore + ?Sized> Engine<S> {
    /// Receives `raw` changes from `writer` for document `id` of `kind`, with those `held`
    /// for it from earlier calls of the same session.
    ///
    /// Changes whose history is stored or comes with them are admitted, all in one chunk
    /// when every one passes; otherwise only those at fault, and the changes depending on
    /// them, are refused (and remembered, so that sending them again costs nothing). Changes
    /// that wait for a change nobody sent yet go (back) into `held`; call again with no
    /// changes to admit those that became ready because the document changed.
    ///
    /// `Err` means nothing was stored (but see storage failures below): bytes that are not
    /// changes (`held` untouched), more held than its limits allow (this document's held
    /// changes are dropped), a document that does not exist without `create`, or a storage
    /// failure. After a storage failure
    /// every change of the call that is not stored is in `held`, for the next call to admit;
    /// an append that committed before failing leaves its changes stored, unacknowledged
    /// until the peer next hears the document's heads.
    #[allow(clippy::too_many_arguments)] // `admit`'s, and the session's held set
    pub fn receive(
        &self,
        id: &DocumentId,
        kind: DocumentKind,
        writer: &Writer,
        raw: &[Vec<u8>],
        create: Option<&DocumentMeta>,
        now: i64,
        held: &mut HeldChanges,
    ) -> Result<Received, Refusal> {
        let push = Push {
            id,
            kind,
            writer,
            create,
            now,
        };
        let incoming = parse_changes(raw)?;
        let handle = match self.handle(id) {
            Ok(handle) => handle,
            Err(e) => return Err(hold_on_failure(held, id, incoming, e)),
        };
        let mut live = match lock(&handle) {
            Ok(live) => live,
            Err(e) => return Err(hold_on_failure(held, id, incoming, e)),
        };
        if let Err(e) = live.refresh(&*self.store, id) {
            return Err(hold_on_failure(held, id, incoming, e));
        }
        let pool = new_changes(
            &live.doc,
            held.take(id).into_iter().chain(incoming).collect(),
        );
        // Kept in case storing fails: the session must not lose any of them, and those
        // refused on the way must still be reported by a later call.
        let given = pool.clone();
        let mut verdicts = Verdicts::default();
        let Triage { ready, waiting } = {
            let memo = self.refused_changes();
            let remembered = |hash: &ChangeHash| memo.get(id, &writer.device, hash);
            triage(&live.doc, pool, remembered, &mut verdicts)
        };
        if let Some((changes, bytes)) = held.over_limits(&waiting) {
            self.remember(id, writer, &verdicts);
            return Err(Refusal::HoldLimit { changes, bytes });
        }
        let admitted = match self.admit_ready(push, &mut live, ready, &mut verdicts) {
            Ok(admitted) => admitted,
            Err(failure) => {
                // Not the changes' fault. Every change of the call not stored (an append
                // may commit and still report failure) stays held, refused ones included:
                // the device records them as sent and would not send them again in this
                // session. The next call admits them, or reports from memory those refused.
                held.put_back(id, new_changes(&live.doc, given));
                self.remember(id, writer, &verdicts);
                return Err(failure);
            }
        };
        // A change waiting for a refused one will never be admitted: refused too.
        let waiting: Vec<Change> = waiting
            .into_iter()
            .filter(|change| match verdicts.refused_among(change.deps()) {
                Some(refused) => {
                    verdicts.refuse_dependent(change.hash(), refused);
                    false
                }
                None => true,
            })
            .collect();
        let need = missing_for(&live.doc, &waiting);
        held.put_back(id, waiting);
        self.remember(id, writer, &verdicts);
        Ok(Received {
            admitted,
            refused: verdicts.into_rejected(),
            held: held.count(id),
            need,
        })
    }

    /// Admits the `ready` changes (in causal order) that pass, in one chunk.
    fn admit_ready(
        &self,
        push: Push<'_>,
        live: &mut LiveDocument,
        ready: Vec<Change>,
        verdicts: &mut Verdicts,
    ) -> Result<Option<Admitted>, Refusal> {
        if ready.is_empty() {
            return Ok(None);
        }
        let forged = self.forged_actors(&ready, push.writer)?;
        let ready = keep_passing(ready, verdicts, |change| {
            forged
                .contains(change.actor_id())
                .then(|| Refusal::ForgedChange {
                    actor: change.actor_id().to_hex_string(),
                })
        });
        if ready.is_empty() {
            return Ok(None);
        }
        if !live.exists() && push.create.is_none() {
            return Err(Refusal::WrongIdentity(format!(
                "document {} does not exist",
                push.id
            )));
        }
        let heads_before = live.doc.get_heads();
        let added: Vec<ChangeHash> = ready.iter().map(Change::hash).collect();
        let mut log = PatchLog::active();
        let all = ready.iter().cloned();
        match self.apply_and_check(push, &mut live.doc, &mut log, &heads_before, all) {
            Ok(patches) => {
                return self
                    .store_admitted(push, live, heads_before, added, &patches)
                    .map(Some)
            }
            Err(Refusal::Store(e)) => {
                self.reload(live, push.id)?;
                return Err(Refusal::Store(e));
            }
            Err(_) => self.reload(live, push.id)?,
        }
        // Only a refusal pays for finding the changes at fault.
        let heads_before = live.doc.get_heads();
        let ready = new_changes(&live.doc, ready);
        let Some(isolated) = self.isolate(push, &live.doc, &heads_before, ready, verdicts)? else {
            return Ok(None);
        };
        live.doc = isolated.doc;
        self.store_admitted(push, live, heads_before, isolated.added, &isolated.patches)
            .map(Some)
    }

    /// Finds which of `ready` (in causal order, refused together on top of `stored`) to
    /// refuse. Each change joins those accepted so far if the rules pass for them all, read
    /// from `before` as for one push: a change may complete an entry an earlier change of the
    /// same push created, and must not be refused for travelling with a bad one. A change
    /// that fails is refused, and so is every change depending on it.
    fn isolate(
        &self,
        push: Push<'_>,
        stored: &Automerge,
        before: &[ChangeHash],
        ready: Vec<Change>,
        verdicts: &mut Verdicts,
    ) -> Result<Option<Isolated>, Refusal> {
        let mut doc = stored.clone();
        let mut log = PatchLog::active();
        let mut accepted: Vec<Change> = Vec::new();
        let mut patches = Vec::new();
        for change in ready {
            let hash = change.hash();
            if let Some(refused) = verdicts.refused_among(change.deps()) {
                verdicts.refuse_dependent(hash, refused);
                continue;
            }
            let mut attempt = log.clone();
            let one = [change.clone()];
            match self.apply_and_check(push, &mut doc, &mut attempt, before, one) {
                Ok(now) => {
                    log = attempt;
                    patches = now;
                    accepted.push(change);
                }
                Err(Refusal::Store(e)) => return Err(Refusal::Store(e)),
                Err(refusal) => {
                    verdicts.refuse(hash, refusal);
                    // Back to the stored document with what was accepted so far.
                    doc = stored.clone();
                    log = PatchLog::active();
                    contain("the changes", || {
                        doc.apply_changes_log_patches(accepted.iter().cloned(), &mut log)
                    })
                    .map_err(Refusal::InvalidChanges)?
                    .map_err(|e| Refusal::InvalidChanges(e.to_string()))?;
                }
            }
        }
        if accepted.is_empty() {
            return Ok(None);
        }
        Ok(Some(Isolated {
            doc,
            added: accepted.iter().map(Change::hash).collect(),
            patches,
        }))
    }

    fn refused_changes(&self) -> MutexGuard<'_, RefusedChanges> {
        // A plain map: a panic elsewhere cannot leave it half-written in a way that matters.
        self.refused.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, id: &DocumentId, writer: &Writer, verdicts: &Verdicts) {
        let mut memo = self.refused_changes();
        for (change, verdict) in verdicts.to_remember() {
            memo.remember(id, &writer.device, *change, verdict.clone());
        }
    }

    /// How many refused changes the engine remembers.
    pub fn remembered_refusals(&self) -> usize {
        self.refused_changes().len()
    }
}

/// The accepted part of a push that was refused as a whole.
struct Isolated {
    /// The stored document with the accepted changes.
    doc: Automerge,
    added: Vec<ChangeHash>,
    /// What the accepted changes did, from the stored heads.
    patches: Vec<Patch>,
}

/// `changes` (in causal order) less those `fault` refuses and those depending on a refused
/// change.
fn keep_passing(
    changes: Vec<Change>,
    verdicts: &mut Verdicts,
    fault: impl Fn(&Change) -> Option<Refusal>,
) -> Vec<Change> {
    let mut kept = Vec::with_capacity(changes.len());
    for change in changes {
        if let Some(refused) = verdicts.refused_among(change.deps()) {
            verdicts.refuse_dependent(change.hash(), refused);
        } else if let Some(refusal) = fault(&change) {
            verdicts.refuse(change.hash(), refusal);
        } else {
            kept.push(change);
        }
    }
    kept
}

/// Storage failed before the call's changes were looked at (reading the document's latest
/// chunks): not their fault. They join those already held, for the next call to admit; the
/// device records them as sent and would not send them again in this session.
fn hold_on_failure(
    held: &mut HeldChanges,
    id: &DocumentId,
    incoming: Vec<Change>,
    failure: StoreError,
) -> Refusal {
    let mut kept = held.take(id);
    let mut known: HashSet<ChangeHash> = kept.iter().map(Change::hash).collect();
    kept.extend(incoming.into_iter().filter(|c| known.insert(c.hash())));
    held.put_back(id, kept);
    Refusal::Store(failure)
}
