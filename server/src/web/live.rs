//! `GET /web/live`: Server-Sent Events telling an open page that something it shows may
//! have changed: a case the person may read, or an alert document of their organisation.
//! The event carries only the document id, never content; the page fetches itself again
//! (with the usual access checks) and swaps its main part. Ends when the server stops.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use bytes::Bytes;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::{documents, AuthenticatedDevice};
use futures_util::stream;
use tokio::sync::broadcast::error::RecvError;

use super::error::PageError;
use super::session::PageUser;
use crate::domain::{alert_access, scope};
use crate::feed::FeedEvent;
use crate::state::AppState;

/// A comment line every so often keeps proxies from closing an idle stream.
const KEEPALIVE: Duration = Duration::from_secs(20);

/// Whether a change of `id` concerns what this person may see. Blocking.
fn concerns(state: &AppState, viewer: &AuthenticatedDevice, id: &DocumentId) -> bool {
    let Ok(mut conn) = state.db() else {
        return false;
    };
    let Ok(Some(row)) = documents::find(&mut conn, id) else {
        return false;
    };
    match row.kind() {
        Some(DocumentKind::Case) => scope::may_read_in(&mut conn, viewer, &row).unwrap_or(false),
        Some(DocumentKind::Alerts) => {
            alert_access::may_read_alerts(&mut conn, viewer, &row).unwrap_or(false)
        }
        _ => false,
    }
}

struct Listener {
    state: AppState,
    viewer: AuthenticatedDevice,
    events: tokio::sync::broadcast::Receiver<FeedEvent>,
    shutdown: tokio::sync::watch::Receiver<bool>,
    greeted: bool,
}

impl Listener {
    /// The next chunk to send, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Bytes> {
        if !self.greeted {
            self.greeted = true;
            return Some(Bytes::from_static(b"retry: 3000\n: listening\n\n"));
        }
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            let event = tokio::select! {
                _ = self.shutdown.changed() => return None,
                _ = tokio::time::sleep(KEEPALIVE) => return Some(Bytes::from_static(b": keepalive\n\n")),
                event = self.events.recv() => event,
            };
            let id = match event {
                Ok(FeedEvent::Doc(changed)) => changed.document,
                Ok(FeedEvent::ScopeChanged { organisation_id })
                    if organisation_id == self.viewer.organisation_id =>
                {
                    return Some(changed_event("scope"));
                }
                // Missed events (here or on another instance): whatever they were, the page
                // had better look again.
                Err(RecvError::Lagged(_)) | Ok(FeedEvent::Missed) => {
                    return Some(changed_event("lagged"))
                }
                Ok(_) => continue,
                Err(RecvError::Closed) => return None,
            };
            let (state, viewer) = (self.state.clone(), self.viewer.clone());
            let relevant = tokio::task::spawn_blocking(move || concerns(&state, &viewer, &id))
                .await
                .unwrap_or(false);
            if relevant {
                return Some(changed_event(&id.to_string()));
            }
        }
    }
}

fn changed_event(what: &str) -> Bytes {
    Bytes::from(format!("event: changed\ndata: {what}\n\n"))
}

#[get("/web/live")]
pub async fn live(user: PageUser, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let listener = Listener {
        events: state.feed.subscribe(),
        shutdown: state.shutdown.clone(),
        viewer: user.as_device(),
        state: state.get_ref().clone(),
        greeted: false,
    };
    let body = stream::unfold(listener, |mut listener| async move {
        let chunk = listener.next().await?;
        Some((Ok::<_, actix_web::Error>(chunk), listener))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
