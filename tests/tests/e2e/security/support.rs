//! Page sign-in over plain HTTP for the security tests (the double-submit form cookie, its
//! token, and the session cookie a sign-in sets), and the JSON error body of a refusal.

use casesync_contract::errors::ErrorCode;
use casesync_tests::server::TestServer;
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use serde_json::Value;

pub fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// `name=value` of the cookie `name` a response sets.
pub fn cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// The CSRF token of the form in a page.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in through the form; the answer (303 with a session cookie when it worked).
pub fn sign_in(
    server: &TestServer,
    http: &Client,
    name: &str,
    password: &str,
    next: &str,
) -> Response {
    let form = http.get(server.url("/web/sign-in")).send().unwrap();
    let form_cookie = cookie(&form, "casesync_form").unwrap();
    let csrf = csrf_in(&form.text().unwrap());
    http.post(server.url("/web/sign-in"))
        .header("cookie", form_cookie)
        .form(&[
            ("name", name),
            ("password", password),
            ("csrf", &csrf),
            ("next", next),
        ])
        .send()
        .unwrap()
}

/// A signed-in session's cookie.
pub fn session(server: &TestServer, http: &Client, name: &str, password: &str) -> String {
    let resp = sign_in(server, http, name, password, "/web/cases");
    assert_eq!(resp.status().as_u16(), 303, "signed in as {name}");
    cookie(&resp, "casesync_session").expect("session cookie")
}

/// Status and error code of an answer that must carry the JSON error body.
pub fn refusal(resp: Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().expect("a JSON error body");
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

/// An error code as the JSON body spells it.
pub fn code(c: ErrorCode) -> String {
    c.as_str().to_string()
}

/// Waits (up to 10 s) until `GET path` with `token` answers 200. A blob becomes readable once
/// the derived blob references of its case are written, which runs after the sync reply.
pub fn until_served(server: &TestServer, token: &str, path: &str) {
    let started = std::time::Instant::now();
    loop {
        let status = client()
            .get(server.url(path))
            .bearer_auth(token)
            .send()
            .unwrap()
            .status()
            .as_u16();
        if status == 200 {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "GET {path} still answers {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
