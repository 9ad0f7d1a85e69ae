//! Organisations, sites, users and devices for a test, made through the schema crate the
//! way `casesync admin` makes them.

use casesync_contract::Role;
use casesync_schema::directory::{devices, organisations, sites, users};

use crate::device::Device;
use crate::server::TestServer;

pub struct Org {
    pub id: String,
    pub name: String,
    pub site_id: String,
}

pub fn org(server: &TestServer, name: &str, site: &str) -> Org {
    let mut conn = server.state.pool.get().expect("db");
    let org = organisations::create(&mut conn, name).expect("org");
    let site = sites::create(&mut conn, &org.id, site).expect("site");
    Org {
        id: org.id,
        name: org.name,
        site_id: site.id,
    }
}

/// A user with one enrolled device.
pub fn device(server: &TestServer, org: &Org, role: Role, name: &str) -> Device {
    let mut conn = server.state.pool.get().expect("db");
    let site = (role != Role::Coordinator).then_some(org.site_id.as_str());
    let user = users::create(&mut conn, &org.id, site, role, name).expect("user");
    let enrolled =
        devices::enrol(&mut conn, &user.id, &format!("{name}'s phone"), None).expect("device");
    Device::new(
        name,
        &enrolled.device_id,
        &user.id,
        &org.id,
        site,
        &enrolled.token,
        &server.base_url,
    )
}
