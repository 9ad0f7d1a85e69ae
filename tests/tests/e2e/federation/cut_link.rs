//! A link cut both ways: both sides go on working, everything arrives once it is back, and a
//! message delivered again is applied once; the stand-down follows the child's return.

use std::time::{Duration, Instant};

use casesync_tests::server::T0;
use casesync_tests::storage_test;

use super::pair::Pair;
use super::*;

storage_test!(a_cut_link_loses_nothing_and_applies_nothing_twice, |db| {
    let mut pair = Pair::start(db);
    let (case, mut marco) = open_abena_with(&mut pair);
    let view = view_of(&share_with_france(&pair, &case));
    french_view(&pair, &view);

    // The link goes down both ways; both sides go on working.
    pair.it_to_fr.cut();
    pair.fr_to_it.cut();
    report_missing(&mut pair.it.coordinator, &case);
    // A fact the share covers changes in Italy: the view's update waits too.
    pair.it
        .coordinator
        .set_profile(&case, "family_name", "Mensah");
    pair.it.coordinator.sync().unwrap();
    contribute_sighting(&mut pair.fr.coordinator, &view, "c-offline");
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(french_missing_alerts(&pair).is_empty());
    assert_eq!(
        sightings_from_france(&italian_case(&pair, &case), "c-offline"),
        0
    );
    let queued = |side: &Side, peer: &str| {
        let mut conn = side.server.state.pool.get().unwrap();
        casesync_schema::federation::outbox::pending_count(&mut conn, peer).unwrap()
    };
    assert!(
        queued(&pair.it, "fr") >= 2,
        "the alert and the view's update wait in Italy's outbox"
    );
    assert!(
        queued(&pair.fr, "it") >= 1,
        "the sighting waits in France's outbox"
    );

    // Nobody in France can acknowledge while the link is down: once the handbook's time has
    // passed, Italy's own coordinators are told (nobody here reads the partner's board).
    pair.it.server.clock.set(T0 + 20 * 60_000);
    casesync_server::domain::alerts::escalation::tick(&pair.it.server.state).unwrap();
    {
        let mut conn = pair.it.server.state.pool.get().unwrap();
        let for_france = casesync_schema::alerts::by_key(
            &mut conn,
            &format!("missing:{case}:ep-1:{}", pair.fr.org.id),
        )
        .unwrap()
        .expect("Italy raised the alert for France");
        let escalated = casesync_schema::alerts::by_key(
            &mut conn,
            &format!("unacknowledged:{}", for_france.id),
        )
        .unwrap()
        .expect("the partner's silence is escalated");
        assert_eq!(escalated.organisation_id, pair.it.org.id);
    }

    // Restored: everything arrives.
    let restored = Instant::now();
    pair.it_to_fr.restore();
    pair.fr_to_it.restore();
    wait_for("both outboxes empty", || {
        (queued(&pair.it, "fr") == 0 && queued(&pair.fr, "it") == 0).then_some(())
    });
    let (_, caught_up) = wait_for("the sighting in Italy", || {
        (sightings_from_france(&italian_case(&pair, &case), "c-offline") > 0).then_some(())
    });
    wait_for("the alert in France", || {
        (!french_missing_alerts(&pair).is_empty()).then_some(())
    });
    wait_for("the view's update in France", || {
        let held = french_view(&pair, &view);
        (held["case"]["profile"]["family_name"] == "Mensah").then_some(())
    });
    eprintln!(
        "federation: caught up {:?} after the link was restored",
        restored.elapsed().max(caught_up)
    );

    // Everything again, as after a lost answer: Italy sends the alert a second time, and
    // forgets what France holds of the view, so the whole view goes again both ways.
    let sent_alert = {
        let mut conn = pair.it.server.state.pool.get().unwrap();
        let rows =
            casesync_schema::federation::outbox::about(&mut conn, &[view.to_string()]).unwrap();
        assert!(rows.iter().all(|r| r.sent_at.is_some()));
        casesync_schema::federation::heads::forget(&mut conn, "fr", &view.to_string()).unwrap();
        let alert = casesync_schema::alerts::by_key(
            &mut conn,
            &format!("missing:{case}:ep-1:{}", pair.fr.org.id),
        )
        .unwrap()
        .unwrap();
        casesync_schema::federation::outbox::about(&mut conn, &[alert.id])
            .unwrap()
            .remove(0)
    };
    let again = post_as(
        &pair.it.pki,
        &pair,
        &serde_json::from_str(&sent_alert.payload).unwrap(),
    )
    .unwrap();
    assert_eq!(again.status().as_u16(), 200);
    casesync_server::federation::enqueue::view_changed(&pair.it.server.state, &view).unwrap();
    wait_for("the view sent again", || {
        (queued(&pair.it, "fr") == 0).then_some(())
    });
    assert_eq!(
        french_missing_alerts(&pair).len(),
        1,
        "one alert, however often it was sent"
    );
    assert_eq!(
        audit_of(&pair.fr.server, "federation.alert_received").len(),
        1
    );
    assert_eq!(
        sightings_from_france(&italian_case(&pair, &case), "c-offline"),
        1
    );

    // Abena is back and seen safe and well in Palermo: Italy stands its alert down, and so
    // does France.
    marco.sync().unwrap();
    marco.episode_event(&case, "ep-1", "ev-located", "located", T0 + 3_600_000);
    let check = crate::records::helpers::wellbeing(&marco, "wb-1", "ep-1", T0 + 3_700_000);
    crate::records::helpers::record(
        &mut marco,
        &case,
        casesync_contract::case::CaseLog::WellbeingChecks,
        &check,
    );
    marco.sync().unwrap();
    assert!(marco.last_errors.is_empty(), "{:?}", marco.last_errors);
    wait_for("the alert stood down in France", || {
        french_missing_alerts(&pair).is_empty().then_some(())
    });
});
