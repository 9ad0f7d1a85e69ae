//! A fresh database per test: a temporary SQLite file, or a new PostgreSQL database on the
//! server named by `TEST_DATABASE_URL` (created here, dropped when the test ends), or on the
//! TLS-only cluster named by `TEST_DATABASE_TLS_URL`.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

pub enum TestDb {
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl TestDb {
    /// A new database, or `None` when PostgreSQL is not configured outside CI. Under
    /// `CI=true` a missing PostgreSQL fails the test.
    pub fn new(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => Some(Self::Sqlite {
                dir: tempfile::tempdir().expect("temp dir"),
            }),
            Kind::Postgres => Self::postgres_on("TEST_DATABASE_URL"),
        }
    }

    /// A new database on the cluster that accepts TLS connections only (its URL carries no
    /// `sslmode`: the test adds the one it is about). `None` outside CI when the cluster is
    /// not running; under `CI=true` its absence fails the test.
    pub fn postgres_tls() -> Option<Self> {
        Self::postgres_on("TEST_DATABASE_TLS_URL")
    }

    fn postgres_on(variable: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(variable) else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{variable} is not set: under CI=true PostgreSQL tests must run");
            }
            eprintln!("skipping PostgreSQL variant: {variable} is not set");
            return None;
        };
        let name = format!("casesync_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to the test cluster");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = match admin_url.rfind('/') {
            Some(slash) if slash > "postgres://".len() => format!("{}/{name}", &admin_url[..slash]),
            _ => format!("{admin_url}/{name}"),
        };
        Some(Self::Postgres {
            admin_url,
            name,
            url,
        })
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { dir } => {
                format!("sqlite://{}", dir.path().join("casesync.db").display())
            }
            Self::Postgres { url, .. } => url.clone(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Self::Sqlite { .. } => Kind::Sqlite,
            Self::Postgres { .. } => Kind::Postgres,
        }
    }

    /// A folder for blobs and other files of this test.
    pub fn data_dir(&self) -> std::path::PathBuf {
        match self {
            Self::Sqlite { dir } => dir.path().to_path_buf(),
            Self::Postgres { name, .. } => std::env::temp_dir().join(name),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
            let _ = std::fs::remove_dir_all(std::env::temp_dir().join(name.as_str()));
        }
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `storage_test!(name, |db| { ... })` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! storage_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $crate::db::TestDb) $body

            #[test]
            fn sqlite() {
                if let Some(db) = $crate::db::TestDb::new($crate::db::Kind::Sqlite) {
                    run(db);
                }
            }

            #[test]
            fn postgres() {
                if let Some(db) = $crate::db::TestDb::new($crate::db::Kind::Postgres) {
                    run(db);
                }
            }
        }
    };
}
