//! A peer's people as its server names them. No user or device rows are made for them: this
//! is a directory of names for timelines and audit pages, refreshed by what the peer sends.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_federation::peer_people;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = peer_people)]
pub struct PeerPerson {
    pub peer: String,
    pub user_id: String,
    pub organisation_id: String,
    pub name: String,
    pub seen_at: i64,
}

pub fn remember(conn: &mut DbConn, person: &PeerPerson) -> Result<(), DbError> {
    let updated = diesel::update(peer_people::table.find((&person.peer, &person.user_id)))
        .set((
            peer_people::organisation_id.eq(&person.organisation_id),
            peer_people::name.eq(&person.name),
            peer_people::seen_at.eq(person.seen_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(peer_people::table)
            .values((
                peer_people::peer.eq(&person.peer),
                peer_people::user_id.eq(&person.user_id),
                peer_people::organisation_id.eq(&person.organisation_id),
                peer_people::name.eq(&person.name),
                peer_people::seen_at.eq(person.seen_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every peer person known here by user id (user ids are UUIDs: unique across servers).
pub fn all(conn: &mut DbConn) -> Result<HashMap<String, PeerPerson>, DbError> {
    Ok(peer_people::table
        .select(PeerPerson::as_select())
        .load(conn)?
        .into_iter()
        .map(|p| (p.user_id.clone(), p))
        .collect())
}
