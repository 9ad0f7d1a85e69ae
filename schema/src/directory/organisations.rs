use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::organisations;
use crate::{now_millis, DbConn};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

pub fn create(conn: &mut DbConn, name: &str) -> Result<Organisation, DbError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DbError::Invalid(
            "organisation name must not be empty".into(),
        ));
    }
    let org = Organisation {
        id: super::new_id(),
        name: name.to_string(),
        created_at: now_millis(),
    };
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(&org.id),
            organisations::name.eq(&org.name),
            organisations::created_at.eq(org.created_at),
        ))
        .execute(conn)
        .map_err(|e| DbError::exists_on_conflict(e, &format!("organisation \"{name}\"")))?;
    Ok(org)
}

/// Finds an organisation by id or by name.
pub fn find(conn: &mut DbConn, id_or_name: &str) -> Result<Organisation, DbError> {
    organisations::table
        .filter(
            organisations::id
                .eq(id_or_name)
                .or(organisations::name.eq(id_or_name)),
        )
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("organisation \"{id_or_name}\"")))
}

pub fn list(conn: &mut DbConn) -> Result<Vec<Organisation>, DbError> {
    Ok(organisations::table
        .order(organisations::name.asc())
        .select(Organisation::as_select())
        .load(conn)?)
}
