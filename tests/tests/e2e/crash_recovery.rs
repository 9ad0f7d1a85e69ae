//! What a change implies survives a crash: a missing report acknowledged over the WebSocket,
//! then the server killed (SIGKILL) before its derive workers ran (a fail point holds them
//! there every time). After a restart the alert exists once and reaches every device in
//! scope; with two instances, the survivor finishes the dead one's work.

use std::path::Path;
use std::time::{Duration, Instant};

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::{DocumentId, Role};
use casesync_tests::db::{Kind, TestDb};
use casesync_tests::device::Device;
use casesync_tests::live::{connect, LivePeer};
use casesync_tests::process::{casesync_binary, wait_for_line, Casesync, ServerProcess};
use casesync_tests::server::TestServer;
use casesync_tests::{fixtures, storage_test};

/// The people of the scenario, enrolled through an in-process server that is then stopped:
/// their tokens live in the database the processes share.
struct Cast {
    reporter: Device,
    colleague: Device,
    offline: Device,
    coordinator: Device,
    case: DocumentId,
}

fn cast(db: &TestDb) -> Cast {
    let server = TestServer::start(db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut reporter = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let colleague = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let offline = fixtures::device(&server, &org, Role::ReceptionStaff, "luca");
    let coordinator = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let case = reporter.open_case(&[("given_name", "Abena")], now());
    reporter.sync().expect("case stored");
    Cast {
        reporter,
        colleague,
        offline,
        coordinator,
        case,
    }
}

fn now() -> i64 {
    casesync_schema::now_millis()
}

pub(crate) fn casesync(db: &TestDb, fail_point: Option<&str>) -> Casesync {
    let mut settings = vec![];
    if let Some(point) = fail_point {
        settings.push(("FAIL_POINTS".to_string(), point.to_string()));
    }
    Casesync {
        binary: casesync_binary().expect("casesync binary"),
        database_url: db.url(),
        data_dir: db.data_dir(),
        settings,
    }
}

/// Starts a server whose log goes to `log`.
pub(crate) fn serve(server: &Casesync, log: &Path) -> ServerProcess {
    let file = std::fs::File::create(log).expect("log file");
    let mut server = server.clone();
    server
        .settings
        .push(("LOG_FORMAT".to_string(), "json".to_string()));
    // The fail point announces itself at warn level, which the process logs by default.
    server.serve_logging_to(file).expect("casesync serves")
}

/// The reporter's phone records the child absent then missing and sends it over the
/// WebSocket; returns once the server acknowledged it (its heads reached ours).
fn report_missing_live(base_url: &str, reporter: &mut Device, case: DocumentId) -> LivePeer {
    reporter.episode_event(&case, "ep1", "ev-absent", "absent", now());
    reporter.episode_event(&case, "ep1", "ev-missing", "missing", now());
    let mut peer = connect(base_url, &reporter.token, false).expect("connect");
    peer.join();
    peer.hold(case, reporter.doc(&case).clone());
    let ours = peer.heads(&case);
    let acknowledged = peer.pump_until(Duration::from_secs(10), |p| {
        p.docs[&case].1.their_heads.as_ref() == Some(&ours)
    });
    assert!(acknowledged, "the server acknowledged the missing report");
    assert!(peer.errors.is_empty(), "no refusal: {:?}", peer.errors);
    peer
}

fn alerts(base_url: &str, token: &str) -> AlertList {
    reqwest::blocking::Client::new()
        .get(format!("{base_url}/v1/alerts?all=true"))
        .bearer_auth(token)
        .send()
        .expect("alerts answer")
        .json()
        .expect("alert list")
}

fn missing_alerts(list: &AlertList) -> usize {
    list.alerts
        .iter()
        .filter(|s| s.alert.kind == AlertKind::Missing)
        .count()
}

/// Polls the coordinator's alert list until the missing alert shows; returns how long it took.
fn wait_for_missing_alert(base_url: &str, coordinator: &Device, max: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < max {
        if missing_alerts(&alerts(base_url, &coordinator.token)) > 0 {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no missing alert within {max:?} after the restart");
}

/// A live phone of the site following its caseload: it receives the alert document.
fn receives_missing_alert_live(base_url: &str, device: &Device) {
    let me: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{base_url}/v1/me"))
        .bearer_auth(&device.token)
        .send()
        .expect("me")
        .json()
        .expect("me json");
    let caseload: DocumentId = me["caseload_url"]
        .as_str()
        .and_then(|u| u.parse().ok())
        .expect("caseload url");
    let mut peer = connect(base_url, &device.token, false).expect("connect");
    peer.join();
    peer.open(caseload);
    let held = peer.pump_until(Duration::from_secs(10), |p| {
        let listed = casesync_tests::live::alert_documents(p, &caseload);
        for id in &listed {
            if !p.docs.contains_key(id) {
                p.open(*id);
            }
        }
        listed
            .iter()
            .any(|id| casesync_tests::live::holds_alert(p, id, "missing"))
    });
    assert!(held, "a live phone of the site holds the missing alert");
}

/// Checks the end state: one missing alert, on every device in scope.
fn alert_reached_everyone(base_url: &str, cast: &mut Cast) {
    assert_eq!(
        missing_alerts(&alerts(base_url, &cast.coordinator.token)),
        1,
        "exactly one missing alert"
    );
    receives_missing_alert_live(base_url, &cast.colleague);
    cast.offline.set_base_url(base_url);
    cast.offline.sync().expect("offline phone syncs");
    let alert_docs = cast
        .offline
        .docs
        .keys()
        .filter(|id| **id != cast.case)
        .count();
    assert!(
        alert_docs > 0,
        "the phone that was offline received the alert document"
    );
}

storage_test!(a_missing_report_survives_a_kill_before_its_alert, |db| {
    let mut cast = cast(&db);
    let logs = tempfile::tempdir().expect("log dir");

    // The server acknowledges the report, then stops dead before deriving anything from it.
    let paused = serve(
        &casesync(&db, Some("derive.before_claim")),
        &logs.path().join("a.log"),
    );
    let peer = report_missing_live(&paused.base_url(), &mut cast.reporter, cast.case);
    assert!(
        wait_for_line(
            &logs.path().join("a.log"),
            "fail point reached",
            Duration::from_secs(10)
        ),
        "the derive worker reached the fail point"
    );
    assert_eq!(
        missing_alerts(&alerts(&paused.base_url(), &cast.coordinator.token)),
        0,
        "nothing derived before the kill"
    );
    drop(peer);
    paused.kill().expect("SIGKILL");

    let restarted = serve(&casesync(&db, None), &logs.path().join("b.log"));
    let recovery = wait_for_missing_alert(
        &restarted.base_url(),
        &cast.coordinator,
        Duration::from_secs(30),
    );
    eprintln!(
        "missing alert raised {recovery:?} after the restart ({:?})",
        db.kind()
    );
    alert_reached_everyone(&restarted.base_url(), &mut cast);

    // Restarting again derives nothing twice.
    restarted.kill().expect("SIGKILL");
    let again = serve(&casesync(&db, None), &logs.path().join("c.log"));
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        missing_alerts(&alerts(&again.base_url(), &cast.coordinator.token)),
        1
    );
});

storage_test!(an_alert_half_raised_when_killed_is_completed, |db| {
    let mut cast = cast(&db);
    let logs = tempfile::tempdir().expect("log dir");
    // Killed after the alert was recorded as raised and before its entry was written.
    let paused = serve(
        &casesync(&db, Some("alert.recorded")),
        &logs.path().join("a.log"),
    );
    let peer = report_missing_live(&paused.base_url(), &mut cast.reporter, cast.case);
    assert!(
        wait_for_line(
            &logs.path().join("a.log"),
            "fail point reached",
            Duration::from_secs(10)
        ),
        "the alert was recorded"
    );
    drop(peer);
    paused.kill().expect("SIGKILL");

    let restarted = serve(&casesync(&db, None), &logs.path().join("b.log"));
    let recovery = wait_for_missing_alert(
        &restarted.base_url(),
        &cast.coordinator,
        Duration::from_secs(40),
    );
    eprintln!(
        "half-raised alert completed {recovery:?} after the restart ({:?})",
        db.kind()
    );
    alert_reached_everyone(&restarted.base_url(), &mut cast);
});

/// Two instances on one PostgreSQL: the one that committed the report claims its derive
/// work and dies holding the claim; the other finishes it once the lease runs out.
#[test]
fn the_surviving_instance_finishes_a_dead_ones_work() {
    let Some(db) = TestDb::new(Kind::Postgres) else {
        return;
    };
    let mut cast = cast(&db);
    let logs = tempfile::tempdir().expect("log dir");
    let survivor = serve(&casesync(&db, None), &logs.path().join("survivor.log"));
    let doomed = serve(
        &casesync(&db, Some("derive.after_claim")),
        &logs.path().join("doomed.log"),
    );

    let peer = report_missing_live(&doomed.base_url(), &mut cast.reporter, cast.case);
    assert!(
        wait_for_line(
            &logs.path().join("doomed.log"),
            "fail point reached",
            Duration::from_secs(10)
        ),
        "the doomed instance claimed the work"
    );
    drop(peer);
    let killed = Instant::now();
    doomed.kill().expect("SIGKILL");

    let recovery = wait_for_missing_alert(
        &survivor.base_url(),
        &cast.coordinator,
        Duration::from_secs(40),
    );
    eprintln!(
        "the survivor raised the missing alert {:?} after the kill",
        killed.elapsed().max(recovery)
    );
    alert_reached_everyone(&survivor.base_url(), &mut cast);
}
