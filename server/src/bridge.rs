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
mod sweep;
mod target;

pub use target::{check, BridgeError, APPLICATION_NAME};

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

/// `None` for what concerns this instance only.
fn to_wire(instance: &str, event: &FeedEvent) -> Option<Wire> {
    let (k, v, o) = match event {
        FeedEvent::Doc(c) => ("doc", c.document.to_string(), c.origin_device.clone()),
        FeedEvent::DeviceCut { device_id } => ("cut", device_id.clone(), None),
        FeedEvent::ScopeChanged { organisation_id } => ("scope", organisation_id.clone(), None),
        FeedEvent::Missed => return None,
    };
    Some(Wire {
        i: instance.to_string(),
        k: k.into(),
        v,
        o,
    })
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
    sweep_every: Duration,
) -> Result<ChangeFeed, BridgeError> {
    let target = Target::read(url)?;
    check_target(&target, url)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let bridged = feed.clone().with_remote(tx);
    sweep::spawn(feed.clone(), engine.clone(), sweep_every);
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
    const FIRST_RETRY: Duration = Duration::from_millis(200);
    let mut backoff = FIRST_RETRY;
    let mut link = Link {
        unsent: None,
        reconnecting: false,
        listened: false,
    };
    loop {
        let ended = session(&feed, &target, &instance, &engine, &mut outgoing, &mut link).await;
        // A connection that worked for a while was lost: retry soon, not after the delay
        // an earlier run of failed attempts had reached.
        if std::mem::take(&mut link.listened) {
            backoff = FIRST_RETRY;
        }
        match ended {
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
        link.reconnecting = true;
    }
}

/// What outlives one connection of the bridge.
struct Link {
    /// The event whose notification failed with the connection: sent first on the next.
    unsent: Option<FeedEvent>,
    /// A connection was lost: what other instances sent meanwhile never arrived.
    reconnecting: bool,
    /// The last connection got as far as listening.
    listened: bool,
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
    link: &mut Link,
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
    // Changes stored while nobody listened went unannounced: read every document again,
    // and have every session here bring its devices up to date (a change another instance
    // made meanwhile reaches them now, not at their next change).
    engine.mark_all_stale();
    link.listened = true;
    if link.reconnecting {
        feed.publish_local(FeedEvent::Missed);
    }
    tracing::info!(sslmode = ?target.sslmode, "instance bridge listening");
    if let Some(event) = link.unsent.take() {
        notify(&client, instance, event, link).await?;
    }
    loop {
        tokio::select! {
            event = outgoing.recv() => {
                let Some(event) = event else { return Ok(Ended::FeedGone) };
                notify(&client, instance, event, link).await?;
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

/// Tells the other instances; on failure the event is kept for the next connection (the
/// connection is then lost: the session ends with the error).
async fn notify(
    client: &tokio_postgres::Client,
    instance: &str,
    event: FeedEvent,
    link: &mut Link,
) -> Result<(), tokio_postgres::Error> {
    let Some(wire) = to_wire(instance, &event) else {
        return Ok(());
    };
    let payload = serde_json::to_string(&wire).unwrap_or_default();
    match client
        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            link.unsent = Some(event);
            Err(e)
        }
    }
}
