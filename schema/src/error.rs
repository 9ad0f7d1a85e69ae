//! Errors of the database layer.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database configuration: {0}")]
    Config(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(String),
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Pool(e.to_string())
    }
}

impl From<diesel::ConnectionError> for DbError {
    fn from(e: diesel::ConnectionError) -> Self {
        Self::Connect(e.to_string())
    }
}

impl DbError {
    /// Maps a unique-constraint violation to `Exists(what)`.
    pub fn exists_on_conflict(e: diesel::result::Error, what: &str) -> Self {
        match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Self::Exists(what.to_string()),
            other => Self::Query(other),
        }
    }
}
