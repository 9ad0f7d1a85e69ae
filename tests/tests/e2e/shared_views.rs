//! Shared views (issue 16): a partner organisation holds only what a share names, never the
//! case; what it reports enters the case with its provenance; withdrawal takes the view off
//! its devices; every version sent is recorded.

mod categories;
mod contributions;
mod crash;
mod holders;
mod pages;
mod record;
mod withdrawal;

use casesync_contract::sharing::SharedViewDocument;
use casesync_contract::DocumentId;
use casesync_tests::device::Device;
use serde_json::{json, Value};

use super::authz_world::{Member, World};

pub fn device_of(world: &World, member: &Member) -> Device {
    Device::new(
        &member.name,
        &member.device_id,
        &member.user_id,
        &member.organisation_id,
        None,
        &member.token,
        &world.server.base_url,
    )
}

/// Shares `case` with B for `categories` (resting on `rests_on` if given); returns the
/// share's JSON.
pub fn share(
    world: &World,
    case: &DocumentId,
    categories: &[&str],
    rests_on: Option<&str>,
) -> Value {
    let mut body = json!({
        "organisation": world.b.name,
        "legal_basis": "vital_interests",
        "purpose": "search for a missing child",
        "data_categories": categories,
        "cross_border": true,
    });
    if let Some(entry) = rests_on {
        body["rests_on"] = json!(entry);
    }
    world.expect(
        201,
        "POST",
        &format!("/v1/cases/{case}/shares"),
        world.coordinator_a(),
        Some(body),
    )
}

pub fn view_id(share: &Value) -> DocumentId {
    share["view_id"]
        .as_str()
        .expect("the share names its view")
        .parse()
        .unwrap()
}

/// The view as `token` reads it through the API.
pub fn read_view(world: &World, view: &DocumentId, token: &str) -> SharedViewDocument {
    serde_json::from_value(world.expect(
        200,
        "GET",
        &format!("/v1/shared-views/{view}"),
        token,
        None,
    ))
    .expect("a shared view")
}
