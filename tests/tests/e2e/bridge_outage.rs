//! Notifications between instances that never arrive. The instance bridge's connection is
//! cut (PostgreSQL terminates it: a restart, a failover, an idle-connection reaper), or a
//! change is stored with no notification at all (an instance killed between its commit and
//! its NOTIFY). A device live on the other instance must still hear of the change, and a
//! revoked device's session must still close: on reconnection (every session catches up) and
//! by the instance's periodic sweep.

use std::time::Duration;

use casesync_contract::case::{self, CaseLog};
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::{open_pool, SqlStore};
use casesync_sync::DocumentStore;
use casesync_tests::db::TestDb;
use casesync_tests::device::Device;
use casesync_tests::live::LivePeer;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, logs};
use diesel::RunQueryDsl;

use crate::live::{joined, observation};

const WAIT: Duration = Duration::from_secs(5);
/// Reconnection takes 200 ms after a loss; the rest is for a CI machine under load.
const RECONNECT: Duration = Duration::from_secs(20);

/// Two instances on one database, each sweeping every `sweep_secs` (0: never); a case, a
/// device live on `two` holding it, and its writer, whose phone is live on `one`.
struct Scene {
    db: TestDb,
    _one: TestServer,
    _two: TestServer,
    case: DocumentId,
    staff: Device,
    reader: Device,
    on_two: LivePeer,
    writer: LivePeer,
}

impl Scene {
    fn new(db: TestDb, sweep_secs: u64) -> Self {
        logs::capture();
        let start = || TestServer::start_with(&db, |c| c.instance_sweep_secs = sweep_secs);
        let (one, two) = (start(), start());
        let org = fixtures::org(&one, "Org", "A");
        let mut staff = fixtures::device(&one, &org, Role::ReceptionStaff, "s");
        let reader = fixtures::device(&one, &org, Role::ReceptionStaff, "t");
        let case = staff.open_case(&[("given_name", "Abena")], T0);
        staff.sync().unwrap();
        let mut on_two = joined(&two, &reader.token);
        on_two.open(case);
        assert!(on_two.pump_until(WAIT, |p| p.has_content(&case)));
        let mut writer = joined(&one, &staff.token);
        writer.open(case);
        assert!(writer.pump_until(WAIT, |p| p.has_content(&case)));
        Self {
            db,
            _one: one,
            _two: two,
            case,
            staff,
            reader,
            on_two,
            writer,
        }
    }

    /// An observation stored beside the servers, with no notification at all.
    fn store_unannounced(&mut self, id: &str) {
        let case = self.case;
        let before = self.writer.heads(&case);
        let entry = observation(id, &self.staff);
        case::append(self.writer.doc(&case), CaseLog::Observations, &entry).unwrap();
        let bytes = self.writer.doc(&case).save_after(&before);
        let (pool, _) = open_pool(&self.db.url(), 1).unwrap();
        SqlStore::new(pool, ChainKey::new(&[7; 32], 0))
            .append(&case, &bytes, &[], None, None, None)
            .expect("stored beside the servers");
    }

    /// Terminates both bridges' connections to the database; returns how many there were.
    fn cut_bridges(&self) -> usize {
        let (pool, _) = open_pool(&self.db.url(), 1).unwrap();
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
}

/// Whether `peer` holds the observation `id` of `case` within `wait`.
fn arrives(peer: &mut LivePeer, case: DocumentId, id: &str, wait: Duration) -> bool {
    peer.pump_until(wait, |p| p.observation_ids(&case).contains(&id.into()))
}

/// What the bridges and sweeps logged (for a failure's message).
pub(crate) fn bridge_log() -> String {
    logs::text()
        .lines()
        .filter(|l| l.contains("bridge") || l.contains("sweep"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn missed_change_arrives_after_the_bridge_is_back(db: TestDb) {
    // No sweep: only the bridge's reconnection can bring the change.
    let mut s = Scene::new(db, 0);
    s.store_unannounced("unannounced");
    assert!(
        !arrives(&mut s.on_two, s.case, "unannounced", Duration::from_secs(1)),
        "the control: nothing tells `two`'s session"
    );
    assert_eq!(s.cut_bridges(), 2, "both instances' bridges were connected");
    assert!(
        arrives(&mut s.on_two, s.case, "unannounced", RECONNECT),
        "after its bridge reconnected, `two` pushed what its device lacked; the log said: {}",
        bridge_log()
    );

    // And the bridge carries changes again.
    let case = s.case;
    let entry = observation("after", &s.staff);
    case::append(s.writer.doc(&case), CaseLog::Observations, &entry).unwrap();
    s.writer.doc(&case).commit();
    s.writer.changed(case);
    assert!(
        arrives(&mut s.on_two, s.case, "after", RECONNECT),
        "a change through `one` reached `two` after the cut; the log said: {}",
        bridge_log()
    );
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
#[test]
fn a_revocation_missed_while_the_bridge_was_down_closes_the_session() {
    let Some(db) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    let mut s = Scene::new(db, 0);
    let (pool, _) = open_pool(&s.db.url(), 1).unwrap();
    casesync_schema::access::devices::revoke(&mut pool.get().unwrap(), &s.reader.device_id, T0)
        .unwrap();
    assert!(
        !s.on_two.pump_until(Duration::from_secs(1), |p| p.closed),
        "the control: nothing told `two`"
    );
    assert_eq!(s.cut_bridges(), 2);
    assert!(
        s.on_two.pump_until(RECONNECT, |p| p.closed),
        "the revoked device's session was closed once the bridge was back; the log said: {}",
        bridge_log()
    );
}

/// A notification lost with no connection failing: the instance's sweep finds the document
/// moved on in storage and tells its sessions, within a few seconds.
#[test]
fn a_change_no_notification_announced_reaches_live_devices_by_the_sweep() {
    let Some(db) = TestDb::new(casesync_tests::db::Kind::Postgres) else {
        return;
    };
    let mut s = Scene::new(db, 1);
    s.store_unannounced("swept");
    let started = std::time::Instant::now();
    assert!(
        arrives(&mut s.on_two, s.case, "swept", RECONNECT),
        "the sweep told `two`'s session; the log said: {}",
        bridge_log()
    );
    eprintln!(
        "unannounced change reached the device after {:?}",
        started.elapsed()
    );
    // The writer's own instance swept it too (its session held the document).
    assert!(arrives(&mut s.writer, s.case, "swept", RECONNECT));
}
