//! Live pushes wait for the device to answer the previous one: a busy phone gets what
//! changed meanwhile in one message, not a queue of small ones; a phone that never answers
//! still gets everything, later.

use std::time::{Duration, Instant};

use casesync_contract::Role;
use casesync_tests::live::connect;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

const WAIT: Duration = Duration::from_secs(5);
/// The server's wait for an answer is 500 ms; the device reads the first push a little after
/// the server sent it.
const HELD_AT_LEAST: Duration = Duration::from_millis(450);

storage_test!(pushes_wait_for_the_device_to_answer, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut writer = fixtures::device(&server, &org, Role::ReceptionStaff, "writer");
    let busy = fixtures::device(&server, &org, Role::ReceptionStaff, "busy");
    let case = writer.open_case(&[("given_name", "Qiro")], T0);
    writer.sync().unwrap();
    let mut phone = connect(&server.base_url, &busy.token, false).expect("connect");
    phone.join();
    phone.open(case);
    assert!(phone.pump_until(WAIT, |p| p.has_content(&case)));
    phone.pump(Duration::from_millis(200), WAIT);

    writer.observe(&case, "one", "roll call", T0 + 1_000);
    writer.sync().unwrap();
    let (id, first) = phone.next_sync_unanswered(WAIT).expect("first push");
    let pushed = Instant::now();
    assert_eq!(id, case);
    assert!(
        !first.changes.is_empty(),
        "the first push carries the change"
    );

    // Not answered: the next changes wait for the answer, or for the server to give up on it.
    writer.observe(&case, "two", "roll call", T0 + 2_000);
    writer.sync().unwrap();
    writer.observe(&case, "three", "roll call", T0 + 3_000);
    writer.sync().unwrap();
    let writes_took = pushed.elapsed();
    let (_, held) = phone.next_sync_unanswered(WAIT).expect("held push");
    let waited = pushed.elapsed();
    assert!(
        waited >= HELD_AT_LEAST,
        "the second push went out {waited:?} after an unanswered one"
    );
    phone.apply(case, first);
    phone.apply(case, held);
    let seen = phone.observation_ids(&case);
    assert!(seen.contains(&"two".to_string()), "{seen:?}");
    if writes_took < Duration::from_millis(300) {
        // Both writes were committed before the wait ended: one message carried both.
        assert!(seen.contains(&"three".to_string()), "{seen:?}");
    }

    // Answered, the phone is in step again and has everything.
    phone.changed(case);
    assert!(phone.pump_until(WAIT, |p| p.observation_ids(&case).len() == 3));
    assert_eq!(phone.heads(&case), writer.heads(&case));
});
