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
    /// The peer server that serves this organisation; `None` for this server's own.
    pub peer: Option<String>,
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
        peer: None,
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

/// Registers (or renames) an organisation a peer server serves, under the id it has there,
/// so that shares and alerts name it as on its own server. An id already used by one of this
/// server's own organisations is refused: a peer cannot take over a local organisation.
pub fn upsert_remote(conn: &mut DbConn, id: &str, name: &str, peer: &str) -> Result<(), DbError> {
    let existing = organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()?;
    match existing {
        Some(org) if org.peer.is_none() => Err(DbError::Invalid(format!(
            "organisation {id} is one of this server's own: it cannot be named as served by peer {peer}"
        ))),
        Some(_) => {
            diesel::update(organisations::table.find(id))
                .set((
                    organisations::name.eq(name),
                    organisations::peer.eq(peer),
                ))
                .execute(conn)?;
            Ok(())
        }
        None => {
            diesel::insert_into(organisations::table)
                .values((
                    organisations::id.eq(id),
                    organisations::name.eq(name),
                    organisations::created_at.eq(now_millis()),
                    organisations::peer.eq(peer),
                ))
                .execute(conn)
                .map_err(|e| DbError::exists_on_conflict(e, &format!("organisation \"{name}\"")))?;
            Ok(())
        }
    }
}

/// The peer serving an organisation, `None` for this server's own (or an unknown id).
pub fn peer_of(conn: &mut DbConn, id: &str) -> Result<Option<String>, DbError> {
    Ok(organisations::table
        .find(id)
        .select(organisations::peer)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}
