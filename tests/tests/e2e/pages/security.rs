//! Sign-in, sessions and CSRF over plain HTTP: what a browser cannot easily show.

use casesync_contract::Role;
use casesync_tests::fixtures;
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;

use super::support::{client, page_user, pair, set_cookie, sign_in, world, PASSWORD};

storage_test!(sign_in_sessions_and_csrf, |db| {
    let w = world(&db);
    let server = &w.server;
    let http = client();

    // Not signed in: pages send the browser to the sign-in form, remembering where it was.
    let resp = http.get(server.url("/web/cases?q=abi")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers()["location"],
        "/web/sign-in?next=%2Fweb%2Fcases%3Fq%3Dabi"
    );

    // A form posted without its token (another site posting) is refused.
    let resp = http
        .post(server.url("/web/sign-in"))
        .form(&[
            ("name", "maria"),
            ("password", PASSWORD),
            ("csrf", "forged"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(set_cookie(&resp, "casesync_session").is_none());

    // The right password opens a session: HttpOnly, SameSite=Strict, not Secure on
    // plain loopback HTTP.
    let resp = sign_in(server, &http, "maria", PASSWORD);
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(resp.headers()["location"], "/web/cases");
    let cookie = set_cookie(&resp, "casesync_session").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    let session = pair(&cookie);
    let page = http
        .get(server.url("/web/cases"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("Abena Tesfaye"), "{html}");

    // A case outside scope (or made up) answers exactly like a missing one.
    let other = fixtures::org(server, "Other Org", "South");
    let mut stranger = fixtures::device(server, &other, Role::ReceptionStaff, "Zed");
    let foreign = stranger.open_case(&[("given_name", "Qiro")], casesync_tests::server::T0);
    stranger.sync().unwrap();
    for id in [foreign.to_string(), "not-a-case".to_string()] {
        let resp = http
            .get(server.url(&format!("/web/cases/{id}")))
            .header("cookie", &session)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{id}");
        assert!(resp.text().unwrap().contains("Not found"));
    }

    // Forms of the session need its token: a conflict cannot be resolved without it.
    let resp = http
        .post(server.url(&format!("/web/cases/{}/conflicts", w.case)))
        .header("cookie", &session)
        .form(&[
            ("csrf", "forged"),
            ("field", "nationality"),
            ("value", "Eritrean"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // Roles without pages cannot sign in; pages of another role answer 403.
    page_user(server, &w.org, Role::Caseworker, "carl");
    let resp = sign_in(server, &http, "carl", PASSWORD);
    assert_eq!(resp.status().as_u16(), 403);
    let auditor = pair(
        &set_cookie(
            &sign_in(server, &http, "dora", PASSWORD),
            "casesync_session",
        )
        .unwrap(),
    );
    let resp = http
        .get(server.url("/web/cases"))
        .header("cookie", &auditor)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    // Sessions expire (the server's clock, not the cookie, decides).
    server.clock.advance(13 * 3_600_000);
    let resp = http
        .get(server.url("/web/cases"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
});

storage_test!(sign_in_is_rate_limited_per_name_and_address, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    page_user(&server, &org, Role::Coordinator, "maria");
    let http = client();
    for _ in 0..5 {
        let resp = sign_in(&server, &http, "maria", "wrong password here");
        assert_eq!(resp.status().as_u16(), 401);
        assert!(resp
            .text()
            .unwrap()
            .contains("The name or the password is wrong."));
    }
    // Now even the right password waits until the failures age out.
    let resp = sign_in(&server, &http, "maria", PASSWORD);
    assert_eq!(resp.status().as_u16(), 429);
    // The limit is per name: another person from the same address is not locked out.
    page_user(&server, &org, Role::Coordinator, "nadia");
    assert_eq!(
        sign_in(&server, &http, "nadia", PASSWORD).status().as_u16(),
        303
    );
    server.clock.advance(16 * 60_000);
    assert_eq!(
        sign_in(&server, &http, "maria", PASSWORD).status().as_u16(),
        303
    );
});

storage_test!(sign_out_ends_the_session, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    page_user(&server, &org, Role::Coordinator, "maria");
    let http = client();
    let session = pair(
        &set_cookie(
            &sign_in(&server, &http, "maria", PASSWORD),
            "casesync_session",
        )
        .unwrap(),
    );
    let html = http
        .get(server.url("/web/cases"))
        .header("cookie", &session)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..].split('"').next().unwrap().to_string();
    let resp = http
        .post(server.url("/web/sign-out"))
        .header("cookie", &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    // The old cookie is worth nothing now, even if a browser kept it.
    let resp = http
        .get(server.url("/web/cases"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
});

storage_test!(a_one_time_link_sets_the_password, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let user = {
        let mut conn = server.state.pool.get().unwrap();
        casesync_schema::directory::users::create(
            &mut conn,
            &org.id,
            None,
            Role::Coordinator,
            "nadia",
        )
        .unwrap()
    };
    // What `casesync admin user password-link` stores: a token valid for a while.
    let token = {
        let mut conn = server.state.pool.get().unwrap();
        let now = casesync_tests::server::T0;
        casesync_schema::web::password_links::create(&mut conn, &user.id, now, now + 3_600_000)
            .unwrap()
    };
    let http = client();
    // Without a password nobody signs in under that name.
    assert_eq!(
        sign_in(&server, &http, "nadia", PASSWORD).status().as_u16(),
        401
    );
    let page = http
        .get(server.url(&format!("/web/password/{token}")))
        .send()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let cookie = pair(&set_cookie(&page, "casesync_form").unwrap());
    let html = page.text().unwrap();
    assert!(html.contains("nadia"));
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..].split('"').next().unwrap().to_string();
    let post = |password: &str, repeat: &str| {
        http.post(server.url(&format!("/web/password/{token}")))
            .header("cookie", &cookie)
            .form(&[
                ("password", password),
                ("repeat", repeat),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .unwrap()
    };
    // Too short, or two different entries: refused, link still usable.
    assert_eq!(post("short", "short").status().as_u16(), 400);
    assert_eq!(
        post(PASSWORD, "another long passphrase").status().as_u16(),
        400
    );
    assert_eq!(post(PASSWORD, PASSWORD).status().as_u16(), 200);
    // Used once: the link is dead, and the password works.
    assert_eq!(post(PASSWORD, PASSWORD).status().as_u16(), 400);
    assert_eq!(
        sign_in(&server, &http, "nadia", PASSWORD).status().as_u16(),
        303
    );
});
