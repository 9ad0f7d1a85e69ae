//! Mutual TLS between peers (rustls, aws-lc-rs). The federation listener asks every client
//! for a certificate and accepts one that a peering's CA issued; anything else fails the
//! handshake and is reported for the audit trail. This server connects to a peer with its
//! own certificate and trusts only that peer's CA for the peer's server certificate.

use std::path::Path;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, DistinguishedName, RootCertStore,
    ServerConfig, SignatureScheme,
};

use crate::tls::TlsError;
pub use crate::tls::{certificates, private_key};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The roots a peering trusts: its CA file.
pub fn roots(ca: &Path) -> Result<Arc<RootCertStore>, TlsError> {
    let mut store = RootCertStore::empty();
    for cert in certificates(ca)? {
        store.add(cert).map_err(|e| TlsError::Certificate {
            path: ca.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(Arc::new(store))
}

/// A verifier accepting client certificates issued by `roots` only.
pub fn peer_verifier(roots: Arc<RootCertStore>) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    WebPkiClientVerifier::builder_with_provider(roots, provider())
        .build()
        .map_err(|e| TlsError::Config(e.to_string()))
}

/// The client configuration for connecting to one peer.
pub fn client_config(
    peer_roots: Arc<RootCertStore>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ClientConfig, TlsError> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(peer_roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))
}

/// A client certificate no peering accepts: what the audit trail records of it.
#[derive(Debug, Clone)]
pub struct UnknownCertificate {
    /// SHA-256 of the leaf certificate (DER), hex.
    pub fingerprint: String,
    pub reason: String,
}

/// The federation listener's verifier: a client certificate is accepted when one peering's
/// verifier accepts it.
pub struct PeersVerifier {
    peers: Vec<Arc<dyn ClientCertVerifier>>,
    hints: Vec<DistinguishedName>,
    refusals: SyncSender<UnknownCertificate>,
}

impl std::fmt::Debug for PeersVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeersVerifier")
            .field("peers", &self.peers.len())
            .finish()
    }
}

impl PeersVerifier {
    pub fn new(
        peers: Vec<Arc<dyn ClientCertVerifier>>,
        refusals: SyncSender<UnknownCertificate>,
    ) -> Self {
        let hints = peers
            .iter()
            .flat_map(|p| p.root_hint_subjects().iter().cloned())
            .collect();
        Self {
            peers,
            hints,
            refusals,
        }
    }

    fn first(&self) -> Result<&Arc<dyn ClientCertVerifier>, rustls::Error> {
        self.peers
            .first()
            .ok_or_else(|| rustls::Error::General("no peers configured".into()))
    }
}

impl ClientCertVerifier for PeersVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let mut reason = String::from("no peering configured");
        for peer in &self.peers {
            match peer.verify_client_cert(end_entity, intermediates, now) {
                Ok(verified) => return Ok(verified),
                Err(e) => reason = e.to_string(),
            }
        }
        // Reported without waiting: a flood of strangers must not hold the handshakes up
        // (beyond what the queue holds, refusals are only logged).
        let refusal = UnknownCertificate {
            fingerprint: fingerprint(end_entity),
            reason,
        };
        if let Err(e) = self.refusals.try_send(refusal) {
            tracing::warn!(error = %e, "federation: refused certificate not queued for the audit trail");
        }
        Err(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.peers
            .first()
            .map(|p| p.supported_verify_schemes())
            .unwrap_or_default()
    }
}

/// The listener's server configuration: this server's certificate, client certificates
/// required.
pub fn server_config(
    verifier: PeersVerifier,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, TlsError> {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))
}

pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, cert.as_ref()).as_ref())
}
