//! One diesel code path over SQLite (embedded default) and PostgreSQL (production). The
//! backend is chosen from the URL scheme here, not by trial, so that a failed connection
//! reports its real cause. SQLite runs in WAL mode with full fsync: an acknowledged change
//! survives a power cut.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::DbError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// Path of the database file.
    Sqlite(String),
    Postgres(String),
}

impl Backend {
    /// `postgres://` or `postgresql://` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a
    /// plain path for SQLite.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(DbError::Config(format!(
                "database URL must start with postgres:// or sqlite:// (got scheme of {})",
                redact(url)
            )));
        }
        Ok(Self::Sqlite(path.to_string()))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// A URL safe to log: the password, if any, replaced, whether in the user part or as a
/// `password=` parameter (libpq and tokio-postgres read both).
pub fn redact(url: &str) -> String {
    // The last `@` ends the user part even when a password holds `@` or `?` unencoded.
    let (location, query_from) = match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            (
                format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                scheme_end + 3 + user.len() + 4,
            )
        }
        _ => (url.to_string(), 0),
    };
    match location[query_from..].find('?') {
        Some(q) => {
            let (head, query) = location.split_at(query_from + q + 1);
            let pairs: Vec<&str> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => "password=***",
                    _ => pair,
                })
                .collect();
            format!("{head}{}", pairs.join("&"))
        }
        None => location,
    }
}

/// Opens connections of the configured backend for the pool.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
}

impl Manager {
    pub fn new(backend: Backend) -> Self {
        Self { backend }
    }

    pub fn connect(&self) -> Result<DbConn, DbError> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| DbError::Connect(format!("SQLite {path}: {e}")))?;
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(|e| DbError::Connect(format!("PostgreSQL {}: {e}", redact(url)))),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        Manager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens the pool and brings the schema up to date.
pub fn open_pool(url: &str, max_size: u32) -> Result<(Pool, Backend), DbError> {
    let backend = Backend::from_url(url)?;
    if let Backend::Sqlite(path) = &backend {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| DbError::Connect(format!("creating {}: {e}", parent.display())))?;
            }
        }
    }
    let manager = Manager::new(backend.clone());
    // Connect once outside the pool so that the real error surfaces, not a pool timeout.
    let mut first = manager.connect()?;
    run_migrations(&mut first)?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(15))
        .build(manager)
        .map_err(|e| DbError::Connect(e.to_string()))?;
    Ok((pool, backend))
}

/// Whether every migration this build embeds has been applied (readiness: an instance of a
/// newer build must not serve a database another instance has not migrated yet, and the
/// other way round the database would hold tables this build does not know, which is fine).
pub fn migrations_current(conn: &mut DbConn) -> Result<bool, DbError> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    pending
        .map(|pending| !pending)
        .map_err(|e| DbError::Migration(e.to_string()))
}

/// A consistent copy of a SQLite database into the new file `target` (`VACUUM INTO`),
/// taken while others keep reading and writing. Not for PostgreSQL (`pg_dump` is).
pub fn sqlite_copy_into(conn: &mut DbConn, target: &std::path::Path) -> Result<(), DbError> {
    let DbConn::Sqlite(c) = conn else {
        return Err(DbError::Connect("VACUUM INTO is SQLite only".into()));
    };
    let path = target
        .to_str()
        .ok_or_else(|| DbError::Connect("a backup path that is not UTF-8".into()))?;
    // A string literal: single quotes doubled (the path comes from the operator's command).
    let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
    diesel::connection::SimpleConnection::batch_execute(c, &sql)?;
    Ok(())
}

fn run_migrations(conn: &mut DbConn) -> Result<(), DbError> {
    let result = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbError::Migration(e.to_string()))
}

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (so two writers never
/// deadlock upgrading read locks), a normal transaction on PostgreSQL.
pub fn write_tx<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, DbError>,
) -> Result<T, DbError> {
    match conn {
        DbConn::Sqlite(_) => {
            conn.batch_execute("BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(v) => {
                    conn.batch_execute("COMMIT")?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
        DbConn::Postgres(_) => conn.transaction(f),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_every_password() {
        assert_eq!(
            redact("postgres://casesync:s3cret@db:5432/casesync?sslmode=require"),
            "postgres://casesync:***@db:5432/casesync?sslmode=require"
        );
        assert_eq!(
            redact("postgres://casesync@db/casesync?password=s3cret&sslmode=verify-full"),
            "postgres://casesync:***@db/casesync?password=***&sslmode=verify-full"
        );
        assert_eq!(
            redact("postgres://db/casesync?sslmode=require&password=s3cret"),
            "postgres://db/casesync?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgres://u:pa?ss@db/casesync"),
            "postgres://u:***@db/casesync"
        );
        assert_eq!(
            redact("sqlite://data/casesync.db"),
            "sqlite://data/casesync.db"
        );
    }
}
