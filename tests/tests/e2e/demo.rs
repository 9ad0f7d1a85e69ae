//! `casesync demo`: the command seeds a database once (a second run refuses, the seeding
//! function too), and what it seeds reads back through the API like any phone's work: both
//! scenario children listed with their status, timelines with entries from several devices,
//! conflicts, the partner organisation's sighting, and their missing packs.

use std::collections::BTreeSet;
use std::process::ExitCode;

use casesync_contract::alerts::{AlertEntry, AlertKind, AlertList};
use casesync_contract::views::{ChildStatus, EntryKind, MissingPack};
use casesync_contract::wire::{CaseList, Conflicts, Timeline};
use casesync_schema::directory::{devices, users};
use casesync_server::cli::demo::{seed, DemoError};
use casesync_tests::db::TestDb;
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;

/// `casesync demo` against the test database, as a newcomer runs it.
fn cli_demo(db: &TestDb) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("casesync.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{}\"\ndata_dir = \"{}\"\n",
            db.url(),
            db.data_dir().display()
        ),
    )
    .unwrap();
    casesync_server::cli::run(["casesync", "--config", config.to_str().unwrap(), "demo"])
}

fn get<T: serde::de::DeserializeOwned>(server: &TestServer, token: &str, path: &str) -> T {
    let response = reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().unwrap()
}

/// A fresh device for a seeded user: the command printed the others' tokens once.
fn token_of(server: &TestServer, user: &str) -> String {
    let mut conn = server.state.pool.get().unwrap();
    let user = users::find(&mut conn, user).unwrap();
    devices::enrol(&mut conn, &user.id, "test laptop", None)
        .unwrap()
        .token
}

storage_test!(the_demo_seeds_both_children_once, |db| {
    assert_eq!(cli_demo(&db), ExitCode::SUCCESS);
    assert_eq!(cli_demo(&db), ExitCode::FAILURE, "a second run must refuse");

    let server = TestServer::start(&db);
    // The stories were written relative to the real clock.
    server.clock.set(casesync_schema::now_millis());
    let state = server.state.clone();
    let again = actix_web::rt::System::new().block_on(async move { seed(&state).await });
    assert!(matches!(again, Err(DemoError::AlreadySeeded)), "{again:?}");

    // People who work in a browser can sign in to the coordinator pages; phones cannot.
    {
        let mut conn = server.state.pool.get().unwrap();
        for (name, has_password) in [
            ("Anna Ricci", true),
            ("Ines Moreau (DPO)", true),
            ("Giulia Romano", false),
        ] {
            let user = users::find(&mut conn, name).unwrap();
            assert_eq!(user.password_hash.is_some(), has_password, "{name}");
        }
    }
    let anna = token_of(&server, "Anna Ricci");
    let list: CaseList = get(&server, &anna, "/v1/cases");
    let case = |name: &str| {
        list.cases
            .iter()
            .find(|c| c.display_name == name)
            .unwrap_or_else(|| panic!("{name} not listed"))
    };
    let (abena, qiro) = (case("Abena Tesfay"), case("Qiro Hassan"));
    assert_eq!(abena.status, ChildStatus::Missing);
    assert_eq!(qiro.status, ChildStatus::Returned);

    for child in [abena, qiro] {
        let timeline: Timeline = get(&server, &anna, &format!("/v1/cases/{}/timeline", child.id));
        let devices: BTreeSet<&str> = timeline.entries.iter().map(|e| e.device.as_str()).collect();
        let delivered: BTreeSet<&str> = timeline
            .entries
            .iter()
            .filter_map(|e| e.delivered_by.as_deref())
            .collect();
        assert!(
            devices.len() >= 3,
            "{}: entries from {devices:?}",
            child.display_name
        );
        assert!(
            delivered.len() >= 3,
            "{}: delivered by {delivered:?}",
            child.display_name
        );
        let kinds: BTreeSet<String> = timeline
            .entries
            .iter()
            .map(|e| format!("{:?}", e.kind))
            .collect();
        for kind in [
            EntryKind::Observation,
            EntryKind::EpisodeEvent,
            EntryKind::RiskAssessment,
            EntryKind::LegalBasis,
            EntryKind::Attachment,
        ] {
            assert!(
                kinds.contains(&format!("{kind:?}")),
                "{}: no {kind:?}",
                child.display_name
            );
        }
        // Two phones wrote one register while one was offline.
        let conflicts: Conflicts =
            get(&server, &anna, &format!("/v1/cases/{}/conflicts", child.id));
        assert_eq!(
            conflicts.conflicts.len(),
            1,
            "{}: {:?}",
            child.display_name,
            conflicts.conflicts
        );
    }

    // The alerts follow from the histories: Abena's is open and carries her pack; Qiro's
    // was stood down when he was found.
    let alerts: AlertList = get(&server, &anna, "/v1/alerts?all=true");
    let missing = |id| {
        alerts
            .alerts
            .iter()
            .map(|a| &a.alert)
            .filter(move |a| a.kind == AlertKind::Missing && a.case_id == id)
    };
    let open: Vec<&AlertEntry> = missing(abena.id).filter(|a| a.status == "open").collect();
    assert_eq!(open.len(), 1, "{:?}", alerts.alerts);
    let pack = open[0].pack.as_ref().expect("the alert carries the pack");
    assert_eq!(pack.name, "Abena Tesfay");
    assert!(pack
        .clothing
        .as_deref()
        .unwrap()
        .contains("blue hooded jacket"));
    let qiros: Vec<&str> = missing(qiro.id).map(|a| a.status.as_str()).collect();
    assert_eq!(qiros, vec!["stood_down"]);

    // Abena: seen in Calais by the partner organisation's outreach worker, who holds the
    // share's view, never the case: the sighting reaches the case as the partner's entry.
    let lea = token_of(&server, "Léa Martin");
    let refused = reqwest::blocking::Client::new()
        .get(server.url(&format!("/v1/cases/{}/timeline", abena.id)))
        .bearer_auth(&lea)
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 404, "the partner reads the case");
    let timeline: Timeline = get(&server, &anna, &format!("/v1/cases/{}/timeline", abena.id));
    let sighting = timeline
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::Observation && e.label == "sighting")
        .expect("the sighting");
    assert_eq!(
        sighting.place.as_deref(),
        Some("Calais, food distribution near the station")
    );
    let case: serde_json::Value = get(&server, &anna, &format!("/v1/cases/{}", abena.id));
    let partner_entry = case["case"]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| !o["provenance"].is_null())
        .expect("the partner's sighting carries its provenance");
    assert_eq!(partner_entry["kind"], "sighting");
    let export: serde_json::Value = get(&server, &anna, &format!("/v1/cases/{}/export", abena.id));
    let view = export["shares"][0]["view_id"].as_str().unwrap().to_string();
    let held: serde_json::Value = get(&server, &lea, &format!("/v1/shared-views/{view}"));
    // The share covers identity, description, photos and location: nothing else travels.
    let text = held.to_string();
    for withheld in [
        "asylum_status",
        "dublin_status",
        "phone_numbers",
        "social_media",
        "family_and_associates",
        "guardian",
        "social_worker",
    ] {
        assert!(!text.contains(withheld), "{withheld} reached the partner");
    }
    for value in ["Lucia Ferri", "claim not yet lodged"] {
        assert!(!text.contains(value), "{value} reached the partner");
    }
    for empty in [
        "risk_assessments",
        "legal_bases",
        "episodes",
        "referrals",
        "checklists",
    ] {
        assert_eq!(
            held["case"][empty],
            serde_json::json!([]),
            "{empty} reached the partner"
        );
    }
    assert_eq!(held["contributions"].as_array().unwrap().len(), 1);
    let pack: MissingPack = get(
        &server,
        &anna,
        &format!("/v1/cases/{}/missing-pack", abena.id),
    );
    assert_eq!(pack.missing_required, vec!["identity_document"]);
    assert!(pack.stale.is_empty());

    // Qiro: returned, the destination country notified, his photo out of date.
    let timeline: Timeline = get(&server, &anna, &format!("/v1/cases/{}/timeline", qiro.id));
    assert!(timeline
        .entries
        .iter()
        .any(|e| e.kind == EntryKind::Referral && e.label == "cross_border"));
    assert!(timeline.entries.iter().any(|e| e.label == "returned"));
    let pack: MissingPack = get(
        &server,
        &anna,
        &format!("/v1/cases/{}/missing-pack", qiro.id),
    );
    assert_eq!(pack.stale, vec!["photo"]);
    assert!(
        pack.missing_required.is_empty(),
        "{:?}",
        pack.missing_required
    );
    let page = reqwest::blocking::Client::new()
        .get(server.url(&format!("/v1/cases/{}/missing-pack?format=html", qiro.id)))
        .bearer_auth(&anna)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("data:image/jpeg;base64,"),
        "the seeded photo is printed"
    );
});
