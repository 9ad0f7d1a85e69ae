//! The pages in the handbook's five languages, in a real browser: the sign-in page, the
//! alerts board with a missing child and the printable missing pack, each checked for a
//! known translation and saved as a screenshot; then the language switch, which a person
//! signed in keeps as their setting.

use std::time::Duration;

use casesync_schema::directory::users;
use casesync_tests::browser::Browser;
use casesync_tests::server::T0;
use casesync_tests::storage_test;

use super::support::{world, PASSWORD};

const WAIT: Duration = Duration::from_secs(30);

/// Per language: the sign-in title, the board's title, its "missing for" and the pack's
/// title, as a native reader expects them (written here, not read from the catalogue, so
/// that a broken catalogue cannot pass).
const PAGES: [(&str, &str, &str, &str, &str); 5] = [
    (
        "en",
        "Sign in",
        "Missing children: open alerts",
        "Missing for",
        "Missing pack",
    ),
    (
        "nl",
        "Aanmelden",
        "Vermiste kinderen: open meldingen",
        "min vermist",
        "Vermissingsdossier",
    ),
    (
        "fr",
        "Connexion",
        "Enfants disparus : alertes ouvertes",
        "Disparu·e depuis",
        "Dossier de disparition",
    ),
    (
        "el",
        "Σύνδεση",
        "Αγνοούμενα παιδιά: ανοιχτές ειδοποιήσεις",
        "Αγνοείται εδώ και",
        "Φάκελος εξαφάνισης",
    ),
    (
        "it",
        "Accesso",
        "Minori scomparsi: allerte aperte",
        "Scomparso/a da",
        "Scheda di scomparsa",
    ),
];

storage_test!(the_pages_read_in_five_languages, |db| {
    let Some(b) = Browser::start() else { return };
    let mut w = world(&db);
    let base = w.server.base_url.clone();
    let shots = db.kind() == casesync_tests::db::Kind::Sqlite;
    w.server.clock.set(T0 + 5 * 60_000);
    w.ana.episode_event(&w.case, "ep1", "ev1", "missing", T0);
    w.ana.sync().unwrap();

    for (code, sign_in, ..) in PAGES {
        b.goto(&format!("{base}/web/sign-in?lang={code}"));
        b.wait_for_text("h1", sign_in, WAIT);
        assert_eq!(b.eval("return document.documentElement.lang;"), code);
        if shots {
            b.screenshot(&format!("sign-in-{code}"), 700);
        }
    }

    b.goto(&format!("{base}/web/sign-in"));
    b.fill("#name", "maria");
    b.fill("#password", PASSWORD);
    b.click("form button[type=submit]");
    b.wait_for_text("h1", "Missing children", WAIT);
    for (code, _, board, missing_for, pack) in PAGES {
        b.goto(&format!("{base}/web/alerts?lang={code}"));
        b.wait_for_text("h1", board, WAIT);
        let card = b.wait_for_text("main .board", "Abena", WAIT);
        assert!(card.contains(missing_for), "{code}: {card}");
        if shots {
            b.screenshot(&format!("alerts-board-{code}"), 1000);
        }
        b.goto(&format!(
            "{base}/web/cases/{}/missing-pack?lang={code}",
            w.case
        ));
        b.wait_for_text("h1", pack, WAIT);
        assert_eq!(b.eval("return document.documentElement.lang;"), code);
        if code == "it" {
            // The pack's own words around what people wrote: "also known as".
            assert!(b.text("table").contains("detto/a anche Abi"));
        }
        if shots {
            b.screenshot(&format!("missing-pack-{code}"), 1300);
        }
    }

    // The switch: Greek, kept as Maria's setting; her next page, with no cookie and no
    // `?lang=`, is Greek, and so is what her phone would be told.
    b.goto(&format!("{base}/web/alerts"));
    b.click("ul.langs a[lang=el]");
    b.wait_for_text("h1", "Αγνοούμενα παιδιά", WAIT);
    let maria = {
        let mut conn = w.server.state.pool.get().unwrap();
        users::find(&mut conn, "maria").unwrap()
    };
    assert_eq!(maria.language.as_deref(), Some("el"));
    b.eval("document.cookie = 'casesync_lang=; Max-Age=0; path=/'; return true;");
    b.goto(&format!("{base}/web/cases"));
    b.wait_for_text("h1", "Φάκελοι", WAIT);
    b.click("ul.langs a[lang=en]");
    b.wait_for_text("h1", "Cases", WAIT);
});
