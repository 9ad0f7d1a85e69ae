//! The bridge's safety net. A notification can be lost in ways the bridge cannot see: the
//! instance that stored a change died between its commit and its `NOTIFY`, or a notification
//! vanished with no error on either side. Every few seconds each instance compares how far
//! into each document's stored series it has read with what storage holds, and announces to
//! its own sessions the documents others moved on unannounced: a device live on this
//! instance hears of such a change within seconds instead of at its own next change. One
//! query per sweep for all the documents in memory (none when nothing is loaded); a document
//! is announced once, being marked stale until it is read again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use casesync_contract::DocumentId;

use crate::feed::{ChangeFeed, DocChanged, FeedEvent};
use crate::state::CaseEngine;

/// Announces, every `period` from now on, the documents other instances moved on
/// unannounced. Notifications normally arrive in milliseconds; `period` bounds the delay when
/// one is lost.
pub fn spawn(feed: ChangeFeed, engine: Arc<CaseEngine>, period: Duration) {
    if period.is_zero() {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(period);
        // The first tick is at once: nothing is loaded yet.
        every.tick().await;
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let engine = engine.clone();
            match actix_web::web::block(move || sweep(&engine)).await {
                Ok(Ok(moved)) => {
                    for document in moved {
                        feed.publish_local(FeedEvent::Doc(DocChanged {
                            document,
                            origin_device: None,
                        }));
                    }
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "instance sweep failed"),
                Err(_) => return, // the runtime is stopping
            }
        }
    });
}

/// The documents storage holds further than this instance has read, marked stale.
fn sweep(engine: &CaseEngine) -> Result<Vec<DocumentId>, casesync_schema::DbError> {
    let read: HashMap<String, (DocumentId, i64)> = engine
        .positions()
        .into_iter()
        .map(|(id, seq)| (id.to_string(), (id, seq)))
        .collect();
    if read.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = read.keys().cloned().collect();
    let mut conn = engine.store().pool().get()?;
    let stored = casesync_schema::directory::documents::last_seqs(&mut conn, &ids)?;
    let moved: Vec<DocumentId> = stored
        .into_iter()
        .filter_map(|(id, stored_seq)| {
            let (document, seen) = read.get(&id)?;
            (stored_seq > *seen).then_some(*document)
        })
        .collect();
    for document in &moved {
        engine.mark_stale(document);
    }
    if !moved.is_empty() {
        tracing::debug!(
            documents = moved.len(),
            "instance sweep found changes no notification announced"
        );
    }
    Ok(moved)
}
