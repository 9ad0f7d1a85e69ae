//! The handbook's response flow as a flowchart (issue 15): the case page and the printable
//! missing pack draw where the child is, each step's state and what comes next. The pages
//! also say whose clock each time is.

use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

use crate::pages::support::{page_user, PASSWORD};
use crate::security::support::{client, session};

const MINUTE: i64 = 60_000;

/// The flowchart's SVG in a page.
fn flowchart(html: &str) -> &str {
    let start = html
        .find(r#"aria-labelledby="flow-title""#)
        .expect("a flowchart in the page");
    let end = html[start..].find("</svg>").unwrap() + start;
    &html[start..end]
}

storage_test!(the_case_page_and_the_pack_draw_the_response_flow, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    page_user(&server, &org, Role::Coordinator, "maria");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.episode_event(&case, "ep1", "ev1", "absent", T0 + 10 * MINUTE);
    staff.episode_event(&case, "ep1", "ev2", "missing", T0 + 20 * MINUTE);
    server.clock.set(T0 + 20 * MINUTE);
    staff.sync().unwrap();
    server.clock.set(T0 + 40 * MINUTE);

    let http = client();
    let cookie = session(&server, &http, "maria", PASSWORD);
    let get = |path: &str| {
        http.get(server.url(path))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let page = get(&format!("/web/cases/{case}"));
    let chart = flowchart(&page);
    // Absence passed, missing now, found not reached; the police report overdue and next.
    let positions: Vec<&str> = chart
        .match_indices(r#"data-position=""#)
        .map(|(at, m)| chart[at + m.len()..].split('"').next().unwrap())
        .collect();
    assert_eq!(positions, vec!["behind", "current", "ahead"]);
    assert!(
        chart.contains("Report to police at once, day or night: overdue"),
        "{chart}"
    );
    assert!(
        chart.contains("Next: Report to police at once, day or night"),
        "{chart}"
    );
    assert!(chart.contains("Now: missing since"), "{chart}");

    // Times say whose clock they are: the phone's (observed) or the server's (received).
    assert!(page.contains(r#"Observed<br><span class="muted clock">phone clock</span>"#));
    assert!(page.contains(r#"Received<br><span class="muted clock">server clock</span>"#));
    let board = get("/web/alerts");
    assert!(board.contains(r#"Delivered<br><span class="muted clock">server clock</span>"#));
    assert!(board.contains(r#"Acknowledged<br><span class="muted clock">phone clock</span>"#));

    // The pack the police get carries the same picture.
    let pack = get(&format!("/web/cases/{case}/missing-pack"));
    assert!(flowchart(&pack).contains("Next: Report to police"));

    // Back: the found stage is current, nothing of the missing flow is overdue any more.
    staff.episode_event(&case, "ep1", "ev3", "returned", T0 + 50 * MINUTE);
    server.clock.set(T0 + 50 * MINUTE);
    staff.sync().unwrap();
    let page = get(&format!("/web/cases/{case}"));
    let chart = flowchart(&page);
    assert!(!chart.contains(": overdue"), "{chart}");
    assert!(chart.contains("Now: returned since"), "{chart}");
});
