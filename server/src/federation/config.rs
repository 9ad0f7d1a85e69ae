//! `[federation]`: this server's name and certificate, the address peers connect to, and
//! its peerings (ops/config.md, docs/cross-border.md).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// How peers name this server (their peering's `name` for it); shown in their pages.
    pub server_name: String,
    /// Where peers connect (mutual TLS only). Unset: no federation listener.
    pub listen: Option<SocketAddr>,
    /// This server's certificate chain (PEM, leaf first), presented to peers both when they
    /// connect here and when this server connects to them.
    pub certificate: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// Longest pause, in seconds, between attempts at a peer that does not answer (the
    /// first retry comes after 250 ms; the pause doubles up to this).
    pub retry_max_secs: u64,
    pub peers: Vec<PeerConfig>,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            server_name: String::new(),
            listen: None,
            certificate: None,
            key: None,
            retry_max_secs: 30,
            peers: vec![],
        }
    }
}

/// One peering: a peer server and what may cross between it and this one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerConfig {
    /// This server's name for the peer: pages, audit entries and the outbox use it.
    pub name: String,
    /// The peer's federation address, `https://host:port`.
    pub url: String,
    /// The peer's certificate authority (PEM; its own self-signed certificate works too):
    /// only a certificate it issued is accepted from the peer, and the peer's server
    /// certificate must be one.
    pub ca: PathBuf,
    /// The peer's organisations that may exchange with this server, under their ids on the
    /// peer (shares and alerts name them so on both servers).
    pub organisations: Vec<RemoteOrganisation>,
    /// This server's organisations (ids or names) that may exchange with them.
    pub local_organisations: Vec<String>,
    /// The legal bases a share across this peering may rest on (at least one).
    pub legal_bases: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteOrganisation {
    pub id: String,
    pub name: String,
}

impl FederationConfig {
    pub fn enabled(&self) -> bool {
        !self.peers.is_empty()
    }

    /// The retry ceiling (at least a second).
    pub fn retry_max(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.retry_max_secs.max(1))
    }

    /// What must hold before the server starts with peers.
    pub fn check(&self) -> Result<(), String> {
        if !self.enabled() {
            return Ok(());
        }
        if self.server_name.trim().is_empty() {
            return Err("federation.server_name must be set when peers are configured".into());
        }
        if self.certificate.is_none() || self.key.is_none() {
            return Err(
                "federation.certificate and federation.key must be set when peers are configured"
                    .into(),
            );
        }
        let mut names = std::collections::BTreeSet::new();
        for peer in &self.peers {
            if peer.name.trim().is_empty() || !names.insert(peer.name.as_str()) {
                return Err(format!(
                    "every federation peer needs a name of its own (\"{}\")",
                    peer.name
                ));
            }
            if !peer.url.starts_with("https://") {
                return Err(format!(
                    "federation peer {}: url must be https:// (mutual TLS)",
                    peer.name
                ));
            }
            if peer.organisations.is_empty() || peer.local_organisations.is_empty() {
                return Err(format!(
                    "federation peer {}: name the organisations on each side that may exchange",
                    peer.name
                ));
            }
            if peer.legal_bases.is_empty() {
                return Err(format!(
                    "federation peer {}: name the legal bases a share may rest on",
                    peer.name
                ));
            }
            for basis in &peer.legal_bases {
                if !casesync_contract::case::LEGAL_BASES.contains(&basis.as_str()) {
                    return Err(format!(
                        "federation peer {}: unknown legal basis \"{basis}\"",
                        peer.name
                    ));
                }
            }
        }
        Ok(())
    }
}
