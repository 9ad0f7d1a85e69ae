//! The JSON error body of a refusal, for the security tests.

use casesync_contract::errors::ErrorCode;
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use serde_json::Value;

pub fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
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
