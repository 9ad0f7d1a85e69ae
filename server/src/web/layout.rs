//! The frame of every page: skip link, navigation by role, language switch, sign-out form,
//! the one stylesheet and (where a page updates live) the small live script. Semantic HTML
//! so that keyboards and screen readers find their way.

use casesync_contract::Role;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::i18n::Lang;
use super::session::PageUser;

/// Which section of the navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Alerts,
    Cases,
    Devices,
    Audit,
}

const NAV: &[(Section, &str, &str, &[Role])] = &[
    (
        Section::Alerts,
        "/web/alerts",
        "nav.alerts",
        &[Role::Coordinator],
    ),
    (
        Section::Cases,
        "/web/cases",
        "nav.cases",
        &[Role::Coordinator],
    ),
    (
        Section::Devices,
        "/web/devices",
        "nav.devices",
        &[Role::Coordinator, Role::OrgAdmin],
    ),
    (Section::Audit, "/web/audit", "nav.audit", &[Role::Auditor]),
];

/// Where a person lands after signing in.
pub fn home_of(role: Role) -> &'static str {
    NAV.iter()
        .find(|(_, _, _, roles)| roles.contains(&role))
        .map(|(_, path, _, _)| *path)
        .unwrap_or("/web/cases")
}

fn head(lang: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (lang.t("app.name")) }
            link rel="stylesheet" href="/web/static/style.css";
        }
    }
}

/// A page of a signed-in person. `live` adds the script that re-renders `main` when the
/// server says something changed.
pub fn page(user: &PageUser, section: Section, title: &str, live: bool, body: Markup) -> Markup {
    let lang = user.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body {
                a.skip href="#main" { (lang.t("nav.skip")) }
                header.top {
                    span.brand { (lang.t("app.name")) }
                    nav aria-label=(lang.t("nav.main")) {
                        ul {
                            @for (s, path, key, roles) in NAV {
                                @if roles.contains(&user.role) {
                                    li {
                                        a href=(path) aria-current=[(*s == section).then_some("page")] {
                                            (lang.t(key))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.account {
                        span.who { (lang.fill("nav.signed_in_as", &[("name", &user.user.name), ("role", lang.t(&format!("role.{}", user.role.as_str())))])) }
                        (language_switch(lang, Some(&user.here)))
                        form method="post" action="/web/sign-out" {
                            input type="hidden" name="csrf" value=(user.csrf_token);
                            button type="submit" { (lang.t("nav.sign_out")) }
                        }
                    }
                }
                main #main tabindex="-1" data-live=[live.then_some("1")] {
                    (body)
                }
                script src="/web/static/page.js" defer {}
                @if live {
                    p.live-state role="status" aria-live="polite" data-on=(lang.t("common.live")) data-off=(lang.t("common.live_off")) {}
                    script src="/web/static/live.js" defer {}
                }
            }
        }
    }
}

/// A page without navigation: sign-in, set-password, errors.
pub fn bare_page(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body.bare {
                a.skip href="#main" { (lang.t("nav.skip")) }
                header.top {
                    span.brand { (lang.t("app.name")) }
                    div.account { (language_switch(lang, None)) }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}

/// Links to the page in each other language. `here` (the page shown) is where the switch
/// comes back to; without it, the pages' home.
fn language_switch(current: Lang, here: Option<&str>) -> Markup {
    let back = here
        .map(|h| format!("&next={}", super::links::encode(h)))
        .unwrap_or_default();
    html! {
        ul.langs aria-label=(current.t("nav.language")) {
            @for lang in Lang::ALL {
                li {
                    @if lang == current {
                        span aria-current="true" lang=(lang.code()) title=(lang.native_name()) { (lang.code().to_uppercase()) }
                    } @else {
                        a href={ "/web/lang?to=" (lang.code()) (back) } lang=(lang.code()) hreflang=(lang.code()) title=(lang.native_name()) {
                            (lang.code().to_uppercase())
                        }
                    }
                }
            }
        }
    }
}

/// A notice at the top of a page (after a form succeeded or failed).
pub fn notice(text: Option<&str>, error: bool) -> Markup {
    html! {
        @if let Some(text) = text {
            p.notice.error[error] role=(if error { "alert" } else { "status" }) { (text) }
        }
    }
}

/// Inline SVG and other trusted markup built by the pages themselves.
pub fn trusted(markup: String) -> PreEscaped<String> {
    PreEscaped(markup)
}

/// An HTML answer. No cache keeps it and its content policy is strict: the security
/// headers of every response ([`crate::security_headers`]).
pub fn respond(markup: Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// A coloured badge for an episode state, risk level or step status.
pub fn badge(class: &str, text: &str) -> Markup {
    html! { span class={ "badge " (class) } { (text) } }
}
