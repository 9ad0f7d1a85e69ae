//! Two casesync servers, Italy's and France's, each with its own database, data folder,
//! ports and certificate authority, peered with each other through links a test can cut.

use std::path::{Path, PathBuf};

use casesync_contract::Role;
use casesync_schema::directory::{organisations, sites};
use casesync_server::federation::config::{FederationConfig, PeerConfig, RemoteOrganisation};
use casesync_tests::db::TestDb;
use casesync_tests::device::Device;
use casesync_tests::fixtures::{device, Org};
use casesync_tests::server::TestServer;

use super::link::Link;

/// A certificate authority and a server certificate it issued (for 127.0.0.1).
pub struct Pki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn pki(dir: &Path, name: &str) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} casesync CA"));
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name}.casesync"));
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.signed_by(&key, &issuer).unwrap();
    let pki = Pki {
        ca: dir.join(format!("{name}-ca.pem")),
        cert: dir.join(format!("{name}.pem")),
        key: dir.join(format!("{name}-key.pem")),
    };
    std::fs::write(&pki.ca, ca_cert.pem()).unwrap();
    std::fs::write(&pki.cert, cert.pem()).unwrap();
    std::fs::write(&pki.key, key.serialize_pem()).unwrap();
    pki
}

pub struct Side {
    pub server: TestServer,
    pub org: Org,
    pub coordinator: Device,
    pub pki: Pki,
    pub federation_port: u16,
    _db: TestDb,
}

pub struct Pair {
    pub it: Side,
    pub fr: Side,
    /// Italy's connections to France, and France's to Italy.
    pub it_to_fr: Link,
    pub fr_to_it: Link,
    _dir: tempfile::TempDir,
}

/// An organisation made in a database before its server starts (the peering names it).
fn org_in(db: &TestDb, name: &str, site: &str) -> Org {
    let (pool, _) = casesync_schema::open_pool(&db.url(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let org = organisations::create(&mut conn, name).unwrap();
    let site = sites::create(&mut conn, &org.id, site).unwrap();
    Org {
        id: org.id,
        name: org.name,
        site_id: site.id,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[allow(clippy::too_many_arguments)]
fn config(
    name: &str,
    port: u16,
    own: &Pki,
    peer: &str,
    link: &Link,
    peer_ca: &Path,
    peer_org: &Org,
    local_org: &Org,
) -> FederationConfig {
    FederationConfig {
        server_name: name.into(),
        listen: Some(([127, 0, 0, 1], port).into()),
        certificate: Some(own.cert.clone()),
        key: Some(own.key.clone()),
        retry_max_secs: 1,
        peers: vec![PeerConfig {
            name: peer.into(),
            url: format!("https://127.0.0.1:{}", link.port),
            ca: peer_ca.to_path_buf(),
            organisations: vec![RemoteOrganisation {
                id: peer_org.id.clone(),
                name: peer_org.name.clone(),
            }],
            local_organisations: vec![local_org.id.clone()],
            legal_bases: vec!["vital_interests".into(), "public_task".into()],
        }],
    }
}

impl Pair {
    pub fn start(it_db: TestDb) -> Self {
        let fr_db = TestDb::new(it_db.kind()).expect("a second database of the same kind");
        let dir = tempfile::tempdir().unwrap();
        let (it_pki, fr_pki) = (pki(dir.path(), "it"), pki(dir.path(), "fr"));
        let it_org = org_in(&it_db, "Centro di accoglienza Palermo", "Palermo");
        let fr_org = org_in(&fr_db, "Maraude Calais", "Calais");
        let (it_to_fr, fr_to_it) = (Link::new(), Link::new());
        let (it_port, fr_port) = (free_port(), free_port());
        it_to_fr.to(fr_port);
        fr_to_it.to(it_port);
        let it_config = config(
            "it", it_port, &it_pki, "fr", &it_to_fr, &fr_pki.ca, &fr_org, &it_org,
        );
        let fr_config = config(
            "fr", fr_port, &fr_pki, "it", &fr_to_it, &it_pki.ca, &it_org, &fr_org,
        );
        let it_server = TestServer::start_with(&it_db, |c| c.federation = it_config);
        let fr_server = TestServer::start_with(&fr_db, |c| c.federation = fr_config);
        let it_coordinator = device(&it_server, &it_org, Role::Coordinator, "Giulia");
        let fr_coordinator = device(&fr_server, &fr_org, Role::Coordinator, "Camille");
        Self {
            it: Side {
                server: it_server,
                org: it_org,
                coordinator: it_coordinator,
                pki: it_pki,
                federation_port: it_port,
                _db: it_db,
            },
            fr: Side {
                server: fr_server,
                org: fr_org,
                coordinator: fr_coordinator,
                pki: fr_pki,
                federation_port: fr_port,
                _db: fr_db,
            },
            it_to_fr,
            fr_to_it,
            _dir: dir,
        }
    }
}
