//! What the pages show of the server's own vocabulary is in the reader's language: the audit
//! trail names each action (its id beside it), and a refusal of the API behind a form says
//! what it means, the server's English detail after it. Plain HTTP; the expected words are
//! written here, not read from the catalogue, so that a broken catalogue cannot pass.

use casesync_contract::i18n::Language;
use casesync_schema::directory::users;
use casesync_tests::storage_test;

use super::support::{client, pair, set_cookie, sign_in, world, PASSWORD};

/// Signs `name` in with `language` as their setting; returns the client and its cookie.
fn signed_in(
    server: &casesync_tests::server::TestServer,
    name: &str,
    language: Language,
) -> (reqwest::blocking::Client, String) {
    {
        let mut conn = server.state.pool.get().unwrap();
        let user = users::find(&mut conn, name).unwrap();
        users::set_language(&mut conn, &user.id, language).unwrap();
    }
    let http = client();
    let resp = sign_in(server, &http, name, PASSWORD);
    let cookie = pair(&set_cookie(&resp, "casesync_session").expect("signed in"));
    (http, cookie)
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

storage_test!(
    audit_actions_and_refusals_read_in_the_readers_language,
    |db| {
        let w = world(&db);

        // Dora audits in Greek: the phones' writes and her own sign-in are named in Greek,
        // their ids kept beside them, and the server's own writes are the server's.
        let (http, cookie) = signed_in(&w.server, "dora", Language::El);
        let page = http
            .get(w.server.url("/web/audit"))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        for (greek, id) in [
            ("Εγγραφή στον φάκελο", "case.written"),
            ("Συγχρονισμός φακέλου με τηλέφωνο", "case.synced"),
            ("Σύνδεση", "user.login"),
        ] {
            assert!(page.contains(greek), "{id} in Greek: {page}");
            assert!(page.contains(id), "the id stays beside it");
        }
        assert!(page.contains("ο διακομιστής"), "the server, in Greek");

        // Olga, in French, asks for an enrolment code for nobody: the refusal says what it
        // means in French, then the server's detail.
        let (http, cookie) = signed_in(&w.server, "olga", Language::Fr);
        let devices = http
            .get(w.server.url("/web/devices"))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        let refused = http
            .post(w.server.url("/web/devices/enrol"))
            .header("cookie", &cookie)
            .form(&[("user", "nobody-here"), ("csrf", &csrf_of(&devices))])
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert!(
            refused.contains("Un champ manque ou sa valeur est hors limites."),
            "the refusal's meaning in French: {refused}"
        );
        assert!(refused.contains("Détails (en anglais)"));
    }
);
