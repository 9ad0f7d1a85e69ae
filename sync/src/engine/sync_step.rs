//! The automerge sync protocol with a device whose changes were admitted (or held) before.

use std::sync::atomic::Ordering;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use casesync_contract::DocumentId;

use super::held::{missing, HeldChanges};
use super::{lock, Engine};
use crate::store::{DocumentStore, StoreError};

impl<S: DocumentStore + ?Sized> Engine<S> {
    /// One step of the automerge sync protocol with a peer whose changes (if any) were
    /// already admitted: updates the peer's sync state from `incoming` (its changes stripped:
    /// nothing enters the document here) and returns the next message for the peer, if any.
    /// `None` overall when the document does not exist.
    pub fn sync_step(
        &self,
        id: &DocumentId,
        peer: &mut sync::State,
        incoming: Option<sync::Message>,
    ) -> Result<Option<Option<sync::Message>>, StoreError> {
        self.sync_step_holding(id, peer, incoming, &HeldChanges::default())
    }

    /// [`Engine::sync_step`] for a session holding changes that arrived before their
    /// dependencies ([`Engine::receive`]). While some of this document's are held, the
    /// message asks for what they wait for, as automerge's own receiver does: `heads` are the
    /// stored heads only, `need` the first changes that neither the server nor the held set
    /// has on the way back from the peer's heads, and `have` is empty (a peer answers a need
    /// with no `have` by sending exactly the changes needed).
    pub fn sync_step_holding(
        &self,
        id: &DocumentId,
        peer: &mut sync::State,
        incoming: Option<sync::Message>,
        held: &HeldChanges,
    ) -> Result<Option<Option<sync::Message>>, StoreError> {
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        // Pushes to every connected device follow each change: asking storage for every one
        // of them would cost a query per device per change, under the document's lock.
        let due = live
            .checked
            .is_none_or(|at| at.elapsed() >= self.config.recheck_after);
        if handle.stale.swap(false, Ordering::AcqRel) || due {
            live.refresh(&*self.store, id)?;
        } else {
            live.last_used = std::time::Instant::now();
        }
        if !live.exists() {
            drop(live);
            self.forget_if_empty(id);
            return Ok(None);
        }
        let answering = incoming.is_some();
        if let Some(mut message) = incoming {
            // Sessions refuse such a message with a clear error before it gets here; should
            // one arrive anyway, its Bloom filters are dropped rather than handed to automerge,
            // which would panic on them now and on every later push to this peer.
            if crate::screen_message::unsupported_message(&message).is_some() {
                message.have.clear();
            }
            let carried_changes = !message.changes.is_empty();
            let announced = peer.last_sent_heads.clone();
            message.changes = sync::ChunkList::empty();
            live.doc
                .receive_sync_message(peer, message)
                .map_err(|e| StoreError::Backend(format!("sync state update failed: {e}")))?;
            if carried_changes {
                // Admitted already, the peer's changes make its heads equal ours, and automerge
                // then takes them for heads we announced and stays silent: the peer would never
                // hear that its changes are stored. Had automerge applied them itself, it would
                // answer with its new heads, the acknowledgement; so must we.
                peer.last_sent_heads = announced;
            }
        }
        let reply = live.doc.generate_sync_message(peer);
        let waiting = held.held(id);
        if waiting.is_empty() {
            return Ok(Some(reply));
        }
        let need = missing(
            &live.doc,
            waiting,
            peer.their_heads.iter().flatten().copied(),
        );
        Ok(Some(ask_for(&live.doc, peer, reply, need, answering)))
    }
}

/// The message for a peer whose held changes wait for `need`.
///
/// Automerge's own `need` names the peer's heads the document lacks, held ones among them:
/// asked for those, the peer would find them already sent and send nothing.
fn ask_for(
    doc: &Automerge,
    peer: &mut sync::State,
    reply: Option<sync::Message>,
    need: Vec<ChangeHash>,
    answering: bool,
) -> Option<sync::Message> {
    if need.is_empty() {
        // Everything the peer's heads lead to is stored or held: nothing to ask for. The
        // held changes are ready and wait only for the session's next receive; meanwhile
        // the peer must hear what we have, or it sends nothing new (automerge withholds its
        // `have` while it needs something).
        return reply.map(|mut message| {
            message.need.clear();
            if message.have.is_empty() {
                let since = crate::history::not_reached(doc, &peer.shared_heads);
                message.have = vec![sync::Have {
                    last_sync: peer.shared_heads.clone(),
                    bloom: sync::BloomFilter::from_hashes(since.iter()),
                }];
            }
            message
        });
    }
    // A peer skips the changes it sent in this session when asked for them: one held
    // changes were dropped for (or a message that was lost) would never come again. A peer
    // that understands it clears that memory on this flag; with no `have` from us it then
    // sends just what is needed.
    let reset = peer
        .their_capabilities
        .as_ref()
        .is_some_and(|caps| caps.contains(&sync::Capability::SyncReset));
    let mut message = match reply {
        Some(mut message) => {
            message.need = need;
            message.have.clear();
            message
        }
        // Automerge had nothing to say, yet the peer must hear what to send. Only as an
        // answer, or with nothing in flight: the same request again would be noise.
        None if answering || !peer.in_flight => {
            let heads = doc.get_heads();
            peer.last_sent_heads.clone_from(&heads);
            peer.have_responded = true;
            peer.in_flight = true;
            let mut flags = sync::MessageFlags::new();
            flags.set(sync::MessageFlags::SUPPORTS_SYNC_RESET);
            sync::Message {
                heads,
                need,
                have: Vec::new(),
                changes: sync::ChunkList::empty(),
                flags: Some(flags),
                version: sync::MessageVersion::V1,
            }
        }
        None => return None,
    };
    if reset {
        message
            .flags
            .get_or_insert_with(sync::MessageFlags::new)
            .set(sync::MessageFlags::SYNC_RESET);
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};

    #[test]
    fn a_need_goes_out_even_when_automerge_has_nothing_to_say() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        let wanted = ChangeHash([7; 32]);
        let mut peer = sync::State::new();
        peer.their_capabilities = Some(vec![sync::Capability::SyncReset]);

        let message = ask_for(doc.document(), &mut peer, None, vec![wanted], true).unwrap();
        assert_eq!((message.heads, message.need), (heads.clone(), vec![wanted]));
        assert!(message.have.is_empty() && message.changes.is_empty());
        let flags = message.flags.unwrap();
        assert!(flags.contains(sync::MessageFlags::SYNC_RESET));
        // The state records the message as automerge would have.
        assert!(peer.in_flight && peer.have_responded);
        assert_eq!(peer.last_sent_heads, heads);
        // Not again while that one is unanswered, unless answering the peer.
        assert!(ask_for(doc.document(), &mut peer, None, vec![wanted], false).is_none());
    }
}
