//! The heads of a document a peer server was last known to hold: the next sync sends only
//! what comes after them.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_federation::peer_heads;
use crate::DbConn;

/// The heads (hex change hashes) the peer holds of the document; empty if unknown.
pub fn of(conn: &mut DbConn, peer: &str, document: &str) -> Result<Vec<String>, DbError> {
    let stored: Option<String> = peer_heads::table
        .find((peer, document))
        .select(peer_heads::heads)
        .first(conn)
        .optional()?;
    Ok(stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

pub fn set(conn: &mut DbConn, peer: &str, document: &str, heads: &[String]) -> Result<(), DbError> {
    let text = serde_json::to_string(heads).map_err(|e| DbError::Invalid(e.to_string()))?;
    let updated = diesel::update(peer_heads::table.find((peer, document)))
        .set(peer_heads::heads.eq(&text))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(peer_heads::table)
            .values((
                peer_heads::peer.eq(peer),
                peer_heads::document_id.eq(document),
                peer_heads::heads.eq(&text),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets what the peer holds of the document (it lost it, or it was erased there).
pub fn forget(conn: &mut DbConn, peer: &str, document: &str) -> Result<(), DbError> {
    diesel::delete(peer_heads::table.find((peer, document))).execute(conn)?;
    Ok(())
}
