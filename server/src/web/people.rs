//! Names for the ids a case document records (authors are user ids, devices are device
//! ids): the pages show people and phones, not UUIDs.

use std::collections::HashMap;

use casesync_schema::access::devices;
use casesync_schema::DbConn;

use crate::error::ApiError;

#[derive(Debug, Default)]
pub struct People {
    devices: HashMap<String, String>,
    users: HashMap<String, String>,
}

impl People {
    /// Everyone of the organisation and their devices.
    pub fn of_organisation(conn: &mut DbConn, organisation_id: &str) -> Result<Self, ApiError> {
        let mut people = Self::default();
        for u in casesync_schema::web::credentials::users_of_organisation(conn, organisation_id)? {
            people.users.insert(u.id, u.name);
        }
        for d in devices::list(conn, organisation_id)? {
            people.users.insert(d.user_id.clone(), d.user_name.clone());
            people.devices.insert(d.id, d.name);
        }
        // People of peer servers' organisations (federation): "name, organisation, server".
        let known = casesync_schema::federation::people::all(conn)?;
        if !known.is_empty() {
            let names: HashMap<String, String> =
                casesync_schema::directory::organisations::list(conn)?
                    .into_iter()
                    .map(|o| (o.id, o.name))
                    .collect();
            for (id, person) in known {
                let organisation = names
                    .get(&person.organisation_id)
                    .cloned()
                    .unwrap_or(person.organisation_id);
                people.users.insert(
                    id,
                    format!("{}, {organisation}, {}", person.name, person.peer),
                );
            }
        }
        Ok(people)
    }

    pub fn device(&self, id: &str) -> String {
        if let Some(name) = self.devices.get(id) {
            return name.clone();
        }
        match id.strip_prefix("web:") {
            Some(user) => format!("web ({})", self.user(user)),
            None if id == "server" => "server".into(),
            None => short(id),
        }
    }

    pub fn user(&self, id: &str) -> String {
        self.users.get(id).cloned().unwrap_or_else(|| short(id))
    }

    /// Adds a person who has no device (a coordinator signed in to the pages).
    pub fn add_user(&mut self, id: &str, name: &str) {
        self.users.insert(id.to_string(), name.to_string());
    }
}

/// The first 8 characters of an id people cannot resolve to a name.
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}
