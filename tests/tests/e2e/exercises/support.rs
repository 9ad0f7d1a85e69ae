//! Starting an exercise and enrolling its participants as the trainer's sheet tells them.

use casesync_contract::wire::Enrolled;
use casesync_server::domain::exercises::scenario::Scenario;
use casesync_server::domain::exercises::start::{start, Started};
use casesync_tests::device::Device;
use casesync_tests::server::TestServer;

pub const MINUTE: i64 = 60_000;

pub fn start_abena(server: &TestServer, speed: i64) -> Started {
    let (scenario, text) = Scenario::load("abena").unwrap();
    start(&server.state, &scenario, &text, speed, &server.base_url).unwrap()
}

/// The participant who plays `label`, enrolled with the code on their card.
pub fn enrol(server: &TestServer, started: &Started, label: &str) -> Device {
    let seat = started
        .participants
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no seat {label}"));
    let enrolled: Enrolled = reqwest::blocking::Client::new()
        .post(server.url("/v1/enrol"))
        .json(&serde_json::json!({ "code": seat.code, "device_name": format!("{label} phone") }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    Device::new(
        &seat.user,
        &enrolled.device_id,
        &enrolled.user_id,
        &enrolled.organisation_id,
        enrolled.site_id.as_deref(),
        &enrolled.token,
        &server.base_url,
    )
}
