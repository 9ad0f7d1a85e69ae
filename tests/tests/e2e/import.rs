//! Bulk enrolment (issue 17): `casesync admin import` sets up 200 staff of two organisations
//! in one command, with a printable sheet of enrolment QR codes; running it again creates
//! nobody twice; a bad row refuses the whole file; the codes and tokens work.

use std::fmt::Write;
use std::time::Instant;

use casesync_tests::process::{casesync_binary, Casesync};
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;
use serde_json::Value;

storage_test!(two_hundred_staff_in_one_command, |db| {
    let server = TestServer::start(&db);
    let cli = Casesync {
        binary: casesync_binary().expect("casesync binary"),
        database_url: db.url(),
        data_dir: db.data_dir(),
        settings: vec![("ACCESS__PUBLIC_URL".to_string(), server.base_url.clone())],
    };
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("organisation,site,role,name,device,language\n");
    for n in 0..200 {
        let (org, site, language) = if n % 2 == 0 {
            ("Reception Italy", "Centro Lampedusa", "it")
        } else {
            ("Reception Greece", "Lesvos Shelter", "el")
        };
        let (role, device) = match n % 10 {
            0 => ("coordinator", "token"),
            1 => ("caseworker", ""),
            _ => ("reception_staff", "code"),
        };
        let site = if role == "reception_staff" { site } else { "" };
        writeln!(
            csv,
            "{org},{site},{role},\"Staff, number {n}\",{device},{language}"
        )
        .unwrap();
    }
    let file = dir.path().join("staff.csv");
    std::fs::write(&file, &csv).unwrap();
    let sheet = dir.path().join("codes.html");
    let started = Instant::now();
    let out = cli
        .admin(&[
            "import",
            file.to_str().unwrap(),
            "--sheet",
            sheet.to_str().unwrap(),
        ])
        .expect("import");
    eprintln!("imported 200 staff in {:?}", started.elapsed());
    assert_eq!(out["rows"], 200);
    assert_eq!(out["created"], 200);
    let people = out["people"].as_array().unwrap();
    let codes: Vec<&str> = people
        .iter()
        .filter_map(|p| p["enrolment_code"].as_str())
        .collect();
    assert_eq!(codes.len(), 160);
    let html = std::fs::read_to_string(&sheet).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 160);
    assert!(html.contains("Staff, number 2"));
    // Each card in its person's language (half Italian, half Greek: a tie, so the sheet's own
    // words are English), and the language is each new person's setting.
    assert_eq!(html.matches("<article lang=\"it\">").count(), 80);
    assert_eq!(html.matches("<article lang=\"el\">").count(), 80);
    assert!(html.contains("Scansionate questo codice"));
    assert!(
        html.contains("<h1>Enrolment codes</h1>"),
        "{}",
        &html[..html.find("<main>").unwrap_or(300)]
    );
    {
        let mut conn = server.state.pool.get().unwrap();
        let greek = casesync_schema::directory::users::find(&mut conn, "Staff, number 3").unwrap();
        assert_eq!(greek.language.as_deref(), Some("el"));
    }

    // A code enrols a phone, a token syncs.
    let enrolled = reqwest::blocking::Client::new()
        .post(server.url("/v1/enrol"))
        .json(&serde_json::json!({ "code": codes[0], "device_name": "Giulia's phone" }))
        .send()
        .unwrap();
    assert!(
        enrolled.status().is_success(),
        "{}",
        enrolled.text().unwrap()
    );
    let token = people
        .iter()
        .find_map(|p| p["device_token"].as_str())
        .unwrap();
    let me = reqwest::blocking::Client::new()
        .get(server.url("/v1/me"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);

    // The same file again: everyone is found, nobody created twice.
    let again = cli
        .admin(&["import", file.to_str().unwrap()])
        .expect("import again");
    assert_eq!(again["created"], 0);

    // A file with one bad row changes nothing.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "organisation,site,role,name,device\nNew Org,,coordinator,Ana,\nNew Org,,chef,Bo,\n",
    )
    .unwrap();
    let (ok, output) = cli
        .run(&["admin", "import", bad.to_str().unwrap()])
        .unwrap();
    assert!(!ok);
    assert!(output.contains("line 3: unknown role \"chef\""), "{output}");
    let orgs: Value = cli.admin(&["import", file.to_str().unwrap()]).unwrap();
    assert_eq!(orgs["created"], 0);
    let mut conn = server.state.pool.get().unwrap();
    assert!(
        casesync_schema::directory::organisations::find(&mut conn, "New Org").is_err(),
        "nothing of the bad file was written"
    );
});
