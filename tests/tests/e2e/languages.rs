//! The handbook's five languages reach the phones: a phone whose user reads Greek receives
//! the missing alert as a key and arguments and shows it in Greek, from the same alert
//! document an Italian phone shows in Italian; a user's language follows their site's
//! country until they choose one.

use casesync_contract::i18n::Language;
use casesync_contract::wire::case_reference;
use casesync_contract::Role;
use casesync_schema::directory::sites;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

storage_test!(a_greek_phone_shows_the_missing_alert_in_greek, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Greece", "Lesvos Shelter");
    {
        let mut conn = server.state.pool.get().unwrap();
        sites::set_country(&mut conn, &org.site_id, "gr").unwrap();
    }
    let mut intake = fixtures::device(&server, &org, Role::ReceptionStaff, "Eleni");
    let mut night = fixtures::device(&server, &org, Role::ReceptionStaff, "Giorgos");
    let mut visitor = fixtures::device(&server, &org, Role::ReceptionStaff, "Giulia");
    // Giorgos reads his site's language; Giulia chose Italian.
    assert_eq!(night.language(), Language::El);
    let chosen = reqwest::blocking::Client::new()
        .put(server.url("/v1/me/language"))
        .bearer_auth(&visitor.token)
        .json(&serde_json::json!({ "language": "it" }))
        .send()
        .unwrap();
    assert_eq!(chosen.status().as_u16(), 200);
    assert_eq!(visitor.language(), Language::It);

    let case = intake.open_case(&[("given_name", "Abena")], T0);
    intake.sync().unwrap();
    server.clock.set(T0 + 10 * 60_000);
    intake.episode_event(&case, "ep1", "ev-missing", "missing", T0 + 10 * 60_000);
    intake.sync().unwrap();

    let reference = case_reference(&case);
    for (phone, expected) in [
        (
            &mut night,
            format!(
                "Το παιδί Abena ({reference}) αγνοείται. Ενεργήστε τώρα: δεν υπάρχει χρόνος αναμονής."
            ),
        ),
        (
            &mut visitor,
            format!("Abena ({reference}) è scomparso/a. Agite subito: nessun tempo di attesa."),
        ),
    ] {
        phone.sync().unwrap();
        let alerts = phone.held_alerts();
        let missing = alerts
            .iter()
            .find(|a| a.kind == "missing")
            .unwrap_or_else(|| panic!("{} holds the missing alert: {alerts:?}", phone.name));
        let message = missing.message.as_ref().expect("a key and arguments");
        assert_eq!(message.key, "alert-missing");
        assert_eq!(message.args.get("name").map(String::as_str), Some("Abena"));
        assert_eq!(
            message.args.get("reference").map(String::as_str),
            Some(reference.as_str())
        );
        assert_eq!(missing.text(phone.language()), expected);
        // Older apps read the English rendering.
        assert_eq!(
            missing.english,
            format!("Abena ({reference}) is missing. Act now: no waiting period.")
        );
    }
});

storage_test!(a_users_language_is_a_setting_with_a_default, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Belgium", "Brussels Centre");
    let staff = fixtures::device(&server, &org, Role::ReceptionStaff, "Pieter");
    let coordinator = fixtures::device(&server, &org, Role::Coordinator, "Anne");
    // No country yet: English. Belgium: Dutch, for the site's people; a coordinator
    // belongs to no site and reads English until they choose.
    assert_eq!(staff.language(), Language::En);
    // The site was made before it had a country: an administrator sets it.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("casesync.toml");
    let settings = format!(
        "database_url = \"{}\"\ndata_dir = \"{}\"\n",
        db.url(),
        db.data_dir().display()
    );
    std::fs::write(&config, settings).unwrap();
    let set_country = casesync_server::cli::run([
        "casesync",
        "--config",
        config.to_str().unwrap(),
        "admin",
        "site",
        "set-country",
        "--org",
        &org.id,
        &org.site_id,
        "be",
    ]);
    assert_eq!(set_country, std::process::ExitCode::SUCCESS);
    assert_eq!(staff.language(), Language::Nl);
    assert_eq!(coordinator.language(), Language::En);

    let put = |token: &str, body: serde_json::Value| {
        reqwest::blocking::Client::new()
            .put(server.url("/v1/me/language"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .unwrap()
    };
    let set = put(&coordinator.token, serde_json::json!({ "language": "fr" }));
    assert_eq!(set.status().as_u16(), 200);
    assert_eq!(
        set.json::<serde_json::Value>().unwrap(),
        serde_json::json!({ "language": "fr" })
    );
    assert_eq!(coordinator.language(), Language::Fr);
    // A language we lack, or none: a clear 400 with the stable code, nothing stored.
    for body in [
        serde_json::json!({ "language": "de" }),
        serde_json::json!({}),
    ] {
        let refused = put(&coordinator.token, body);
        assert_eq!(refused.status().as_u16(), 400);
        let error: serde_json::Value = refused.json().unwrap();
        assert_eq!(error["error"]["code"], "malformed_body", "{error}");
    }
    assert_eq!(coordinator.language(), Language::Fr);
});
