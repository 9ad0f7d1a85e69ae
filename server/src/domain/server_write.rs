//! Changes the server authors itself (caseloads, alerts, resolutions a coordinator made in a
//! page): written on a copy of the document with a fresh actor, then admitted through the
//! same engine path as a device's changes, so they are stored, receipted and pushed alike.

use automerge::transaction::Transaction;
use automerge::{ActorId, Automerge};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::{Admitted, DocumentMeta, Writer};

use crate::domain::error::DomainError;
use crate::pipeline::commit::{committed, Author};
use crate::state::AppState;

/// Applies `edit` to document `id` (created with `create` if it does not exist) as `writer`.
/// Returns `None` when the edit changed nothing.
pub fn server_write<E: std::fmt::Display>(
    state: &AppState,
    id: &DocumentId,
    kind: DocumentKind,
    writer: &Writer,
    create: Option<&DocumentMeta>,
    edit: impl FnOnce(&mut Transaction<'_>) -> Result<(), E>,
) -> Result<Option<Admitted>, DomainError> {
    let base = state.engine.read(id, |doc| doc.fork())?;
    if base.is_none() && create.is_none() {
        return Err(DomainError::not_found());
    }
    // A fresh actor per write: two instances writing the same document at once can never
    // produce two different changes with the same actor and sequence number.
    let mut doc = base
        .unwrap_or_else(Automerge::new)
        .with_actor(ActorId::random());
    let before = doc.get_heads();
    doc.transact(|tx| edit(tx))
        .map_err(|failure| DomainError::internal(failure.error))?;
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    admit_server_changes(state, id, kind, writer, &changes, create).map(Some)
}

/// Admits changes the server made itself, like a device's: stored, receipted, pushed.
pub fn admit_server_changes(
    state: &AppState,
    id: &DocumentId,
    kind: DocumentKind,
    writer: &Writer,
    changes: &[Vec<u8>],
    create: Option<&DocumentMeta>,
) -> Result<Admitted, DomainError> {
    let admitted = state
        .engine
        .admit(id, kind, writer, changes, create, state.now())?;
    // Not waited for: server writes happen inside derive runs too. A page writes with its
    // user's role, as that person's device (`web:<user>`); the server as itself.
    let author = match writer.role {
        Some(_) => Author::Device(&writer.device),
        None => Author::Server,
    };
    committed(state, id, &admitted, author);
    Ok(admitted)
}
