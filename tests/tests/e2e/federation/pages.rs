//! The coordinator's pages on one side of a peering: signed in as the side's coordinator.

use casesync_schema::web::credentials;
use reqwest::blocking::Client;

use super::pair::Side;
use crate::pages::support::{client, pair, set_cookie, sign_in, PASSWORD};

pub struct Session {
    http: Client,
    cookie: String,
}

/// Signs the side's coordinator in to the pages.
pub fn signed_in(side: &Side) -> Session {
    {
        let mut conn = side.server.state.pool.get().unwrap();
        let phc = casesync_server::web::passwords::hash(PASSWORD).unwrap();
        credentials::set_password_hash(&mut conn, &side.coordinator.user_id, &phc).unwrap();
    }
    let http = client();
    let resp = sign_in(&side.server, &http, &side.coordinator.name, PASSWORD);
    let cookie = pair(&set_cookie(&resp, "casesync_session").expect("signed in"));
    Session { http, cookie }
}

impl Session {
    pub fn get(&self, side: &Side, path: &str) -> (u16, String) {
        let resp = self
            .http
            .get(side.server.url(path))
            .header("cookie", &self.cookie)
            .send()
            .unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    }

    /// Posts a form (pairs may repeat a name); returns the status and where it sends to.
    pub fn post(&self, side: &Side, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let resp = self
            .http
            .post(side.server.url(path))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .unwrap();
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (resp.status().as_u16(), to)
    }
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form") + 19;
    html[at..].split('"').next().unwrap().to_string()
}
