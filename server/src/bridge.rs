//! Instances on one PostgreSQL tell each other about changes: an instance that stores a
//! change sends `NOTIFY casesync_feed`, and every instance `LISTEN`s, so a device connected to
//! one instance receives, live, a change a device made through another. No polling: the
//! notification arrives on an open connection the moment the sender's transaction is done.
//!
//! The bridge honours the database URL's `sslmode` as the pool (libpq) does, and an instance
//! whose bridge cannot connect does not start: it would serve its devices cut off from the
//! others' changes, which nothing else would notice.

mod pg_tls;
mod sslmode;
mod target;

pub use target::{check, BridgeError};

use std::sync::Arc;
use std::time::Duration;

use casesync_contract::DocumentId;
use futures_util::{stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use crate::feed::{ChangeFeed, DocChanged, FeedEvent};
use crate::state::CaseEngine;
use target::{check_target, error_chain, Target};

const CHANNEL: &str = "casesync_feed";

/// What travels in a notification payload.
#[derive(Serialize, Deserialize)]
struct Wire {
    /// The sending instance.
    i: String,
    /// `doc`, `cut` or `scope`.
    k: String,
    v: String,
    #[serde(default)]
    o: Option<String>,
}

fn to_wire(instance: &str, event: &FeedEvent) -> Wire {
    let (k, v, o) = match event {
        FeedEvent::Doc(c) => ("doc", c.document.to_string(), c.origin_device.clone()),
        FeedEvent::DeviceCut { device_id } => ("cut", device_id.clone(), None),
        FeedEvent::ScopeChanged { organisation_id } => ("scope", organisation_id.clone(), None),
    };
    Wire {
        i: instance.to_string(),
        k: k.into(),
        v,
        o,
    }
}

fn from_wire(wire: Wire) -> Option<FeedEvent> {
    Some(match wire.k.as_str() {
        "doc" => FeedEvent::Doc(DocChanged {
            document: wire.v.parse::<DocumentId>().ok()?,
            origin_device: wire.o,
        }),
        "cut" => FeedEvent::DeviceCut { device_id: wire.v },
        "scope" => FeedEvent::ScopeChanged {
            organisation_id: wire.v,
        },
        _ => return None,
    })
}

/// Connects the feed to PostgreSQL. Returns the feed to use (it now also notifies).
/// Documents another instance changed are marked stale in `engine` before sessions hear of
/// them, so that the pushes that follow read the new chunks. Fails, before anything runs,
/// when the URL asks for what the bridge cannot do or its first connection is refused.
pub fn connect(
    feed: ChangeFeed,
    url: &str,
    instance: String,
    engine: Arc<CaseEngine>,
) -> Result<ChangeFeed, BridgeError> {
    let target = Target::read(url)?;
    check_target(&target, url)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let bridged = feed.clone().with_remote(tx);
    actix_web::rt::spawn(run(feed, target, instance, engine, rx));
    Ok(bridged)
}

async fn run(
    feed: ChangeFeed,
    target: Target,
    instance: String,
    engine: Arc<CaseEngine>,
    mut outgoing: mpsc::UnboundedReceiver<FeedEvent>,
) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match session(&feed, &target, &instance, &engine, &mut outgoing).await {
            Ok(Ended::FeedGone) => return,
            Ok(Ended::ConnectionLost) => {
                tracing::warn!("instance bridge connection closed; reconnecting");
                tokio::time::sleep(backoff).await;
            }
            Err(e) => {
                let error = error_chain(&e);
                tracing::warn!(%error, "instance bridge lost its PostgreSQL connection; reconnecting");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

enum Ended {
    /// The server stopped: nothing more to send.
    FeedGone,
    ConnectionLost,
}

async fn session(
    feed: &ChangeFeed,
    target: &Target,
    instance: &str,
    engine: &CaseEngine,
    outgoing: &mut mpsc::UnboundedReceiver<FeedEvent>,
) -> Result<Ended, tokio_postgres::Error> {
    let (client, mut connection) = target.connect().await?;
    let (note_tx, mut notes) = mpsc::unbounded_channel();
    // The connection yields notifications as a stream; it must be polled to make progress.
    actix_web::rt::spawn(async move {
        let mut messages = stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if note_tx.send(n.payload().to_string()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let error = error_chain(&e);
                    tracing::warn!(%error, "instance bridge connection failed");
                    return;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    // Changes stored while nobody listened went unannounced: read every document again.
    engine.mark_all_stale();
    tracing::info!(sslmode = ?target.sslmode, "instance bridge listening");
    loop {
        tokio::select! {
            event = outgoing.recv() => {
                let Some(event) = event else { return Ok(Ended::FeedGone) };
                let payload = serde_json::to_string(&to_wire(instance, &event)).unwrap_or_default();
                client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload]).await?;
            }
            note = notes.recv() => {
                // The connection ended: reconnect (events published meanwhile wait in
                // `outgoing`; documents are re-read from the database anyway).
                let Some(payload) = note else { return Ok(Ended::ConnectionLost) };
                match serde_json::from_str::<Wire>(&payload) {
                    Ok(wire) if wire.i != instance => {
                        if let Some(event) = from_wire(wire) {
                            if let FeedEvent::Doc(change) = &event {
                                engine.mark_stale(&change.document);
                            }
                            feed.publish_local(event);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable instance notification"),
                }
            }
        }
    }
}
