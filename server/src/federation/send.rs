//! The sender: one thread per instance takes each peer's oldest due message, posts it over
//! mutual TLS, and records the answer. A peer that cannot be reached keeps its messages
//! queued (in order) and is tried again with a growing pause; a peer that refuses a message
//! for good has it marked refused, and the rest go on. Every message is idempotent at the
//! peer, so one sent twice (an instance died after sending, before recording it) is
//! applied once.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use casesync_contract::errors::{ErrorBody, ErrorCode};
use casesync_contract::DocumentId;
use casesync_schema::access::shares;
use casesync_schema::directory::documents;
use casesync_schema::federation::outbox::{self, PeerMessageRow};
use casesync_schema::federation::{heads, views};
use casesync_schema::now_millis;
use serde_json::json;

use super::enqueue::VIEW_SYNC;
use super::messages::{Message, ShareHeader, ViewSync, ViewSyncAnswer, WithdrawalConfirmed, PATH};
use super::peers::Peer;
use super::receive::peer_writer;
use super::receive_view::{decode_changes, decode_heads};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::domain::server_write::admit_server_changes;
use crate::state::AppState;

/// How long an instance holds a message it is sending.
const LEASE_MS: i64 = 30_000;
/// How long the sender sleeps when nothing is due (a queued message wakes it sooner).
const IDLE: Duration = Duration::from_millis(500);

pub fn spawn(state: &AppState) {
    if !state.federation.enabled() {
        return;
    }
    let state = state.clone();
    let spawned = std::thread::Builder::new()
        .name("federation-sender".into())
        .spawn(move || run(&state));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "federation sender not started");
    }
}

fn run(state: &AppState) {
    let clients = match clients(state) {
        Ok(clients) => clients,
        Err(e) => {
            tracing::error!(error = %e, "federation: peers' clients not built; nothing will be sent");
            return;
        }
    };
    while !*state.shutdown.borrow() {
        let mut progressed = false;
        for peer in &state.federation.peers {
            let Some(client) = clients.get(peer.name()) else {
                continue;
            };
            // Drain what is due for this peer, in order, until it is all sent or the peer
            // stops answering.
            loop {
                match send_next(state, peer, client) {
                    Ok(true) => progressed = true,
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(peer = peer.name(), error = %e, "federation: sending failed");
                        break;
                    }
                }
            }
        }
        if !progressed {
            state.federation.wait(IDLE);
        }
    }
}

fn clients(state: &AppState) -> anyhow::Result<HashMap<String, reqwest::blocking::Client>> {
    let config = &state.config.federation;
    let (Some(cert), Some(key)) = (&config.certificate, &config.key) else {
        anyhow::bail!("federation.certificate and federation.key are not set");
    };
    let chain = super::tls::certificates(cert)?;
    let key = super::tls::private_key(key)?;
    let mut clients = HashMap::new();
    for peer in &state.federation.peers {
        let roots = super::tls::roots(&peer.config.ca)?;
        let tls = super::tls::client_config(roots, chain.clone(), key.clone_key())?;
        let client = reqwest::blocking::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()?;
        clients.insert(peer.name().to_string(), client);
    }
    Ok(clients)
}

/// Sends the peer's oldest due message. `Ok(true)`: one was dealt with (sent, refused, or
/// to be resent at once); `Ok(false)`: nothing due, or the peer is unreachable for now.
fn send_next(
    state: &AppState,
    peer: &Peer,
    client: &reqwest::blocking::Client,
) -> Result<bool, DomainError> {
    let now = now_millis();
    let row = {
        let mut conn = state.db()?;
        outbox::claim_next(&mut conn, peer.name(), now, now + LEASE_MS)?
    };
    let Some(row) = row else {
        return Ok(false);
    };
    let message = match message_of(state, peer, &row) {
        Ok(Some(message)) => message,
        Ok(None) => {
            let mut conn = state.db()?;
            outbox::mark_sent(&mut conn, row.id, state.now(), "{\"unchanged\":true}")?;
            return Ok(true);
        }
        Err(e) => {
            retry_later(state, peer, &row, &e.to_string())?;
            return Ok(false);
        }
    };
    match post(client, peer, &message) {
        Ok(answer) => {
            taken(state, peer, &message, &answer)?;
            let mut conn = state.db()?;
            outbox::mark_sent(&mut conn, row.id, state.now(), &answer.to_string())?;
            Ok(true)
        }
        Err(Failure::Refused(ErrorCode::MissingDependencies, text)) => {
            // The peer lacks history this server thought it had: send it from the start.
            let mut conn = state.db()?;
            heads::forget(&mut conn, peer.name(), &row.subject)?;
            outbox::mark_failed(&mut conn, row.id, &text, now_millis())?;
            Ok(true)
        }
        Err(Failure::Refused(code, text)) => {
            tracing::warn!(peer = peer.name(), kind = row.kind, %code, reason = %text, "federation: peer refused a message");
            let mut conn = state.db()?;
            outbox::mark_refused(&mut conn, row.id, &format!("{code}: {text}"))?;
            Ok(true)
        }
        Err(Failure::Unreachable(text)) => {
            retry_later(state, peer, &row, &text)?;
            Ok(false)
        }
    }
}

fn retry_later(
    state: &AppState,
    peer: &Peer,
    row: &PeerMessageRow,
    error: &str,
) -> Result<(), DomainError> {
    let max = state.config.federation.retry_max().as_millis() as i64;
    let pause = (250i64 << row.attempts.clamp(0, 16)).min(max);
    tracing::info!(
        peer = peer.name(),
        kind = row.kind,
        attempts = row.attempts + 1,
        pause_ms = pause,
        error,
        "federation: peer not reached; message stays queued"
    );
    let mut conn = state.db()?;
    outbox::mark_failed(&mut conn, row.id, error, now_millis() + pause)?;
    Ok(())
}

/// The message a row stands for: stored whole, or (a view sync) made now from the view as
/// it is and what the peer is known to hold. `None`: nothing to send.
fn message_of(
    state: &AppState,
    peer: &Peer,
    row: &PeerMessageRow,
) -> Result<Option<Message>, DomainError> {
    if row.kind != VIEW_SYNC {
        return serde_json::from_str(&row.payload)
            .map(Some)
            .map_err(DomainError::internal);
    }
    let Ok(id) = row.subject.parse::<DocumentId>() else {
        return Ok(None);
    };
    let mut conn = state.db()?;
    let (from, to, share) = if let Some(share) = shares::by_view(&mut conn, &row.subject)? {
        if share.withdrawn_at.is_some() {
            return Ok(None);
        }
        let Some(source) = documents::find(&mut conn, &id)?.map(|d| d.organisation_id) else {
            return Ok(None);
        };
        let header = ShareHeader {
            reference: share.id.clone(),
            source_organisation: source.clone(),
            partner_organisation: share.organisation_id.clone(),
            legal_basis: share.legal_basis.clone(),
            purpose: share.purpose.clone(),
            categories: share.categories(),
            cross_border: share.cross_border,
            shared_at: share.shared_at,
        };
        (source, share.organisation_id, header)
    } else if let Some(view) = views::find(&mut conn, &row.subject)? {
        if view.withdrawn_at.is_some() {
            return Ok(None);
        }
        let header = ShareHeader {
            reference: view.reference.clone(),
            source_organisation: view.source_organisation.clone(),
            partner_organisation: view.partner_organisation.clone(),
            legal_basis: view.legal_basis.clone(),
            purpose: view.purpose.clone(),
            categories: view.categories(),
            cross_border: view.cross_border,
            shared_at: view.shared_at,
        };
        (view.partner_organisation, view.source_organisation, header)
    } else {
        return Ok(None);
    };
    let have = decode_heads(&heads::of(&mut conn, peer.name(), &row.subject)?)?;
    drop(conn);
    let Some(missing) = state.engine.changes_for(&id, &have)? else {
        return Ok(None);
    };
    let mut same = missing.heads.clone();
    same.sort();
    let mut known = have.clone();
    known.sort();
    if missing.changes.is_empty() && same == known {
        return Ok(None);
    }
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(Some(Message::ViewSync(ViewSync {
        view_id: row.subject.clone(),
        from_organisation: from.clone(),
        to_organisation: to,
        share,
        heads: missing.heads.iter().map(ToString::to_string).collect(),
        changes: missing.changes.iter().map(|c| engine.encode(c)).collect(),
        people: super::names::writers_of_view(state, &id, &from)?,
    })))
}

enum Failure {
    Refused(ErrorCode, String),
    Unreachable(String),
}

fn post(
    client: &reqwest::blocking::Client,
    peer: &Peer,
    message: &Message,
) -> Result<serde_json::Value, Failure> {
    let url = format!("{}{PATH}", peer.config.url.trim_end_matches('/'));
    let response = client
        .post(&url)
        .json(message)
        .send()
        .map_err(|e| Failure::Unreachable(error_chain(&e)))?;
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .map_err(|e| Failure::Unreachable(format!("unreadable answer: {e}")));
    }
    let body: Option<ErrorBody> = response.json().ok();
    let (code, text) = match body {
        Some(body) => (body.error.code, body.error.message),
        None => (ErrorCode::Internal, format!("HTTP {status}")),
    };
    // A refusal is for good; the peer failing, throttling or timing out is not.
    let transient = status.is_server_error()
        || matches!(
            code,
            ErrorCode::RateLimited | ErrorCode::RequestTimeout | ErrorCode::Unavailable
        );
    if transient {
        Err(Failure::Unreachable(format!("{code}: {text}")))
    } else {
        Err(Failure::Refused(code, text))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What the peer's answer means here: a view's missing changes applied, a withdrawal's
/// confirmation audited.
fn taken(
    state: &AppState,
    peer: &Peer,
    message: &Message,
    answer: &serde_json::Value,
) -> Result<(), DomainError> {
    match message {
        Message::ViewSync(sync) => {
            let answer: ViewSyncAnswer =
                serde_json::from_value(answer.clone()).map_err(DomainError::internal)?;
            let id: DocumentId = sync
                .view_id
                .parse()
                .map_err(|_| DomainError::internal("view id"))?;
            let changes = decode_changes(&answer.changes)?;
            if !changes.is_empty() {
                // The peer is the owner when this server is the partner.
                let owner = sync.from_organisation == sync.share.partner_organisation;
                let writer = peer_writer(peer, &sync.to_organisation, owner);
                admit_server_changes(
                    state,
                    &id,
                    super::receive::VIEW_KIND,
                    &writer,
                    &changes,
                    None,
                )?;
            }
            let mut conn = state.db()?;
            heads::set(&mut conn, peer.name(), &sync.view_id, &answer.heads)?;
        }
        Message::ViewWithdrawn(withdrawn) => {
            let confirmed: WithdrawalConfirmed =
                serde_json::from_value(answer.clone()).unwrap_or_default();
            let case = {
                let mut conn = state.db()?;
                shares::by_view(&mut conn, &withdrawn.view_id)?
                    .and_then(|s| s.document_id.parse::<DocumentId>().ok())
            };
            let mut event = AuditEvent::new(AuditAction::PeerWithdrawalConfirmed)
                .organisation(&withdrawn.from_organisation)
                .detail(json!({
                    "server": peer.name(),
                    "organisation_id": withdrawn.to_organisation,
                    "view_id": withdrawn.view_id,
                    "share_id": withdrawn.reference,
                    "erased_at": confirmed.erased_at,
                }));
            if let Some(case) = case {
                event = event.case(&case, &withdrawn.from_organisation);
            }
            record(
                state,
                &Actor::Peer {
                    server: peer.name().to_string(),
                    organisation: Some(withdrawn.to_organisation.clone()),
                },
                event,
            )?;
        }
        _ => {}
    }
    Ok(())
}
