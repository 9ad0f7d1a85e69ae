//! Building the application from configuration and a listener, so that tests run the real
//! thing on `127.0.0.1:0` and `main` stays tiny.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use casesync_contract::errors::ErrorCode;
use casesync_schema::{open_pool, SqlStore};
use casesync_sync::{Engine, EngineConfig};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::ApiError;
use crate::feed::ChangeFeed;
use crate::state::{AppState, Instance};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    stopper: Stopper,
}

/// Stops a running application gracefully: live sessions are told first and close their
/// sockets with "going away", then the HTTP server stops.
#[derive(Clone)]
pub struct Stopper {
    handle: actix_web::dev::ServerHandle,
    /// The federation listener, when peers are configured.
    federation: Option<actix_web::dev::ServerHandle>,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    state: AppState,
}

impl Stopper {
    pub async fn stop(&self) {
        let _ = self.shutdown.send(true);
        // Give sessions a moment to send their close frames.
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.handle.stop(true).await;
        if let Some(federation) = &self.federation {
            federation.stop(true).await;
        }
        // Derive workers finish their runs; what is left stays in the outbox.
        let state = self.state.clone();
        let _ = tokio::task::spawn_blocking(move || state.projections.stop()).await;
        // The reads of the last interval: written now rather than lost with the process.
        let state = self.state.clone();
        let flushed = tokio::task::spawn_blocking(move || state.audit_reads.flush(&state)).await;
        if let Ok(Err(e)) = flushed {
            tracing::error!(error = %e, "reads of the last interval not written to the audit trail");
        }
        let state = self.state.clone();
        let anchored = tokio::task::spawn_blocking(move || {
            crate::audit::checkpoint::advance_server(&state, -1)
        })
        .await;
        if let Ok(Err(e)) = anchored {
            tracing::error!(error = %e, "audit checkpoint not written at stop");
        }
    }
}

impl Application {
    /// Binds the configured address and builds everything.
    pub fn build(config: Config) -> anyhow::Result<Self> {
        config.check_transport().map_err(anyhow::Error::msg)?;
        let listener = TcpListener::bind(config.listen)?;
        Self::build_with(config, listener, Arc::new(SystemClock))
    }

    /// Builds on a listener the caller bound, with an injected clock.
    pub fn build_with(
        config: Config,
        listener: TcpListener,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let (state, shutdown) = build_state(config, clock)?;
        // Before anything is served: a case erased earlier and brought back by a restored
        // backup is erased again (retried until the blob store answers; nothing but the
        // probes is served meanwhile).
        crate::domain::gdpr::ledger::apply_at_start(&state);
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone())?;
        let federation = crate::federation::listener::start(&state)?;
        let federation_handle = federation.as_ref().map(|s| s.handle());
        if let Some(federation) = federation {
            actix_web::rt::spawn(federation);
        }
        spawn_workers(&state);
        Ok(Self {
            port,
            stopper: Stopper {
                handle: server.handle(),
                federation: federation_handle,
                shutdown: Arc::new(shutdown),
                state: state.clone(),
            },
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops the server from elsewhere (tests, signal handlers).
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// Serves until stopped (SIGINT/SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

pub fn build_state(
    config: Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(AppState, tokio::sync::watch::Sender<bool>)> {
    // Before anything records a figure.
    crate::observe::handle();
    let url = config.database_url();
    let (pool, backend) = open_pool(&url, config.db_pool_size)?;
    tracing::info!(backend = backend.name(), "database ready");
    let blobs = crate::blobs::Blobs::open(&config)?;
    let audit_key = crate::audit::key::load_or_create(&config, &mut *pool.get()?)?;
    let engine = Arc::new(Engine::new(
        Arc::new(SqlStore::new(pool.clone(), audit_key.clone())),
        EngineConfig {
            compact_after: config.compact_after_chunks,
            idle_after: Duration::from_secs(config.idle_document_secs),
            derives: crate::domain::projections::Needs::any,
            audits: crate::domain::audit_writes::notes,
            ..EngineConfig::default()
        },
    ));
    let instance_id = uuid::Uuid::new_v4().to_string();
    let storage_id = {
        let mut conn = pool.get()?;
        casesync_schema::live::identity_value(
            &mut conn,
            "storage_id",
            &uuid::Uuid::new_v4().to_string(),
        )?
    };
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let feed = match &backend {
        casesync_schema::Backend::Postgres(url) => crate::bridge::connect(
            ChangeFeed::new(4096),
            url,
            instance_id.clone(),
            engine.clone(),
            Duration::from_secs(config.instance_sweep_secs),
        )?,
        // SQLite is one instance: nobody else to tell.
        casesync_schema::Backend::Sqlite(_) => ChangeFeed::new(4096),
    };
    let derive_workers = config.derive_workers;
    let federation = Arc::new(crate::federation::Federation::load(
        &config.federation,
        &mut *pool.get()?,
    )?);
    let state = AppState {
        engine,
        blobs: Arc::new(blobs),
        pool,
        config: Arc::new(config),
        clock,
        feed,
        projections: crate::domain::projections::Projections::new(derive_workers),
        enrol_limiter: Default::default(),
        device_limits: Default::default(),
        instance: Arc::new(Instance {
            peer_id: format!("casesync-{instance_id}"),
            id: instance_id,
            storage_id,
        }),
        held_figures: Default::default(),
        audit_key,
        audit_reads: Default::default(),
        shutdown,
        erasures_applied: Default::default(),
        federation,
    };
    Ok((state, shutdown_tx))
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let tls = match (&state.config.tls_cert, &state.config.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key)?),
        _ => None,
    };
    let blocking_threads = (2 * state.config.db_pool_size as usize).max(8);
    let head_time = state.config.limits.head_time();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(1024 * 1024)
                    .error_handler(|e, _| json_refusal(e).into()),
            )
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::new(ErrorCode::InvalidRequest, e.to_string()).into()
            }))
            .wrap(actix_web::middleware::from_fn(
                crate::request_guard::hold_until_erasures_applied,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::request_guard::refuse_malformed,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::security_headers::security_headers,
            ))
            .wrap(crate::telemetry::RequestLog)
            .configure(crate::routes::configure)
            .default_service(web::to(|| async {
                HttpResponse::NotFound().json(casesync_contract::errors::ErrorBody {
                    error: ApiError::new(ErrorCode::NotFound, "no such endpoint").detail(),
                })
            }))
    })
    .shutdown_timeout(10)
    // A client that sends its request head slowly (slowloris) is answered 408 and dropped;
    // bodies have their own deadline (`body::read_limited`).
    .client_request_timeout(head_time)
    // Blocking work (admission, sync steps, queries) waits for database connections beyond
    // the pool's size anyway; more threads than that only hold memory (each thread keeps
    // its own allocator heap). Derived state runs on threads of its own (projections), so
    // requests waiting for it never starve it.
    .worker_max_blocking_threads(blocking_threads)
    // Signals are handled by the caller (cli::serve) so that live sessions close first.
    .disable_signals();
    let server = match tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls)?,
        None => server.listen(listener)?,
    }
    .run();
    Ok(server)
}

/// Why a JSON body was refused, with the status the error table gives each case.
fn json_refusal(e: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError;
    match e {
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("a JSON body may be at most {limit} bytes"),
        ),
        other => ApiError::new(
            ErrorCode::MalformedBody,
            format!("body is not valid JSON of the expected shape: {other}"),
        ),
    }
}

/// Background work: derived state from the outbox, escalations, blob and retention sweeps,
/// and the eviction that keeps memory bounded.
fn spawn_workers(state: &AppState) {
    state.projections.start(state);
    crate::domain::projections::sweep::spawn(state);
    crate::domain::alerts::escalation::spawn(state.clone());
    crate::domain::exercises::runner::spawn(state.clone());
    crate::blobs::lifecycle::spawn_worker(state);
    crate::domain::gdpr::retention::spawn(state);
    crate::audit::reads::spawn(state);
    crate::audit::checkpoint::spawn(state);
    crate::federation::send::spawn(state);
    let engine = state.engine.clone();
    let period = Duration::from_secs(state.config.idle_document_secs.clamp(1, 30));
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            let dropped = engine.evict_idle();
            if dropped > 0 {
                tracing::debug!(
                    dropped,
                    loaded = engine.loaded(),
                    "idle documents left memory"
                );
            }
        }
    });
}
