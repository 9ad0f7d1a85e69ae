//! The servers the same devices run against: casesync on SQLite or PostgreSQL, and the
//! official Node sync server.

use std::path::PathBuf;

use casesync_tests::db::{Kind, TestDb};

use crate::fleet::{self, Fleet};
use crate::process::{self, Casesync, ServerProcess};

pub enum Target {
    Casesync {
        casesync: Casesync,
        kind: Kind,
        /// Keeps the database (and its data folder) for as long as the target lives.
        _db: TestDb,
    },
    Node {
        node: PathBuf,
        script: PathBuf,
        dir: tempfile::TempDir,
    },
}

impl Target {
    /// casesync on a fresh database of `kind` (PostgreSQL needs `TEST_DATABASE_URL`).
    pub fn casesync(
        binary: PathBuf,
        kind: Kind,
        settings: Vec<(String, String)>,
    ) -> anyhow::Result<Self> {
        let db = TestDb::new(kind)
            .ok_or_else(|| anyhow::anyhow!("PostgreSQL needs TEST_DATABASE_URL"))?;
        let data_dir = db.data_dir();
        std::fs::create_dir_all(&data_dir)?;
        Ok(Self::Casesync {
            casesync: Casesync {
                binary,
                database_url: db.url(),
                data_dir,
                settings,
            },
            kind,
            _db: db,
        })
    }

    pub fn node(node: PathBuf, script: PathBuf) -> anyhow::Result<Self> {
        Ok(Self::Node {
            node,
            script,
            dir: tempfile::tempdir()?,
        })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Casesync {
                kind: Kind::Sqlite, ..
            } => "casesync, SQLite",
            Self::Casesync {
                kind: Kind::Postgres,
                ..
            } => "casesync, PostgreSQL",
            Self::Node { .. } => "Node automerge-repo",
        }
    }

    pub fn is_node(&self) -> bool {
        matches!(self, Self::Node { .. })
    }

    /// Starts the server with `devices` devices enrolled.
    pub fn start(&self, devices: usize) -> anyhow::Result<(ServerProcess, Fleet)> {
        match self {
            Self::Casesync { casesync, kind, .. } => {
                let parallel = if *kind == Kind::Sqlite { 1 } else { 4 };
                let fleet = fleet::enrol(casesync, devices, "reception_staff", parallel)?;
                Ok((casesync.serve()?, fleet))
            }
            Self::Node { .. } => Ok((self.restart()?, fleet::anonymous(devices))),
        }
    }

    /// Starts the server again on the same storage.
    pub fn restart(&self) -> anyhow::Result<ServerProcess> {
        match self {
            Self::Casesync { casesync, .. } => casesync.serve(),
            Self::Node { node, script, dir } => process::node_server(node, script, dir.path()),
        }
    }

    pub fn ws_url(&self, port: u16) -> String {
        match self {
            Self::Casesync { .. } => format!("ws://127.0.0.1:{port}/v1/sync/ws"),
            Self::Node { .. } => format!("ws://127.0.0.1:{port}/"),
        }
    }

    /// The casesync settings, for scenarios that start more than one instance.
    pub fn casesync_config(&self) -> Option<&Casesync> {
        match self {
            Self::Casesync { casesync, .. } => Some(casesync),
            Self::Node { .. } => None,
        }
    }
}
