use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::sites;
use crate::{now_millis, DbConn};

/// A reception centre or an outreach team's base.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub created_at: i64,
    /// ISO 3166-1 alpha-2: its people read the country's language unless they choose another.
    pub country: Option<String>,
}

pub fn create(conn: &mut DbConn, organisation_id: &str, name: &str) -> Result<Site, DbError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DbError::Invalid("site name must not be empty".into()));
    }
    let site = Site {
        id: super::new_id(),
        organisation_id: organisation_id.to_string(),
        name: name.to_string(),
        created_at: now_millis(),
        country: None,
    };
    diesel::insert_into(sites::table)
        .values((
            sites::id.eq(&site.id),
            sites::organisation_id.eq(&site.organisation_id),
            sites::name.eq(&site.name),
            sites::created_at.eq(site.created_at),
        ))
        .execute(conn)
        .map_err(|e| DbError::exists_on_conflict(e, &format!("site \"{name}\"")))?;
    Ok(site)
}

/// Sets the site's country: two letters (ISO 3166-1 alpha-2), stored upper case.
pub fn set_country(conn: &mut DbConn, site_id: &str, country: &str) -> Result<(), DbError> {
    let country = country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(DbError::Invalid(format!(
            "country \"{country}\" is not a two-letter ISO 3166-1 code"
        )));
    }
    let changed = diesel::update(sites::table.filter(sites::id.eq(site_id)))
        .set(sites::country.eq(&country))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("site \"{site_id}\"")));
    }
    Ok(())
}

/// Finds a site of an organisation by id or name.
pub fn find(conn: &mut DbConn, organisation_id: &str, id_or_name: &str) -> Result<Site, DbError> {
    sites::table
        .filter(sites::organisation_id.eq(organisation_id))
        .filter(sites::id.eq(id_or_name).or(sites::name.eq(id_or_name)))
        .select(Site::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("site \"{id_or_name}\"")))
}

pub fn list(conn: &mut DbConn, organisation_id: &str) -> Result<Vec<Site>, DbError> {
    Ok(sites::table
        .filter(sites::organisation_id.eq(organisation_id))
        .order(sites::name.asc())
        .select(Site::as_select())
        .load(conn)?)
}
