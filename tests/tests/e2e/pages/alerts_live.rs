//! The alerts board in a real browser: a phone reports the child missing and the alert
//! appears on the open board without a reload; another phone receives it and acknowledges,
//! and the board shows that too.

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ROOT};
use casesync_contract::alerts::AlertKind;
use casesync_server::domain::alerts::list::list_alerts;
use casesync_tests::browser::Browser;
use casesync_tests::server::T0;
use casesync_tests::storage_test;

use super::support::{world, PASSWORD};

const WAIT: Duration = Duration::from_secs(30);

storage_test!(missing_alert_appears_live_on_the_board, |db| {
    let Some(b) = Browser::start() else { return };
    let mut w = world(&db);
    let base = w.server.base_url.clone();
    b.goto(&format!("{base}/web/sign-in"));
    b.fill("#name", "maria");
    b.fill("#password", PASSWORD);
    b.click("form button[type=submit]");
    b.wait_for_text("h1", "Missing children", WAIT);
    assert!(b.text("main").contains("No open missing-child alert"));
    // The page's script is listening before anything happens.
    let deadline = Instant::now() + WAIT;
    while b.text(".live-state") != "Updates live" {
        assert!(Instant::now() < deadline, "live updates never connected");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A marker that a reload would erase.
    b.eval("window.__sameDocument = true; return true;");

    // Ana reports Abena missing at roll call; her phone syncs.
    w.server.clock.set(T0 + 5 * 60_000);
    w.ana.episode_event(&w.case, "ep1", "ev1", "missing", T0);
    w.ana.sync().unwrap();
    let card = b.wait_for_text("main .board", "Abena", WAIT);
    assert!(card.contains("Missing for"), "{card}");
    assert!(card.contains("Ben's phone"), "{card}");
    b.wait_for_script(
        "var i = document.querySelector('.alert-card img.photo'); return i && i.complete && i.naturalWidth;",
        "the child's photo shows on the board",
        WAIT,
    );
    assert_eq!(
        b.eval("return window.__sameDocument === true;"),
        serde_json::json!(true)
    );

    // Ben's phone receives the alert document and acknowledges the alert.
    w.ben.sync().unwrap();
    let status = list_alerts(&w.server.state, &w.org.id, true).unwrap();
    let alert = status
        .alerts
        .iter()
        .find(|a| a.alert.kind == AlertKind::Missing && a.alert.case_id == w.case)
        .expect("a missing alert");
    let ben_delivery = alert
        .deliveries
        .iter()
        .find(|d| d.device_id == w.ben.device_id)
        .expect("Ben's phone is a recipient");
    assert!(ben_delivery.delivered_at.is_some(), "{ben_delivery:?}");
    {
        let (device, user) = (w.ben.device_id.clone(), w.ben.user_id.clone());
        let doc = w.ben.doc(&alert.alert_document);
        let acks = doc.get(ROOT, "acks").unwrap().expect("acks").1;
        let n = doc.length(&acks);
        let ack = doc.insert_object(&acks, n, ObjType::Map).unwrap();
        doc.put(&ack, "alert_id", alert.alert.id.as_str()).unwrap();
        doc.put(&ack, "device", device.as_str()).unwrap();
        doc.put(&ack, "user", user.as_str()).unwrap();
        doc.put(&ack, "at", T0 + 4 * 60_000).unwrap();
        doc.commit();
    }
    w.ben.sync().unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let acked: serde_json::Value = b.eval(&format!(
            "var row = document.querySelector('tr[data-device=\"{}\"]'); \
             return row ? row.cells[3].textContent : '';",
            w.ben.device_id
        ));
        if acked.as_str().is_some_and(|t| t.contains("08:04")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the acknowledgement never showed: {acked}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        b.eval("return window.__sameDocument === true;"),
        serde_json::json!(true)
    );
    if db.kind() == casesync_tests::db::Kind::Sqlite {
        b.screenshot("alerts-board", 1000);
    }

    // The case now shows the episode as a band on the timeline and the missing checklist,
    // with the police report overdue (due at T0, now five minutes later).
    b.goto(&format!("{base}/web/cases/{}", w.case));
    b.wait_for_text("h1", "Abena", WAIT);
    assert_eq!(b.count("figure.timeline > svg rect[stroke-dasharray]"), 1);
    let checklists = b.text("#checklists-h + *, section[aria-labelledby=checklists-h]");
    assert!(checklists.contains("Missing, first hours"), "{checklists}");
    assert!(checklists.contains("overdue"), "{checklists}");
    if db.kind() == casesync_tests::db::Kind::Sqlite {
        b.screenshot("case-missing", 2600);
    }

    // The case list finds the child by state and by overdue steps, not by a risk never set.
    b.goto(&format!("{base}/web/cases?state=missing&overdue=1"));
    b.wait_for_text("main table", "Abena", WAIT);
    b.goto(&format!("{base}/web/cases?risk=high"));
    b.wait_for_text("main", "No case matches", WAIT);
});
