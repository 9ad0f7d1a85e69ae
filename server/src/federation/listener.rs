//! The federation listener: its own address, mutual TLS only, one route. The peer is who its
//! certificate says (the peering whose CA issued it); no token is involved.

use std::any::Any;
use std::net::TcpListener;

use actix_web::dev::{Extensions, Server};
use actix_web::{post, web, App, HttpRequest, HttpResponse, HttpServer};
use casesync_contract::errors::ErrorCode;
use rustls::pki_types::CertificateDer;
use serde_json::json;

use super::messages::{Message, PATH};
use super::tls::{PeersVerifier, UnknownCertificate};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::error::ApiError;
use crate::state::AppState;

/// The certificate chain the client presented, kept with the connection.
#[derive(Clone)]
struct PeerChain(Vec<CertificateDer<'static>>);

/// Starts the listener when `[federation] listen` is set and peers are configured.
pub fn start(state: &AppState) -> anyhow::Result<Option<Server>> {
    let config = &state.config.federation;
    let Some(addr) = config.listen else {
        return Ok(None);
    };
    if !state.federation.enabled() {
        return Ok(None);
    }
    let (Some(cert), Some(key)) = (&config.certificate, &config.key) else {
        anyhow::bail!("federation.listen needs federation.certificate and federation.key");
    };
    let (refusals, refused) = std::sync::mpsc::sync_channel::<UnknownCertificate>(64);
    spawn_refusal_auditor(state.clone(), refused);
    let verifier = PeersVerifier::new(state.federation.verifiers(), refusals);
    let tls = super::tls::server_config(
        verifier,
        super::tls::certificates(cert)?,
        super::tls::private_key(key)?,
    )?;
    let listener = TcpListener::bind(addr)?;
    let body_limit = state.config.max_body_bytes;
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .wrap(crate::telemetry::RequestLog)
            .service(messages)
    })
    .on_connect(keep_peer_chain)
    .workers(1)
    .shutdown_timeout(5)
    .disable_signals()
    .listen_rustls_0_23(listener, tls)?
    .run();
    tracing::info!(%addr, peers = state.federation.peers.len(), "federation listener ready");
    Ok(Some(server))
}

fn keep_peer_chain(conn: &dyn Any, extensions: &mut Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(tls) = conn.downcast_ref::<Tls>() {
        if let Some(chain) = tls.get_ref().1.peer_certificates() {
            extensions.insert(PeerChain(
                chain.iter().map(|c| c.clone().into_owned()).collect(),
            ));
        }
    }
}

#[post("/federation/v1/messages")]
async fn messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    debug_assert_eq!(PATH, "/federation/v1/messages");
    let Some(chain) = req.conn_data::<PeerChain>().cloned() else {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "a peer presents its certificate",
        ));
    };
    let message: Message = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedBody,
            format!("not a federation message: {e}"),
        )
    })?;
    let state = state.into_inner();
    let answer = web::block(move || super::receive::receive(&state, &chain.0, message))
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(answer))
}

/// Writes the refused certificates to the audit trail, off the handshake's thread.
fn spawn_refusal_auditor(state: AppState, refused: std::sync::mpsc::Receiver<UnknownCertificate>) {
    let spawned = std::thread::Builder::new()
        .name("federation-refusals".into())
        .spawn(move || {
            for refusal in refused {
                tracing::warn!(fingerprint = %refusal.fingerprint, reason = %refusal.reason, "federation: certificate of no peering refused");
                let event = AuditEvent::new(AuditAction::PeerRefused).detail(json!({
                    "certificate_sha256": refusal.fingerprint,
                    "reason": format!("certificate refused: {}", refusal.reason),
                }));
                if let Err(e) = record(&state, &Actor::Server, event) {
                    tracing::error!(error = %e, "federation: refusal not written to the audit trail");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "federation: refusal auditor not started");
    }
}
