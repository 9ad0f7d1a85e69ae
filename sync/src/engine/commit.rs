//! The one admission pipeline: apply changes with a patch log, run the rules of the
//! document's kind on what they did, then store what the document gained in one chunk.
//! [`Engine::admit`] and [`Engine::receive`] both go through it.

use std::collections::BTreeSet;

use automerge::{Automerge, Change, ChangeHash, Patch, PatchLog, ReadDoc};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use super::touched::touched_root_keys;
use super::{Admitted, Engine};
use crate::admission::{Refusal, Writer};
use crate::contain::contain;
use crate::live::LiveDocument;
use crate::store::{
    AuditActor, AuditFacts, ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, WriteAudit,
};

/// Who sends changes to which document, and when they arrived.
#[derive(Clone, Copy)]
pub(super) struct Push<'a> {
    pub(super) id: &'a DocumentId,
    pub(super) kind: DocumentKind,
    pub(super) writer: &'a Writer,
    /// What to create the document as, if it does not exist yet.
    pub(super) create: Option<&'a DocumentMeta>,
    pub(super) now: i64,
}

impl<S: DocumentStore + ?Sized> Engine<S> {
    /// Applies `changes` to `doc`, logging what they do to `log` (which may already hold
    /// what earlier changes did since `before`), and checks the document at `before` against
    /// the document now. On a refusal `doc` holds the refused changes: throw it away.
    pub(super) fn apply_and_check(
        &self,
        push: Push<'_>,
        doc: &mut Automerge,
        log: &mut PatchLog,
        before: &[ChangeHash],
        changes: impl IntoIterator<Item = Change> + Clone,
    ) -> Result<Vec<Patch>, Refusal> {
        // Apply in one batch: one by one is orders of magnitude slower on long histories.
        // Logging what the changes did to the document: admission reads that instead of
        // diffing the whole document, which costs as much as the case's history.
        // A panic of automerge on a malformed change leaves `doc` half-applied: every caller
        // throws it away on `Err`.
        // Before automerge sees them: some operations must not reach it (`crate::screen`).
        for change in changes.clone() {
            if let Some(why) = crate::screen::unsupported_operations(&change) {
                return Err(Refusal::InvalidChanges(format!(
                    "change {}: {why}",
                    change.hash()
                )));
            }
        }
        let heads = doc.get_heads();
        let sent: BTreeSet<ChangeHash> = changes.clone().into_iter().map(|c| c.hash()).collect();
        contain("the changes", || {
            doc.apply_changes_log_patches(changes, log)
        })
        .map_err(Refusal::InvalidChanges)?
        .map_err(|e| Refusal::InvalidChanges(e.to_string()))?;
        stored_as_sent(doc, &heads, &sent)?;
        let patches = doc.make_patches(log);
        self.check_kind(doc, push.id, push.kind, before, push.writer, &patches)?;
        Ok(patches)
    }

    /// Stores what `live` gained since `heads_before` (the changes `added`, which did
    /// `patches`) in one chunk with their receipts. On failure `live` is read again.
    pub(super) fn store_admitted(
        &self,
        push: Push<'_>,
        live: &mut LiveDocument,
        heads_before: Vec<ChangeHash>,
        added: Vec<ChangeHash>,
        patches: &[Patch],
    ) -> Result<Admitted, Refusal> {
        let created = heads_before.is_empty();
        let touched: BTreeSet<String> = if created {
            live.doc.keys(automerge::ROOT).collect()
        } else {
            touched_root_keys(patches)
        };
        let bytes = live.doc.save_after(&heads_before);
        let receipts: Vec<ChangeReceipt> = added
            .iter()
            .map(|change| ChangeReceipt {
                change: *change,
                device: push.writer.device.clone(),
                received_at: push.now,
            })
            .collect();
        let work = DeriveWork {
            touched: touched.clone(),
            created,
        };
        let derive = (self.config.derives)(push.kind, &work).then_some(&work);
        let notes = (self.config.audits)(&AuditFacts {
            id: push.id,
            kind: push.kind,
            doc: &live.doc,
            patches,
            added: &added,
            created,
            writer: push.writer,
        });
        let audit = (!notes.is_empty()).then(|| WriteAudit {
            actor: audit_actor(push.writer),
            at: push.now,
            notes,
        });
        let seq = match self.store.append(
            push.id,
            &bytes,
            &receipts,
            push.create.filter(|_| created),
            derive,
            audit.as_ref(),
        ) {
            Ok(seq) => seq,
            Err(e) => {
                self.reload(live, push.id)?;
                return Err(Refusal::Store(e));
            }
        };
        // A gap means another instance wrote in between: the next refresh reads its chunk
        // (and ours again, harmlessly) before anything else happens to this document.
        if seq == live.last_seq + 1 {
            live.last_seq = seq;
            live.increments += 1;
        }
        Ok(Admitted {
            heads_before,
            heads: live.doc.get_heads(),
            added,
            created,
            compaction_due: live.increments >= self.config.compact_after,
            touched,
            kind: push.kind,
        })
    }
}

/// The writer as the audit trail names them: the server (trusted, no role) as itself, a
/// device or a page by its user and device.
fn audit_actor(writer: &Writer) -> AuditActor {
    match writer.role {
        None => AuditActor {
            kind: "server".into(),
            user: None,
            device: None,
            organisation: None,
        },
        Some(_) => AuditActor {
            kind: "device".into(),
            user: Some(writer.user.clone()),
            device: Some(writer.device.clone()),
            organisation: Some(writer.organisation.clone()),
        },
    }
}

/// The document as it was: nothing new stored.
pub(super) fn nothing_new(doc: &Automerge, kind: DocumentKind) -> Admitted {
    let heads = doc.get_heads();
    Admitted {
        heads_before: heads.clone(),
        heads,
        added: vec![],
        created: false,
        compaction_due: false,
        touched: BTreeSet::new(),
        kind,
    }
}

/// Automerge 0.12 rebuilds some changes it accepted (fuzzing found one with no operations
/// and a redundant dependency) with another hash when it saves them: the server would
/// acknowledge heads that its stored chunks never load back as, and the device would never
/// see its change stored. A change must be saved as the change that was sent.
fn stored_as_sent(
    doc: &Automerge,
    heads: &[ChangeHash],
    sent: &BTreeSet<ChangeHash>,
) -> Result<(), Refusal> {
    // Rebuilding them may panic too (a debug assertion of automerge's).
    let rebuilt: BTreeSet<ChangeHash> = contain("the changes", || {
        doc.get_changes(heads).iter().map(|c| c.hash()).collect()
    })
    .map_err(Refusal::InvalidChanges)?;
    if rebuilt == *sent {
        return Ok(());
    }
    let changed: Vec<String> = sent.difference(&rebuilt).map(|h| h.to_string()).collect();
    Err(Refusal::InvalidChanges(format!(
        "automerge would store another change than the one sent: {}",
        changed.join(", ")
    )))
}
