//! What a database URL asks of TLS, read the way libpq reads it, so that the instance bridge
//! (tokio-postgres) connects as the pool (libpq, which reads the URL itself) does.
//! tokio-postgres knows only `disable`, `prefer` and `require`, verifies nothing by itself and
//! refuses libpq's other keys, so those keys are taken out of the URL here and turned into the
//! certificate check they mean (done by [`super::pg_tls`]).

use std::path::PathBuf;
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use tokio_postgres::config::SslMode as WireMode;

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, UrlTlsError> {
        Ok(match value {
            "disable" => Self::Disable,
            "allow" => Self::Allow,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => return Err(UrlTlsError::UnknownSslMode(other.to_string())),
        })
    }

    /// What tokio-postgres is told: whether to ask for TLS and whether plaintext is an error.
    /// `allow` (plaintext first, TLS if the server insists) has no equivalent; `prefer`
    /// connects wherever `allow` does.
    fn wire(self) -> WireMode {
        match self {
            Self::Disable => WireMode::Disable,
            Self::Allow | Self::Prefer => WireMode::Prefer,
            Self::Require | Self::VerifyCa | Self::VerifyFull => WireMode::Require,
        }
    }
}

/// How the database server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Encrypted, but anyone's certificate is accepted (`prefer`; `require` without a root
    /// certificate).
    None,
    /// Signed by a CA in this PEM file, whatever host it names (`verify-ca`; `require` with a
    /// root certificate).
    Chain(PathBuf),
    /// Signed by a CA in this PEM file and naming the host connected to (`verify-full`).
    ChainAndHost(PathBuf),
}

/// The bridge's connection settings, as far as TLS goes.
#[derive(Debug, Clone)]
pub struct UrlTls {
    pub mode: SslMode,
    pub verification: Verification,
    /// The URL's other settings, with the TLS mode tokio-postgres understands.
    pub config: tokio_postgres::Config,
}

#[derive(Debug, thiserror::Error)]
pub enum UrlTlsError {
    #[error("sslmode={0} is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    UnknownSslMode(String),
    #[error(
        "sslmode={0} needs the CA's certificate: set sslrootcert=PATH in the database URL \
         (or PGSSLROOTCERT, or put it in ~/.postgresql/root.crt)"
    )]
    NoRootCertificate(&'static str),
    #[error(
        "sslrootcert=system is not supported by the instance bridge: give the path of the CA's \
         PEM file"
    )]
    SystemRoots,
    #[error("{0} (a client certificate) is not supported by the instance bridge")]
    ClientCertificate(String),
    // tokio-postgres names the option or the part of the URL at fault, never its value.
    #[error("the database URL cannot be read: {0}")]
    Url(String),
}

/// What libpq reads from its environment when the URL does not say.
#[derive(Debug, Clone, Default)]
pub struct LibpqEnv {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub home: Option<PathBuf>,
}

impl LibpqEnv {
    /// `PGSSLMODE`, `PGSSLROOTCERT` and `HOME`: an operator who sets `PGSSLMODE=require` gets
    /// TLS from libpq, so the bridge must see it too.
    pub fn from_process() -> Self {
        Self {
            sslmode: std::env::var("PGSSLMODE").ok(),
            sslrootcert: std::env::var("PGSSLROOTCERT").ok(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    /// libpq's default root certificate, used when it exists.
    fn default_root(&self) -> Option<PathBuf> {
        let path = self.home.as_ref()?.join(".postgresql/root.crt");
        path.is_file().then_some(path)
    }
}

/// Reads `url` (a `postgres://` URL) as libpq would, `env` filling what it leaves out.
pub fn read(url: &str, env: &LibpqEnv) -> Result<UrlTls, UrlTlsError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut sslmode = None;
    let mut sslrootcert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match key {
            "sslmode" => sslmode = Some(value),
            "sslrootcert" => sslrootcert = Some(value),
            // libpq would present one; connecting without it would be refused (at best).
            "sslcert" | "sslkey" => return Err(UrlTlsError::ClientCertificate(key.to_string())),
            _ => kept.push(pair),
        }
    }
    let mode = SslMode::parse(
        sslmode
            .or_else(|| env.sslmode.clone())
            .as_deref()
            .unwrap_or("prefer"),
    )?;
    let root = match sslrootcert.or_else(|| env.sslrootcert.clone()) {
        Some(system) if system == "system" => return Err(UrlTlsError::SystemRoots),
        Some(path) => Some(PathBuf::from(path)),
        None => env.default_root(),
    };
    let verification = match (mode, root) {
        // libpq: "if a root CA file exists, sslmode=require behaves like verify-ca".
        (SslMode::Require, Some(root)) => Verification::Chain(root),
        (SslMode::VerifyCa, Some(root)) => Verification::Chain(root),
        (SslMode::VerifyFull, Some(root)) => Verification::ChainAndHost(root),
        (SslMode::VerifyCa, None) => return Err(UrlTlsError::NoRootCertificate("verify-ca")),
        (SslMode::VerifyFull, None) => return Err(UrlTlsError::NoRootCertificate("verify-full")),
        // `prefer` promises nothing: libpq falls back to plaintext when a check fails.
        _ => Verification::None,
    };
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = tokio_postgres::Config::from_str(&rest)
        .map_err(|e| UrlTlsError::Url(super::error_chain(&e)))?;
    config.ssl_mode(mode.wire());
    Ok(UrlTls {
        mode,
        verification,
        config,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BASE: &str = "postgres://casesync:secret@db.internal:5432/casesync";

    fn read_with(query: &str, env: &LibpqEnv) -> Result<UrlTls, UrlTlsError> {
        read(&format!("{BASE}{query}"), env)
    }

    #[test]
    fn no_sslmode_is_prefer_as_in_libpq() {
        let tls = read_with("", &LibpqEnv::default()).unwrap();
        assert_eq!(tls.mode, SslMode::Prefer);
        assert_eq!(tls.config.get_ssl_mode(), WireMode::Prefer);
        assert_eq!(tls.verification, Verification::None);
        assert_eq!(tls.config.get_dbname(), Some("casesync"));
    }

    #[test]
    fn modes_that_ask_for_tls_forbid_plaintext() {
        let env = LibpqEnv::default();
        let ca = "&sslrootcert=%2Fetc%2Fca.pem";
        for mode in ["require", "verify-ca", "verify-full"] {
            let tls = read_with(&format!("?sslmode={mode}{ca}"), &env).unwrap();
            assert_eq!(tls.config.get_ssl_mode(), WireMode::Require, "{mode}");
        }
        for (mode, wire) in [
            ("disable", WireMode::Disable),
            ("allow", WireMode::Prefer),
            ("prefer", WireMode::Prefer),
        ] {
            let tls = read_with(&format!("?sslmode={mode}"), &env).unwrap();
            assert_eq!(tls.config.get_ssl_mode(), wire, "{mode}");
        }
    }

    #[test]
    fn verification_follows_libpq() {
        let env = LibpqEnv::default();
        let ca = PathBuf::from("/etc/ca.pem");
        let check = |query: &str| read_with(query, &env).unwrap().verification;
        assert_eq!(check("?sslmode=require"), Verification::None);
        assert_eq!(
            check("?sslmode=require&sslrootcert=/etc/ca.pem"),
            Verification::Chain(ca.clone())
        );
        assert_eq!(
            check("?sslrootcert=%2Fetc%2Fca.pem&sslmode=verify-ca"),
            Verification::Chain(ca.clone())
        );
        assert_eq!(
            check("?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=bridge"),
            Verification::ChainAndHost(ca)
        );
        assert!(matches!(
            read_with("?sslmode=verify-full", &env),
            Err(UrlTlsError::NoRootCertificate("verify-full"))
        ));
    }

    #[test]
    fn the_environment_fills_what_the_url_leaves_out() {
        let env = LibpqEnv {
            sslmode: Some("verify-full".into()),
            sslrootcert: Some("/etc/env-ca.pem".into()),
            home: None,
        };
        let tls = read_with("", &env).unwrap();
        assert_eq!(
            tls.verification,
            Verification::ChainAndHost("/etc/env-ca.pem".into())
        );
        let tls = read_with("?sslmode=disable", &env).unwrap();
        assert_eq!(tls.mode, SslMode::Disable);
    }

    #[test]
    fn what_the_bridge_cannot_honour_is_an_error_not_a_weaker_connection() {
        let env = LibpqEnv::default();
        for query in [
            "?sslmode=verify_full",
            "?sslmode=verify-ca",
            "?sslmode=verify-full&sslrootcert=system",
            "?sslmode=require&sslcert=/etc/client.pem",
            "?sslmode=require&sslcrl=/etc/crl.pem",
        ] {
            let err = read_with(query, &env).unwrap_err().to_string();
            assert!(!err.contains("secret"), "{query}: {err}");
        }
    }
}
