//! Federation (issue 18): two organisations' own servers, Italy's and France's, cooperate
//! across a border over mutual TLS. Abena goes missing in Italy and the French partner's
//! coordinator has the alert (the share's fields only) within seconds; the French
//! coordinator's sighting enters the Italian case with its provenance and the French
//! acknowledgement reaches Italy; a cut link loses nothing and applies nothing twice;
//! withdrawal erases the French copy and is confirmed; a stranger's certificate and a peer
//! speaking for an organisation its peering does not name are refused and audited.

mod link;
mod pages;
mod pair;

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, Value as AmValue, ROOT};
use autosurgeon::reconcile_insert;
use casesync_contract::case::{CaseDocument, Millis, Str};
use casesync_contract::sharing::Contribution;
use casesync_contract::DocumentId;
use casesync_contract::Role;
use casesync_schema::access::audit::{self, AuditEntry};
use casesync_tests::device::Device;
use casesync_tests::fixtures::device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;
use serde_json::{json, Value};

use pair::{Pair, Side};

const PATIENCE: Duration = Duration::from_secs(20);

fn api(side: &Side, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::blocking::Client::new();
    let url = side.server.url(path);
    let request = match method {
        "POST" => client.post(url),
        "DELETE" => client.delete(url),
        _ => client.get(url),
    };
    let request = request.bearer_auth(&side.coordinator.token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

/// Polls `probe` until it yields, and how long that took.
fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(found) = probe() {
            return (found, start.elapsed());
        }
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Italy shares the case with the French organisation (a cross-border notification).
fn share_with_france(pair: &Pair, case: &DocumentId) -> Value {
    let (status, share) = api(
        &pair.it,
        "POST",
        &format!("/v1/cases/{case}/shares"),
        Some(json!({
            "organisation": pair.fr.org.id,
            "legal_basis": "vital_interests",
            "purpose": "search for a missing child likely heading to France",
            "data_categories": ["identity"],
            "cross_border": true,
        })),
    );
    assert_eq!(status, 201, "{share}");
    share
}

fn view_of(share: &Value) -> DocumentId {
    share["view_id"].as_str().unwrap().parse().unwrap()
}

/// Waits until France's coordinator can read the view, and returns it.
fn french_view(pair: &Pair, view: &DocumentId) -> Value {
    wait_for("the view in France", || {
        let (status, body) = api(&pair.fr, "GET", &format!("/v1/shared-views/{view}"), None);
        (status == 200).then_some(body)
    })
    .0
}

/// Reception staff in Palermo register Abena; the case and the staff member's phone.
fn open_abena_with(pair: &mut Pair) -> (DocumentId, Device) {
    let mut phone = device(&pair.it.server, &pair.it.org, Role::ReceptionStaff, "Marco");
    let case = phone.open_case(
        &[
            ("given_name", "Abena"),
            ("physical_description", "tall, a scar on the left hand"),
        ],
        T0,
    );
    phone.sync().unwrap();
    assert!(phone.last_errors.is_empty(), "{:?}", phone.last_errors);
    (case, phone)
}

fn open_abena(pair: &mut Pair) -> DocumentId {
    open_abena_with(pair).0
}

fn report_missing(phone: &mut Device, case: &DocumentId) {
    phone.sync().unwrap();
    phone.episode_event_with(
        case,
        "ep-1",
        "ev-missing",
        "missing",
        T0 + 1_000,
        &[("last_seen_place", "the port of Palermo")],
    );
    phone.sync().unwrap();
}

/// France's missing alerts as its coordinator lists them.
fn french_missing_alerts(pair: &Pair) -> Vec<Value> {
    let (_, alerts) = api(&pair.fr, "GET", "/v1/alerts", None);
    alerts["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["alert"]["kind"] == "missing")
        .collect()
}

fn contribute_sighting(phone: &mut Device, view: &DocumentId, id: &str) {
    phone.sync().unwrap();
    let sighting = Contribution {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen near the Calais ferry terminal"),
        observed_at: Millis(T0 + 60_000),
        place: Some(Str::from("Calais")),
        author: Str(phone.user_id.clone()),
        device: Str(phone.device_id.clone()),
    };
    let doc = phone.doc(view);
    let list = match doc.get(ROOT, "contributions").unwrap() {
        Some((AmValue::Object(ObjType::List), list)) => list,
        other => panic!("no contributions list: {other:?}"),
    };
    let end = doc.length(&list);
    reconcile_insert(doc, list, end, &sighting).unwrap();
    doc.commit();
    phone.sync().unwrap();
    assert!(phone.last_errors.is_empty(), "{:?}", phone.last_errors);
}

fn italian_case(pair: &Pair, case: &DocumentId) -> CaseDocument {
    let (status, detail) = api(&pair.it, "GET", &format!("/v1/cases/{case}"), None);
    assert_eq!(status, 200, "{detail}");
    serde_json::from_value(detail["case"].clone()).unwrap()
}

fn sightings_from_france(case: &CaseDocument, contribution: &str) -> usize {
    case.observations
        .iter()
        .filter(|o| {
            o.provenance
                .as_ref()
                .is_some_and(|p| p.contribution.as_str() == contribution)
        })
        .count()
}

fn audit_of(server: &TestServer, action: &str) -> Vec<AuditEntry> {
    let mut conn = server.state.pool.get().unwrap();
    audit::page(&mut conn, 0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn detail(entry: &AuditEntry) -> Value {
    serde_json::from_str(&entry.detail).unwrap()
}

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

storage_test!(a_cut_link_loses_nothing_and_applies_nothing_twice, |db| {
    let mut pair = Pair::start(db);
    let (case, mut marco) = open_abena_with(&mut pair);
    let view = view_of(&share_with_france(&pair, &case));
    french_view(&pair, &view);

    // The link goes down both ways; both sides go on working.
    pair.it_to_fr.cut();
    pair.fr_to_it.cut();
    report_missing(&mut pair.it.coordinator, &case);
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
        queued(&pair.it, "fr") >= 1,
        "the alert waits in Italy's outbox"
    );
    assert!(
        queued(&pair.fr, "it") >= 1,
        "the sighting waits in France's outbox"
    );

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

/// Posts a federation message to France's listener with `own`'s certificate.
fn post_as(
    own: &pair::Pki,
    pair: &Pair,
    message: &Value,
) -> reqwest::Result<reqwest::blocking::Response> {
    let identity = [
        std::fs::read(&own.cert).unwrap(),
        std::fs::read(&own.key).unwrap(),
    ]
    .concat();
    reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&pair.fr.pki.ca).unwrap()).unwrap(),
        )
        .identity(reqwest::Identity::from_pem(&identity).unwrap())
        .build()
        .unwrap()
        .post(format!(
            "https://127.0.0.1:{}/federation/v1/messages",
            pair.fr.federation_port
        ))
        .json(message)
        .send()
}

storage_test!(
    a_stranger_and_an_unnamed_organisation_are_refused_and_audited,
    |db| {
        let pair = Pair::start(db);
        let dir = tempfile::tempdir().unwrap();
        let stranger = pair::pki(dir.path(), "stranger");
        let alert = |from: &str| {
            json!({
                "type": "alert",
                "alert_id": "a-1",
                "view_id": DocumentId::random().to_string(),
                "from_organisation": from,
                "to_organisation": pair.fr.org.id,
                "legal_basis": "vital_interests",
                "kind": "missing",
                "message": { "key": "alert-missing-shared", "args": {} },
                "pack": null,
                "raised_at": T0,
            })
        };
        // A certificate no peering's CA issued: the handshake fails, and France audits it.
        let refused = post_as(&stranger, &pair, &alert(&pair.it.org.id));
        assert!(refused.is_err(), "a stranger got through: {refused:?}");
        let (entries, _) = wait_for("the stranger's refusal in France's audit", || {
            let entries = audit_of(&pair.fr.server, "federation.refused");
            (!entries.is_empty()).then_some(entries)
        });
        assert!(detail(&entries[0])["certificate_sha256"].is_string());

        // Italy's own certificate, speaking for an organisation the peering does not name.
        let response = post_as(
            &pair.it.pki,
            &pair,
            &alert("some-other-italian-organisation"),
        )
        .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
        let entries = audit_of(&pair.fr.server, "federation.refused");
        let unnamed = entries
            .iter()
            .map(detail)
            .find(|d| d["from_organisation"] == "some-other-italian-organisation")
            .expect("the refusal is audited");
        assert_eq!(unnamed["server"], "it");
        assert!(french_missing_alerts(&pair).is_empty());

        // A legal basis the peering does not allow is refused at the source, with a reason.
        let mut pair = pair;
        let case = open_abena(&mut pair);
        let (status, refusal) = api(
            &pair.it,
            "POST",
            &format!("/v1/cases/{case}/shares"),
            Some(json!({
                "organisation": pair.fr.org.id,
                "legal_basis": "consent",
                "purpose": "search",
                "data_categories": ["identity"],
                "cross_border": true,
            })),
        );
        assert_eq!(status, 400, "{refusal}");
        assert_eq!(refusal["error"]["code"], "invalid_request");
        assert!(
            refusal["error"]["message"]
                .as_str()
                .unwrap()
                .contains("consent"),
            "{refusal}"
        );

        // The same from the case page: refused with the reason shown, then sent.
        let giulia = pages::signed_in(&pair.it);
        let (_, html) = giulia.get(&pair.it, &format!("/web/cases/{case}"));
        let csrf = pages::csrf_of(&html);
        let form = |basis: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("organisation", pair.fr.org.id.clone()),
                ("legal_basis", basis.to_string()),
                ("purpose", "search for a missing child".to_string()),
                ("data_categories", "identity".to_string()),
                ("data_categories", "physical_description".to_string()),
            ]
        };
        let refused = form("consent");
        let refused: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, to) = giulia.post(&pair.it, &format!("/web/cases/{case}/shares"), &refused);
        assert_eq!(status, 303);
        assert!(to.contains("share_problem="), "{to}");
        let (_, html) = giulia.get(&pair.it, &to);
        assert!(html.contains("Not sent:"), "the page says why");
        let sent = form("vital_interests");
        let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, to) = giulia.post(&pair.it, &format!("/web/cases/{case}/shares"), &sent);
        assert_eq!((status, to.ends_with("#shares")), (303, true), "{to}");
        let (_, export) = api(&pair.it, "GET", &format!("/v1/cases/{case}/export"), None);
        let shared = &export["shares"][0];
        assert_eq!(
            shared["data_categories"],
            json!(["identity", "physical_description"])
        );
        assert_eq!(shared["peer"]["server"], "fr");
        let view = view_of(shared);
        french_view(&pair, &view);
    }
);
