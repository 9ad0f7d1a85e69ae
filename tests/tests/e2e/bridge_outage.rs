//! The instance bridge's connection is cut (PostgreSQL terminates it: a restart, a failover,
//! an idle-connection reaper). Notifications sent while it was down never arrive, so when it
//! is back every session on the instance brings what it holds up to date; a device live on
//! the instance must not wait for its own next change to hear another's.

use std::time::Duration;

use casesync_contract::case::{self, CaseLog, Millis, Observation, Str};
use casesync_contract::Role;
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::{open_pool, SqlStore};
use casesync_sync::DocumentStore;
use casesync_tests::db::TestDb;
use casesync_tests::live::{connect, LivePeer};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, logs};
use diesel::RunQueryDsl;

const WAIT: Duration = Duration::from_secs(5);
/// Reconnection takes 200 ms after a loss; the rest is for a CI machine under load.
const RECONNECT: Duration = Duration::from_secs(20);

fn observation(id: &str, device: &casesync_tests::device::Device) -> Observation {
    Observation {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen at the station"),
        observed_at: Millis(T0 + 1_000),
        place: None,
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
        attachments: None,
        provenance: None,
    }
}

fn joined(server: &TestServer, token: &str) -> LivePeer {
    let mut peer = connect(&server.base_url, token, false).expect("connect");
    peer.join();
    peer
}

/// Terminates the bridges' connections to the test database; returns how many there were.
fn cut_bridges(db: &TestDb) -> usize {
    let (pool, _) = open_pool(&db.url(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Cut {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        cut: bool,
    }
    let cut: Vec<Cut> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = $1",
    )
    .bind::<diesel::sql_types::Text, _>(casesync_server::bridge::APPLICATION_NAME)
    .load(&mut conn)
    .unwrap();
    cut.iter().filter(|c| c.cut).count()
}

/// Two instances, each with its sweep every `sweep_secs` (0: none).
fn instances(db: &TestDb, sweep_secs: u64) -> (TestServer, TestServer) {
    let start = || TestServer::start_with(db, |c| c.instance_sweep_secs = sweep_secs);
    (start(), start())
}

/// A change to `case` stored beside the servers, with no notification at all: as committed
/// by an instance that died between its commit and its NOTIFY, or announced while `two` was
/// not listening.
fn store_unannounced(
    db: &TestDb,
    writer: &mut LivePeer,
    case: casesync_contract::DocumentId,
    device: &casesync_tests::device::Device,
    id: &str,
) {
    let before = writer.heads(&case);
    case::append(
        writer.doc(&case),
        CaseLog::Observations,
        &observation(id, device),
    )
    .unwrap();
    let bytes = writer.doc(&case).save_after(&before);
    let (pool, _) = open_pool(&db.url(), 1).unwrap();
    SqlStore::new(pool, ChainKey::new(&[7; 32], 0))
        .append(&case, &bytes, &[], None, None, None)
        .expect("stored beside the servers");
}

fn missed_change_arrives_after_the_bridge_is_back(db: TestDb) {
    logs::capture();
    // No sweep: only the bridge's reconnection can bring the change.
    let (one, two) = instances(&db, 0);
    let org = fixtures::org(&one, "Org", "A");
    let mut staff = fixtures::device(&one, &org, Role::ReceptionStaff, "s");
    let other = fixtures::device(&one, &org, Role::ReceptionStaff, "t");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let mut on_two = joined(&two, &other.token);
    on_two.open(case);
    assert!(on_two.pump_until(WAIT, |p| p.has_content(&case)));

    let mut writer = joined(&one, &staff.token);
    writer.open(case);
    assert!(writer.pump_until(WAIT, |p| p.has_content(&case)));
    store_unannounced(&db, &mut writer, case, &staff, "unannounced");
    let arrived = |p: &mut LivePeer| p.observation_ids(&case).contains(&"unannounced".into());
    // Nothing tells `two`'s session: it does not arrive on its own.
    assert!(
        !on_two.pump_until(Duration::from_secs(1), arrived),
        "the control: an unannounced change is not pushed"
    );

    assert_eq!(
        cut_bridges(&db),
        2,
        "both instances' bridges were connected"
    );
    assert!(
        on_two.pump_until(RECONNECT, arrived),
        "after its bridge reconnected, `two` pushed what its device lacked; the bridge said: {}",
        bridge_log()
    );

    // And the bridge carries changes again, both ways.
    case::append(
        writer.doc(&case),
        CaseLog::Observations,
        &observation("after", &staff),
    )
    .unwrap();
    writer.doc(&case).commit();
    writer.changed(case);
    assert!(
        on_two.pump_until(RECONNECT, |p| p
            .observation_ids(&case)
            .contains(&"after".into())),
        "a change through `one` reached `two` after the cut; the bridge said: {}",
        bridge_log()
    );
}

/// What the bridges logged (for a failure's message).
pub(crate) fn bridge_log() -> String {
    logs::text()
        .lines()
        .filter(|l| l.contains("bridge") || l.contains("sweep"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_change_missed_while_the_bridge_was_down_reaches_live_devices() {
    let Some(db) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    missed_change_arrives_after_the_bridge_is_back(db);
}

#[test]
fn a_change_missed_while_the_tls_bridge_was_down_reaches_live_devices() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    missed_change_arrives_after_the_bridge_is_back(db);
}

/// A revocation whose notification was missed: the device's session on the other instance
/// is closed when the bridge is back, not left open for as long as the phone stays online.
fn missed_revocation_closes_the_session(db: TestDb) {
    let (one, two) = instances(&db, 0);
    let org = fixtures::org(&one, "Org", "A");
    let mut staff = fixtures::device(&one, &org, Role::ReceptionStaff, "s");
    let lost = fixtures::device(&one, &org, Role::ReceptionStaff, "lost");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let mut on_two = joined(&two, &lost.token);
    on_two.open(case);
    assert!(on_two.pump_until(WAIT, |p| p.has_content(&case)));

    // Revoked by an instance whose notification never reached `two`.
    let (pool, _) = open_pool(&db.url(), 1).unwrap();
    casesync_schema::access::devices::revoke(&mut pool.get().unwrap(), &lost.device_id, T0)
        .unwrap();
    assert!(
        !on_two.pump_until(Duration::from_secs(1), |p| p.closed),
        "the control: nothing told `two`"
    );
    assert_eq!(cut_bridges(&db), 2);
    assert!(
        on_two.pump_until(RECONNECT, |p| p.closed),
        "the revoked device's session was closed once the bridge was back; the bridge said: {}",
        bridge_log()
    );
}

#[test]
fn a_revocation_missed_while_the_bridge_was_down_closes_the_session() {
    let Some(db) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    missed_revocation_closes_the_session(db);
}

/// A notification lost with no connection failing: the instance's sweep finds the document
/// moved on in storage and tells its sessions, within a few seconds.
#[test]
fn a_change_no_notification_announced_reaches_live_devices_by_the_sweep() {
    let Some(db) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    logs::capture();
    let (one, two) = instances(&db, 1);
    let org = fixtures::org(&one, "Org", "A");
    let mut staff = fixtures::device(&one, &org, Role::ReceptionStaff, "s");
    let other = fixtures::device(&one, &org, Role::ReceptionStaff, "t");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let mut on_two = joined(&two, &other.token);
    on_two.open(case);
    assert!(on_two.pump_until(WAIT, |p| p.has_content(&case)));
    let mut writer = joined(&one, &staff.token);
    writer.open(case);
    assert!(writer.pump_until(WAIT, |p| p.has_content(&case)));

    store_unannounced(&db, &mut writer, case, &staff, "swept");
    let started = std::time::Instant::now();
    assert!(
        on_two.pump_until(RECONNECT, |p| p
            .observation_ids(&case)
            .contains(&"swept".into())),
        "the sweep told `two`'s session; the log said: {}",
        bridge_log()
    );
    eprintln!(
        "unannounced change reached the device after {:?}",
        started.elapsed()
    );
    // The writer's own instance swept it too (its session held the document).
    assert!(writer.pump_until(RECONNECT, |p| p
        .observation_ids(&case)
        .contains(&"swept".into())));
}
