use casesync_contract::i18n::Language;
use casesync_contract::Role;
use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::{sites, users};
use crate::{now_millis, DbConn};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub role: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub created_at: i64,
    /// The language the user chose (a code of `casesync_contract::i18n::Language`); `None`:
    /// their site's country decides ([`language`]).
    pub language: Option<String>,
}

impl User {
    pub fn role(&self) -> Result<Role, DbError> {
        Role::parse(&self.role)
            .ok_or_else(|| DbError::Invalid(format!("unknown role {}", self.role)))
    }
}

pub fn create(
    conn: &mut DbConn,
    organisation_id: &str,
    site_id: Option<&str>,
    role: Role,
    name: &str,
) -> Result<User, DbError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DbError::Invalid("user name must not be empty".into()));
    }
    let user = User {
        id: super::new_id(),
        organisation_id: organisation_id.to_string(),
        site_id: site_id.map(str::to_string),
        role: role.as_str().to_string(),
        name: name.to_string(),
        password_hash: None,
        created_at: now_millis(),
        language: None,
    };
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::organisation_id.eq(&user.organisation_id),
            users::site_id.eq(&user.site_id),
            users::role.eq(&user.role),
            users::name.eq(&user.name),
            users::created_at.eq(user.created_at),
        ))
        .execute(conn)
        .map_err(|e| DbError::exists_on_conflict(e, &format!("user \"{name}\"")))?;
    Ok(user)
}

/// Finds a user by id, or by name (unique within an organisation; ambiguous across them).
pub fn find(conn: &mut DbConn, id_or_name: &str) -> Result<User, DbError> {
    let mut found: Vec<User> = users::table
        .filter(users::id.eq(id_or_name).or(users::name.eq(id_or_name)))
        .select(User::as_select())
        .limit(2)
        .load(conn)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(DbError::NotFound(format!("user \"{id_or_name}\""))),
        _ => Err(DbError::Invalid(format!(
            "user name \"{id_or_name}\" exists in several organisations: use the id"
        ))),
    }
}

/// The user of organisation `organisation_id` named `name`, if there is one.
pub fn find_in(
    conn: &mut DbConn,
    organisation_id: &str,
    name: &str,
) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation_id))
        .filter(users::name.eq(name))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// The language `user` reads: their own choice, else their site's country's language, else
/// English (a user of no site, or a site of no country).
pub fn language(conn: &mut DbConn, user: &User) -> Result<Language, DbError> {
    Ok(preferred_language(conn, user)?.unwrap_or(Language::En))
}

/// The user's own choice, else their site's country's language; `None` when neither says
/// (then a browser's preference may).
pub fn preferred_language(conn: &mut DbConn, user: &User) -> Result<Option<Language>, DbError> {
    if let Some(chosen) = user.language.as_deref().and_then(Language::parse) {
        return Ok(Some(chosen));
    }
    let Some(site_id) = &user.site_id else {
        return Ok(None);
    };
    let country: Option<Option<String>> = sites::table
        .filter(sites::id.eq(site_id))
        .select(sites::country)
        .first(conn)
        .optional()?;
    Ok(country.flatten().map(|c| Language::of_country(&c)))
}

/// Records the language the user chose.
pub fn set_language(conn: &mut DbConn, user_id: &str, language: Language) -> Result<(), DbError> {
    let changed = diesel::update(users::table.filter(users::id.eq(user_id)))
        .set(users::language.eq(language.code()))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("user \"{user_id}\"")));
    }
    Ok(())
}
