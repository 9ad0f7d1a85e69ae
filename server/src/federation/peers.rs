//! The peerings as the running server holds them: who each peer is (its CA's verifier), the
//! organisations on each side that may exchange and the legal bases allowed.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use casesync_schema::directory::organisations;
use casesync_schema::DbConn;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;

use super::config::{FederationConfig, PeerConfig};
use super::messages::Message;

pub struct Peer {
    pub config: PeerConfig,
    verifier: Arc<dyn ClientCertVerifier>,
    /// This server's organisations that may exchange with the peer, as ids.
    pub local_organisations: Vec<String>,
}

impl Peer {
    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn serves(&self, organisation: &str) -> bool {
        self.config
            .organisations
            .iter()
            .any(|o| o.id == organisation)
    }

    pub fn allows_local(&self, organisation: &str) -> bool {
        self.local_organisations.iter().any(|o| o == organisation)
    }

    pub fn allows_basis(&self, basis: &str) -> bool {
        self.config.legal_bases.iter().any(|b| b == basis)
    }

    /// Why the peer may not send this message, if it may not: it speaks for an
    /// organisation the peering does not name, writes to one of ours it does not name, or
    /// rests on a legal basis it does not allow.
    pub fn refusal(&self, message: &Message) -> Option<String> {
        let (from, to) = message.parties();
        if !self.serves(from) {
            return Some(format!(
                "the peering with {} does not name organisation {from} on its side",
                self.name()
            ));
        }
        if !self.allows_local(to) {
            return Some(format!(
                "the peering with {} does not name organisation {to} on this side",
                self.name()
            ));
        }
        if let Some(basis) = message.legal_basis() {
            if !self.allows_basis(basis) {
                return Some(format!(
                    "the peering with {} does not allow the legal basis {basis}",
                    self.name()
                ));
            }
        }
        None
    }
}

pub struct Federation {
    pub server_name: String,
    pub peers: Vec<Peer>,
    wake: Arc<(Mutex<bool>, Condvar)>,
}

impl Federation {
    pub fn disabled() -> Self {
        Self {
            server_name: String::new(),
            peers: vec![],
            wake: Default::default(),
        }
    }

    /// The peerings of the configuration; the peers' organisations are registered in the
    /// directory under their ids on the peer, marked as served by it.
    pub fn load(config: &FederationConfig, conn: &mut DbConn) -> anyhow::Result<Self> {
        config.check().map_err(anyhow::Error::msg)?;
        let mut peers = vec![];
        for peer in &config.peers {
            let roots = super::tls::roots(&peer.ca)?;
            let verifier = super::tls::peer_verifier(roots)?;
            let mut local = vec![];
            for named in &peer.local_organisations {
                let org = organisations::find(conn, named).map_err(|e| {
                    anyhow::anyhow!(
                        "federation peer {}: local organisation {named}: {e}",
                        peer.name
                    )
                })?;
                if org.peer.is_some() {
                    anyhow::bail!(
                        "federation peer {}: {named} is served by peer {}, not by this server",
                        peer.name,
                        org.peer.unwrap_or_default()
                    );
                }
                local.push(org.id);
            }
            for remote in &peer.organisations {
                organisations::upsert_remote(conn, &remote.id, &remote.name, &peer.name)?;
            }
            peers.push(Peer {
                config: peer.clone(),
                verifier,
                local_organisations: local,
            });
        }
        Ok(Self {
            server_name: config.server_name.clone(),
            peers,
            wake: Default::default(),
        })
    }

    pub fn enabled(&self) -> bool {
        !self.peers.is_empty()
    }

    pub fn peer(&self, name: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.name() == name)
    }

    /// The peer serving a remote organisation.
    pub fn serving(&self, organisation: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.serves(organisation))
    }

    /// The peer whose CA issued the certificate chain a client presented.
    pub fn identify(&self, chain: &[CertificateDer<'static>]) -> Option<&Peer> {
        let (leaf, intermediates) = chain.split_first()?;
        let now = UnixTime::now();
        self.peers.iter().find(|p| {
            p.verifier
                .verify_client_cert(leaf, intermediates, now)
                .is_ok()
        })
    }

    pub fn verifiers(&self) -> Vec<Arc<dyn ClientCertVerifier>> {
        self.peers.iter().map(|p| p.verifier.clone()).collect()
    }

    /// Wakes the sender: a message was queued.
    pub fn wake(&self) {
        let (flag, signal) = &*self.wake;
        if let Ok(mut woken) = flag.lock() {
            *woken = true;
            signal.notify_all();
        }
    }

    /// Waits until woken or `timeout` passes.
    pub fn wait(&self, timeout: Duration) {
        let (flag, signal) = &*self.wake;
        let Ok(woken) = flag.lock() else {
            return;
        };
        if let Ok((mut woken, _)) = signal.wait_timeout_while(woken, timeout, |w| !*w) {
            *woken = false;
        }
    }
}
