//! Where and how the bridge connects ([`Target`]: the URL's settings and their TLS), and the
//! check at start that it can.

use std::time::Duration;

use casesync_schema::connection::redact;

use super::pg_tls::{self, PgTls};
use super::sslmode::{self, LibpqEnv};

/// How long the check at start waits for PostgreSQL (the pool's own wait).
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("instance bridge: {0}")]
    Url(#[from] sslmode::UrlTlsError),
    #[error("instance bridge: {0}")]
    Tls(#[from] pg_tls::TlsSetupError),
    #[error("instance bridge cannot connect to PostgreSQL {url}: {reason}")]
    Connect { url: String, reason: String },
}

/// An open connection: the client, and the half that must be polled for it to progress.
pub(super) type Connected = (
    tokio_postgres::Client,
    tokio_postgres::Connection<tokio_postgres::Socket, pg_tls::PgTlsStream<tokio_postgres::Socket>>,
);

/// How the bridge's connections are named in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "casesync bridge";

/// Where and how the bridge connects: the URL's settings and its TLS.
#[derive(Clone)]
pub(super) struct Target {
    config: tokio_postgres::Config,
    tls: PgTls,
    /// For the log: what the URL asked (the operator's words, not tokio-postgres').
    pub(super) sslmode: sslmode::SslMode,
}

impl Target {
    pub(super) fn read(url: &str) -> Result<Self, BridgeError> {
        let mut read = sslmode::read(url, &LibpqEnv::from_process())?;
        // Named in `pg_stat_activity`, so an operator tells the bridge's long-lived
        // connection from the pool's (unless the URL names its connections itself).
        if read.config.get_application_name().is_none() {
            read.config.application_name(APPLICATION_NAME);
        }
        Ok(Self {
            tls: PgTls::new(&read.verification)?,
            config: read.config,
            sslmode: read.mode,
        })
    }

    pub(super) async fn connect(&self) -> Result<Connected, tokio_postgres::Error> {
        self.config.connect(self.tls.clone()).await
    }
}

/// Checks that the bridge can connect as `url` asks, TLS included: one connection, opened
/// and closed. The pool connecting is not proof: libpq (OpenSSL) and rustls do not accept
/// exactly the same certificates.
pub fn check(url: &str) -> Result<(), BridgeError> {
    check_target(&Target::read(url)?, url)
}

pub(super) fn check_target(target: &Target, url: &str) -> Result<(), BridgeError> {
    let failed = |reason: String| BridgeError::Connect {
        url: redact(url),
        reason,
    };
    let target = target.clone();
    // A thread and a runtime of its own: the caller may be inside the server's runtime,
    // which cannot be blocked on from within.
    let outcome = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            match tokio::time::timeout(CHECK_TIMEOUT, target.connect()).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(error_chain(&e)),
                Err(_) => Err(format!("no answer within {}s", CHECK_TIMEOUT.as_secs())),
            }
        })
    })
    .join()
    .map_err(|_| failed("the check stopped unexpectedly".into()))?;
    outcome.map_err(failed)
}

/// An error and its causes, `: `-separated: tokio-postgres says "error performing TLS
/// handshake" and keeps the reason (which certificate, why) in its source. None of them
/// carries the password.
pub(super) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
