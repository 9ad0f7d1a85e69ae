//! The pages: the partner's coordinator finds the view among the cases it holds and reads
//! it, and gets the "not found" page for the case; the sharing coordinator's case page shows
//! what was sent under each share.

use casesync_contract::Role;
use casesync_schema::web::credentials;
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;
use reqwest::blocking::Client;

use super::{share, view_id};
use crate::authz_world::{Member, Relation, World};
use crate::pages::support::{client, pair, set_cookie, sign_in, PASSWORD};

/// Signs `member` in to the pages; returns the session cookie.
fn session(world: &World, http: &Client, member: &Member) -> String {
    let mut conn = world.server.state.pool.get().unwrap();
    let phc = casesync_server::web::passwords::hash(PASSWORD).unwrap();
    credentials::set_password_hash(&mut conn, &member.user_id, &phc).unwrap();
    let resp = sign_in(&world.server, http, &member.name, PASSWORD);
    pair(&set_cookie(&resp, "casesync_session").expect("signed in"))
}

fn page(world: &World, http: &Client, cookie: &str, path: &str) -> (u16, String) {
    let resp = http
        .get(world.server.url(path))
        .header("cookie", cookie)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

storage_test!(
    the_partner_reads_the_view_in_its_pages_and_the_source_sees_what_was_sent,
    |db| {
        let world = World::build(TestServer::start(&db));
        let case = world.cases[&Relation::SameSite];
        let made = share(&world, &case, &["identity"], None);
        let view = view_id(&made);
        let http = client();

        let partner = session(&world, &http, world.b.member(Role::Coordinator));
        let (status, list) = page(&world, &http, &partner, "/web/cases");
        assert_eq!(status, 200);
        assert!(
            list.contains(&format!("/web/shared-views/{view}")),
            "the view is listed"
        );
        let (status, shown) = page(
            &world,
            &http,
            &partner,
            &format!("/web/shared-views/{view}"),
        );
        assert_eq!(status, 200);
        assert!(shown.contains("Abena") && shown.contains("vital interests"));
        let (status, _) = page(&world, &http, &partner, &format!("/web/cases/{case}"));
        assert_eq!(status, 404, "the partner's pages never show the case");

        let source = session(&world, &http, world.a.member(Role::Coordinator));
        let (status, case_page) = page(&world, &http, &source, &format!("/web/cases/{case}"));
        assert_eq!(status, 200);
        let export = world.expect(
            200,
            "GET",
            &format!("/v1/cases/{case}/export"),
            world.coordinator_a(),
            None,
        );
        let digest = export["shares"][0]["sent"][0]["sha256"].as_str().unwrap();
        assert!(case_page.contains("Shared with other organisations"));
        assert!(
            case_page.contains(digest),
            "the case page shows the version sent"
        );
    }
);
