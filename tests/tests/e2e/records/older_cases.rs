//! A case written before the record logs existed gets them from the server, in the one
//! change every server computes alike, and its phones then record into them.

use casesync_contract::case::{missing_record_logs, read_case, record_logs_change, CaseLog};
use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

use super::helpers::*;

storage_test!(an_older_case_gets_its_record_logs_from_the_server, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let case = staff.open_case(&[("given_name", "Qiro")], T0);
    // The skeleton of the build before records: no record logs at all.
    let doc = staff.doc(&case);
    for log in CaseLog::RECORDS {
        automerge::transaction::Transactable::delete(doc, automerge::ROOT, log.key()).unwrap();
    }
    doc.commit();
    assert_eq!(missing_record_logs(staff.doc(&case)).len(), 6);
    staff.sync().unwrap();
    assert!(staff.last_errors.is_empty(), "{:?}", staff.last_errors);
    // The derive run adds them; the phone's next sync brings them.
    staff.sync().unwrap();
    assert!(missing_record_logs(staff.doc(&case)).is_empty());
    let upgrade = record_logs_change(&case.to_string(), &CaseLog::RECORDS).unwrap();
    let hash = automerge::Change::from_bytes(upgrade).unwrap().hash();
    assert!(
        staff.doc(&case).get_change_by_hash(&hash).is_some(),
        "the one deterministic change"
    );
    let check = wellbeing(&staff, "wellbeing-1", "ep1", T0 + HOUR);
    record(&mut staff, &case, CaseLog::WellbeingChecks, &check);
    staff.sync().unwrap();
    assert!(staff.last_errors.is_empty(), "{:?}", staff.last_errors);
    let stored = server
        .state
        .engine
        .read(&case, |d| read_case(d).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.wellbeing_checks.len(), 1);
    // A phone that tries to create a record log itself is refused: only the server does.
    let other = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let doc = staff.doc(&other);
    automerge::transaction::Transactable::put_object(
        doc,
        automerge::ROOT,
        "notifications",
        automerge::ObjType::List,
    )
    .unwrap();
    doc.commit();
    staff.sync().unwrap();
    let refusal = staff.last_errors.get(&other).expect("refused");
    assert!(refusal.message.contains("append_only"), "{refusal:?}");
});
