//! Abena goes missing in Italy: the French partner is alerted with the share's fields, its
//! acknowledgement and sighting come back, the case page shows it all, and withdrawal erases
//! the French copy.

use std::time::Instant;

use casesync_tests::server::T0;
use casesync_tests::storage_test;

use super::pair::Pair;
use super::*;

storage_test!(
    abena_missing_in_italy_is_acted_on_in_france_and_back,
    |db| {
        let mut pair = Pair::start(db);
        let case = open_abena(&mut pair);
        let share = share_with_france(&pair, &case);
        let view = view_of(&share);
        let held = french_view(&pair, &view);
        assert_eq!(held["case"]["profile"]["given_name"], "Abena");
        assert!(
            held["case"]["profile"]
                .get("physical_description")
                .is_none(),
            "only the share's categories cross: {held}"
        );
        // France's audit names the server and organisation that shared it.
        let received = audit_of(&pair.fr.server, "federation.view_received");
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].actor_kind, "peer");
        assert_eq!(received[0].actor_user.as_deref(), Some("it"));
        assert_eq!(
            received[0].organisation_id.as_deref(),
            Some(pair.fr.org.id.as_str())
        );
        assert_eq!(detail(&received[0])["source_organisation"], pair.it.org.id);

        // Abena goes missing in Italy: France's coordinator is alerted, with the share's fields.
        let reported = Instant::now();
        report_missing(&mut pair.it.coordinator, &case);
        let (alerts, _) = wait_for("the missing alert in France", || {
            let alerts = french_missing_alerts(&pair);
            (!alerts.is_empty()).then_some(alerts)
        });
        let latency = reported.elapsed();
        eprintln!("federation: missing alert Italy -> France in {latency:?}");
        let alert = &alerts[0];
        assert_eq!(alert["alert"]["pack"]["name"], "Abena");
        assert!(
            !alert.to_string().contains("the port of Palermo"),
            "a field the share does not cover crossed: {alert}"
        );

        // Camille acknowledges it on her phone; Italy records the acknowledgement by name.
        let french_alert_id = alert["alert"]["id"].as_str().unwrap().to_string();
        let alert_doc: DocumentId = alert["alert_document"].as_str().unwrap().parse().unwrap();
        let camille = &mut pair.fr.coordinator;
        camille.sync().unwrap();
        {
            let (device, user) = (camille.device_id.clone(), camille.user_id.clone());
            let doc = camille.doc(&alert_doc);
            let acks = match doc.get(ROOT, "acks").unwrap() {
                Some((_, acks)) => acks,
                None => panic!("no acks list"),
            };
            let n = doc.length(&acks);
            let ack = doc.insert_object(&acks, n, ObjType::Map).unwrap();
            doc.put(&ack, "alert_id", french_alert_id.as_str()).unwrap();
            doc.put(&ack, "device", device.as_str()).unwrap();
            doc.put(&ack, "user", user.as_str()).unwrap();
            doc.put(&ack, "at", T0 + 2_000).unwrap();
            doc.commit();
        }
        camille.sync().unwrap();
        let italian_alert = {
            let mut conn = pair.it.server.state.pool.get().unwrap();
            casesync_schema::alerts::by_key(
                &mut conn,
                &format!("missing:{case}:ep-1:{}", pair.fr.org.id),
            )
            .unwrap()
            .expect("Italy raised the alert for its French partner")
        };
        wait_for("France's acknowledgement in Italy", || {
            let mut conn = pair.it.server.state.pool.get().unwrap();
            casesync_schema::alerts::deliveries(&mut conn, &italian_alert.id)
                .unwrap()
                .into_iter()
                .find(|d| d.acknowledged_at.is_some())
        });
        let (acknowledged, _) = wait_for("the acknowledgement in Italy's audit", || {
            let entries = audit_of(&pair.it.server, "federation.alert_acknowledged");
            (!entries.is_empty()).then_some(entries)
        });
        assert_eq!(acknowledged.len(), 1);
        assert_eq!(
            detail(&acknowledged[0])["user_id"],
            pair.fr.coordinator.user_id
        );

        // Camille records a sighting in the view: the Italian case shows it, with provenance.
        let camille_id = pair.fr.coordinator.user_id.clone();
        contribute_sighting(&mut pair.fr.coordinator, &view, "c-calais");
        let (case_doc, back) = wait_for("the French sighting in the Italian case", || {
            let case_doc = italian_case(&pair, &case);
            (sightings_from_france(&case_doc, "c-calais") == 1).then_some(case_doc)
        });
        eprintln!("federation: sighting France -> Italy in {back:?}");
        let entry = case_doc
            .observations
            .iter()
            .find(|o| o.provenance.is_some())
            .unwrap();
        let provenance = entry.provenance.as_ref().unwrap();
        assert_eq!(provenance.organisation.as_str(), pair.fr.org.id);
        assert_eq!(provenance.user.as_str(), camille_id);
        assert_eq!(provenance.view.as_str(), view.to_string());
        // Italy knows Camille by name, organisation and server, without a user row for her.
        {
            let mut conn = pair.it.server.state.pool.get().unwrap();
            let people = casesync_schema::federation::people::all(&mut conn).unwrap();
            let camille = people.get(&camille_id).expect("Italy knows her name");
            assert_eq!(camille.name, "Camille");
            assert_eq!(camille.peer, "fr");
            assert_eq!(camille.organisation_id, pair.fr.org.id);
            assert!(casesync_schema::directory::users::find(&mut conn, &camille_id).is_err());
        }

        // Giulia's case page: the referral, its server, what crossed, who acknowledged it; the
        // French sighting in the timeline under "name, organisation, server".
        let giulia = pages::signed_in(&pair.it);
        let (status, html) = giulia.get(&pair.it, &format!("/web/cases/{case}"));
        assert_eq!(status, 200);
        for shown in [
            "Maraude Calais",
            "on server fr",
            "What crossed to fr",
            "missing-child alert",
            "Acknowledged by Camille, Maraude Calais, fr",
            "Camille, Maraude Calais, fr",
            "Send a cross-border notification",
        ] {
            assert!(html.contains(shown), "the case page lacks {shown:?}");
        }

        // Italy withdraws the share: France's copy is erased, and France confirms it.
        let (status, _) = api(
            &pair.it,
            "DELETE",
            &format!("/v1/cases/{case}/shares/{}", share["id"].as_str().unwrap()),
            None,
        );
        assert_eq!(status, 200);
        wait_for("the view gone from France", || {
            let (status, _) = api(&pair.fr, "GET", &format!("/v1/shared-views/{view}"), None);
            (status == 404).then_some(())
        });
        {
            let mut conn = pair.fr.server.state.pool.get().unwrap();
            assert!(
                casesync_schema::directory::documents::find(&mut conn, &view)
                    .unwrap()
                    .is_none(),
                "France's copy is a tombstone"
            );
        }
        assert!(french_missing_alerts(&pair)
            .iter()
            .all(|a| a["alert"]["status"] != "open"));
        wait_for("Italy's record of the confirmation", || {
            let confirmed = audit_of(&pair.it.server, "federation.withdrawal_confirmed");
            (confirmed.len() == 1).then_some(())
        });
        assert_eq!(audit_of(&pair.fr.server, "federation.view_erased").len(), 1);
    }
);
