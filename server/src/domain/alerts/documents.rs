//! Alert documents: one per site (its devices hold it) and one per organisation (its
//! coordinators and caseworkers hold it). Server-authored; devices append acknowledgements.

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{ActorId, Automerge, ObjId, ObjType, ReadDoc, Value, ROOT};
use casesync_contract::alerts::{AlertEntry, AlertPack, Audience};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::{DocumentMeta, Writer};

use crate::domain::error::DomainError;
use crate::domain::server_write::{admit_server_changes, server_write};
use crate::state::AppState;

/// The alert document for an audience, created on first use.
pub fn alert_document(
    state: &AppState,
    organisation_id: &str,
    site: Option<&str>,
) -> Result<DocumentId, DomainError> {
    let proposed = DocumentId::random();
    let (id, created) = {
        let mut conn = state.db()?;
        casesync_schema::alerts::alert_document(
            &mut conn,
            organisation_id,
            site,
            &proposed.to_string(),
        )?
    };
    let id: DocumentId = id
        .parse()
        .map_err(|_| DomainError::internal("stored alert document id is invalid"))?;
    // Registered is not yet written: the instance that registered the document may still be
    // writing it. Whoever needs it first writes it; the skeleton is the same either way.
    if created || state.engine.read(&id, |_| ())?.is_none() {
        create_skeleton(state, &id, organisation_id, site)?;
    }
    if created {
        // Devices learn of the new document through their caseloads.
        state
            .feed
            .publish_event(crate::feed::FeedEvent::ScopeChanged {
                organisation_id: organisation_id.to_string(),
            });
    }
    Ok(id)
}

/// Writes the empty alert document of an audience, unless it is written already.
///
/// The skeleton is one change, the same byte for byte on every instance (its actor comes from
/// the document id, its time is zero), so two instances writing it at once store one change.
/// With a fresh actor each, the document would get two `alerts` maps in conflict, and the
/// entries written into the losing one would be hidden.
pub fn create_skeleton(
    state: &AppState,
    id: &DocumentId,
    organisation_id: &str,
    site: Option<&str>,
) -> Result<(), DomainError> {
    let meta = DocumentMeta {
        kind: DocumentKind::Alerts,
        organisation: organisation_id.to_string(),
        site: site.map(str::to_string),
    };
    let change = skeleton_change(id, organisation_id, site)?;
    let writer = Writer::server(organisation_id);
    let write = || {
        admit_server_changes(
            state,
            id,
            DocumentKind::Alerts,
            &writer,
            std::slice::from_ref(&change),
            Some(&meta),
        )
    };
    // Two instances creating the document row at once: one commit fails, and then finds the
    // change stored by the other.
    write().or_else(|_| write())?;
    Ok(())
}

fn skeleton_change(
    id: &DocumentId,
    organisation_id: &str,
    site: Option<&str>,
) -> Result<Vec<u8>, DomainError> {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &[
            b"casesync alert document skeleton ".as_slice(),
            id.as_bytes(),
        ]
        .concat(),
    );
    let actor = ActorId::from(&digest.as_ref()[..16]);
    let mut doc = Automerge::new().with_actor(actor);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| CommitOptions::default().with_time(0),
        |tx| {
            tx.put(ROOT, "kind", "alerts")?;
            tx.put(ROOT, "schema_version", 1)?;
            tx.put(ROOT, "organisation", organisation_id)?;
            match site {
                Some(site) => tx.put(ROOT, "site", site)?,
                None => tx.put(ROOT, "site", automerge::ScalarValue::Null)?,
            }
            tx.put_object(ROOT, "alerts", ObjType::Map)?;
            tx.put_object(ROOT, "acks", ObjType::List)?;
            Ok(())
        },
    )
    .map_err(|failure| DomainError::internal(failure.error))?;
    doc.get_changes(&[])
        .first()
        .map(|c| c.raw_bytes().to_vec())
        .ok_or_else(|| DomainError::internal("alert document skeleton has no change"))
}

/// The site an audience's document belongs to.
pub fn site_for(audience: Audience, case_site: &str) -> Option<&str> {
    match audience {
        Audience::Site => Some(case_site),
        Audience::Coordinators => None,
    }
}

/// Writes an alert entry.
pub fn write_entry(
    state: &AppState,
    doc: &DocumentId,
    organisation_id: &str,
    entry: &AlertEntry,
) -> Result<(), DomainError> {
    let entry = entry.clone();
    server_write::<automerge::AutomergeError>(
        state,
        doc,
        DocumentKind::Alerts,
        &Writer::server(organisation_id),
        None,
        |tx| {
            let alerts = map_at_root(tx, "alerts")?;
            let obj = tx.put_object(&alerts, entry.id.as_str(), ObjType::Map)?;
            tx.put(&obj, "id", entry.id.as_str())?;
            tx.put(&obj, "kind", entry.kind.as_str())?;
            tx.put(&obj, "audience", audience_str(entry.audience))?;
            tx.put(&obj, "case_id", entry.case_id.to_string())?;
            tx.put(&obj, "case_url", entry.case_url.as_str())?;
            tx.put(&obj, "message", entry.message.as_str())?;
            if let Some(key) = &entry.message_key {
                tx.put(&obj, "message_key", key.as_str())?;
                let args = tx.put_object(&obj, "message_args", ObjType::Map)?;
                for (name, value) in &entry.message_args {
                    tx.put(&args, name.as_str(), value.as_str())?;
                }
            }
            tx.put(&obj, "raised_at", entry.raised_at)?;
            tx.put(&obj, "status", entry.status.as_str())?;
            tx.put(&obj, "resent", entry.resent)?;
            if let Some(pack) = &entry.pack {
                write_pack(tx, &obj, pack)?;
            }
            Ok(())
        },
    )?;
    Ok(())
}

fn write_pack(
    tx: &mut Transaction<'_>,
    alert: &ObjId,
    pack: &AlertPack,
) -> Result<(), automerge::AutomergeError> {
    let obj = tx.put_object(alert, "pack", ObjType::Map)?;
    tx.put(&obj, "name", pack.name.as_str())?;
    tx.put(&obj, "reference", pack.reference.as_str())?;
    let optional = [
        ("photo", &pack.photo),
        ("description", &pack.description),
        ("clothing", &pack.clothing),
        ("last_seen_place", &pack.last_seen_place),
        ("contact", &pack.contact),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            tx.put(&obj, key, v.as_str())?;
        }
    }
    if let Some(at) = pack.last_seen_at {
        tx.put(&obj, "last_seen_at", at)?;
    }
    Ok(())
}

/// Sets fields of an existing alert entry (status, stood_down_at, resent).
pub fn update_entry(
    state: &AppState,
    doc: &DocumentId,
    organisation_id: &str,
    alert_id: &str,
    fields: Vec<(&'static str, automerge::ScalarValue)>,
) -> Result<(), DomainError> {
    let alert_id = alert_id.to_string();
    server_write::<automerge::AutomergeError>(
        state,
        doc,
        DocumentKind::Alerts,
        &Writer::server(organisation_id),
        None,
        |tx| {
            let alerts = map_at_root(tx, "alerts")?;
            if let Some((Value::Object(ObjType::Map), obj)) = tx.get(&alerts, alert_id.as_str())? {
                for (key, value) in fields {
                    tx.put(&obj, key, value)?;
                }
            }
            Ok(())
        },
    )?;
    Ok(())
}

fn map_at_root(tx: &mut Transaction<'_>, key: &str) -> Result<ObjId, automerge::AutomergeError> {
    match tx.get(ROOT, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => tx.put_object(ROOT, key, ObjType::Map),
    }
}

pub fn audience_str(a: Audience) -> &'static str {
    match a {
        Audience::Site => "site",
        Audience::Coordinators => "coordinators",
    }
}
