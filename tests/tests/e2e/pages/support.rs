//! A world for the page tests: an organisation with a coordinator who has a password, and
//! two reception phones at the same centre that hold the same child's case.

use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::users;
use casesync_schema::web::credentials;
use casesync_tests::device::Device;
use casesync_tests::fixtures::{self, Org};
use casesync_tests::server::{TestServer, T0};

pub const PASSWORD: &str = "a long test passphrase";

/// A person of `org` who signs in to the pages with [`PASSWORD`].
pub fn page_user(server: &TestServer, org: &Org, role: Role, name: &str) -> String {
    let mut conn = server.state.pool.get().unwrap();
    let user = users::create(&mut conn, &org.id, None, role, name).unwrap();
    let phc = casesync_server::web::passwords::hash(PASSWORD).unwrap();
    credentials::set_password_hash(&mut conn, &user.id, &phc).unwrap();
    user.id
}

pub struct World {
    pub server: TestServer,
    pub org: Org,
    pub ana: Device,
    pub ben: Device,
    pub case: DocumentId,
}

/// Ana opens Abena's case on her phone; Ben's phone receives it; each records an
/// observation offline, and both write the child's nationality differently (a conflict).
pub fn world(db: &casesync_tests::db::TestDb) -> World {
    let server = TestServer::start(db);
    let org = fixtures::org(&server, "Hope Reception", "North Centre");
    page_user(&server, &org, Role::Coordinator, "maria");
    page_user(&server, &org, Role::Auditor, "dora");
    page_user(&server, &org, Role::OrgAdmin, "olga");
    let mut ana = fixtures::device(&server, &org, Role::ReceptionStaff, "Ana");
    let mut ben = fixtures::device(&server, &org, Role::ReceptionStaff, "Ben");
    let case = ana.open_case(
        &[
            ("given_name", "Abena"),
            ("family_name", "Tesfaye"),
            ("aliases", "Abi"),
            ("physical_description", "slim, 1.55 m, short black hair"),
        ],
        T0 - 3 * 3_600_000,
    );
    ana.sync().unwrap();
    ben.sync().unwrap();
    assert!(ben.docs.contains_key(&case), "Ben's phone holds the case");
    ana.observe(
        &case,
        "obs-ana",
        "Seen at the station with two older boys",
        T0 - 2 * 3_600_000,
    );
    ben.observe(
        &case,
        "obs-ben",
        "Asked about trains to the north",
        T0 - 3_600_000,
    );
    ana.set_profile(&case, "nationality", "Eritrean");
    ben.set_profile(&case, "nationality", "Ethiopian");
    ana.sync().unwrap();
    ben.sync().unwrap();
    ana.sync().unwrap();
    World {
        server,
        org,
        ana,
        ben,
        case,
    }
}
