//! The pages in a real browser: sign in, the case list, one child's merged timeline with
//! both phones' entries, resolving a conflict that then reaches a phone, the printable
//! missing pack, devices and the audit trail. Each page is saved as a screenshot.

use std::time::Duration;

use casesync_contract::case::read_case;
use casesync_tests::browser::Browser;
use casesync_tests::storage_test;

use super::support::{world, PASSWORD};

const WAIT: Duration = Duration::from_secs(30);

fn sign_in(b: &Browser, base: &str, name: &str) {
    b.goto(&format!("{base}/web/sign-in"));
    b.fill("#name", name);
    b.fill("#password", PASSWORD);
    b.click("form button[type=submit]");
}

storage_test!(coordinator_reads_and_resolves_in_the_browser, |db| {
    let Some(b) = Browser::start() else { return };
    let mut w = world(&db);
    let base = w.server.base_url.clone();
    let shots = db.kind() == casesync_tests::db::Kind::Sqlite;

    // A page asks for sign-in first, then comes back to it.
    b.goto(&format!("{base}/web/cases"));
    b.wait_for_text("h1", "Sign in", WAIT);
    // Keyboard users meet the skip link first; it leads to the main content.
    let first = b.eval(
        "var f = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea'); \
         return f.className + ' ' + f.getAttribute('href');",
    );
    assert_eq!(first, serde_json::json!("skip #main"));
    if shots {
        b.screenshot("sign-in", 700);
    }
    b.fill("#name", "maria");
    b.fill("#password", "not the password");
    b.click("form button[type=submit]");
    b.wait_for_text("[role=alert]", "wrong", WAIT);
    b.fill("#name", "maria");
    b.fill("#password", PASSWORD);
    b.click("form button[type=submit]");
    b.wait_for_text("h1", "Cases", WAIT);
    assert!(b.url().ends_with("/web/cases"), "{}", b.url());

    // The list, its search by alias and its conflict filter.
    let list = b.text("main table");
    assert!(list.contains("Abena Tesfaye"), "{list}");
    b.fill("#q", "abi");
    b.click("form.filters button");
    b.wait_for_text("main", "1 case", WAIT);
    b.click("#conflicts-filter");
    b.click("form.filters button");
    b.wait_for_text("main table", "Abena", WAIT);
    if shots {
        b.screenshot("cases", 800);
    }

    // The case: both phones' entries in the merged timeline, the conflict marked.
    b.click("main table a");
    b.wait_for_text("h1", "Abena Tesfaye", WAIT);
    let timeline = b.text("#timeline-list");
    assert!(timeline.contains("Seen at the station"), "{timeline}");
    assert!(timeline.contains("Asked about trains"), "{timeline}");
    assert!(
        timeline.contains("Ana's phone") && timeline.contains("Ben's phone"),
        "{timeline}"
    );
    // Two observations and the photo.
    assert_eq!(b.count("figure.timeline > svg g.mark"), 3);
    // The photo preview loads through the page session (same access rule as the API).
    b.wait_for_script(
        "var i = document.querySelector('img.photo'); return i && i.complete && i.naturalWidth;",
        "the photo preview loads",
        WAIT,
    );
    assert!(b.text(".profile").contains("conflict"));
    if shots {
        b.screenshot("case", 2400);
    }

    // The conflict: keep Ben's value; it reaches Ana's phone at its next sync.
    b.click(".notice a");
    b.wait_for_text("h1", "Conflicts", WAIT);
    let field = b.text(".conflict-field");
    assert!(
        field.contains("Eritrean") && field.contains("Ethiopian"),
        "{field}"
    );
    if shots {
        b.screenshot("conflicts", 800);
    }
    b.click(".conflict-field tbody tr:nth-child(2) button");
    b.wait_for_text("[role=status]", "Ethiopian", WAIT);
    assert!(b.text("main").contains("No open conflict"));
    w.ana.sync().unwrap();
    let case = read_case(w.ana.doc(&w.case)).unwrap();
    assert_eq!(
        case.profile.get("nationality").map(|v| v.as_str()),
        Some("Ethiopian")
    );
    w.ben.sync().unwrap();
    let case = read_case(w.ben.doc(&w.case)).unwrap();
    assert_eq!(
        case.profile.get("nationality").map(|v| v.as_str()),
        Some("Ethiopian")
    );

    // The missing pack, printable: the print styles apply and Chrome prints a PDF.
    b.goto(&format!("{base}/web/cases/{}", w.case));
    b.click("#missing-pack-link");
    b.wait_for_text("main, body", "Abena", WAIT);
    let pdf = b.print_pdf();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    if shots {
        std::fs::write(
            casesync_tests::browser::screenshot_dir().join("missing-pack.pdf"),
            &pdf,
        )
        .unwrap();
        b.emulate_print(true);
        b.screenshot("missing-pack-print", 1300);
        b.emulate_print(false);
    }

    // French, from the language switch.
    b.goto(&format!("{base}/web/cases"));
    b.click("ul.langs a[lang=fr]");
    b.wait_for_text("h1", "Dossiers", WAIT);
    if shots {
        // A tablet in portrait, in French.
        b.screenshot_sized("cases-fr-tablet", 800, 1000);
    }
    b.click("ul.langs a[lang=en]");
    b.wait_for_text("h1", "Cases", WAIT);

    // Devices: enrol a phone with a QR code.
    b.goto(&format!("{base}/web/devices"));
    b.wait_for_text("main table", "Ben's phone", WAIT);
    b.fill("#enrol-user", "Ana");
    b.click("#enrol-h ~ form button");
    b.wait_for_text("#enrol-code", "Scan this code", WAIT);
    assert_eq!(b.count(".qr img"), 1);
    if shots {
        b.screenshot("devices", 1000);
    }
    // Ben's phone is lost: revoke and wipe, after confirming. The phone learns it at its
    // next contact and erases its cases.
    b.eval(
        "var rows = Array.from(document.querySelectorAll('main tbody tr')); \
         var ben = rows.find(function (r) { return r.cells[0].textContent.trim() === \"Ben's phone\"; }); \
         ben.querySelector('form[data-confirm] button').id = 'wipe-ben'; return true;",
    );
    b.click("#wipe-ben");
    b.accept_dialog();
    b.wait_for_text("[role=status]", "will wipe its data", WAIT);
    w.ben.sync().unwrap();
    assert!(w.ben.wiped, "Ben's phone was told to wipe");

    // Sign out; the auditor sees who opened the case, through the pages too.
    b.click("header form button");
    b.wait_for_text("main", "You are signed out", WAIT);
    sign_in(&b, &base, "dora");
    b.wait_for_text("h1", "Audit trail", WAIT);
    b.goto(&format!("{base}/web/audit?case={}", w.case));
    let trail = b.wait_for_text("#audit-entries", "case.read", WAIT);
    assert!(trail.contains("maria"), "{trail}");
    assert!(trail.contains("case.override"), "{trail}");
    if shots {
        b.screenshot("audit", 1000);
    }
});
