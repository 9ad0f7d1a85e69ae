//! `GET /web/shared-views/{id}`: what a partner organisation holds of a case shared with it,
//! and only that: the share's terms, the registers and facts its categories cover, the
//! entries it carries, and what the partner reported back. Also the list of views on the
//! cases page (`held_section`).

use actix_web::{get, web, HttpResponse};
use casesync_contract::sharing::SharedViewDocument;
use casesync_contract::Role;
use maud::{html, Markup};

use super::case_open::blocking;
use super::error::PageError;
use super::format::utc_minute;
use super::i18n::Lang;
use super::layout::{page, respond, Section};
use super::session::PageUser;
use crate::domain::shared_views::{read_view, HeldView};
use crate::state::AppState;

#[get("/web/shared-views/{id}")]
pub async fn shared_view_page(
    user: PageUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    let u = user.clone();
    let (_, view) = blocking(move || {
        read_view(&state, &u.as_device(), &path, "web")
            .map_err(|e| PageError::from_api(u.lang, crate::error::ApiError::from(e)))
    })
    .await?;
    let lang = user.lang;
    let title = lang.fill("view.title", &[("r", view.reference.as_str())]);
    Ok(respond(page(
        &user,
        Section::Cases,
        &title,
        false,
        body(lang, &title, &view),
    )))
}

fn body(lang: Lang, title: &str, view: &SharedViewDocument) -> Markup {
    let case = &view.case;
    html! {
        h1 { (title) }
        p {
            (lang.t("shares.basis")) ": " (lang.label("legal-basis-", view.legal_basis.as_str())) " · "
            (lang.t("shares.purpose")) ": " (view.purpose.as_str()) " · "
            (lang.t("view.shared_at")) " " (utc_minute(lang, view.shared_at.0))
        }
        p.muted {
            (lang.t("shares.categories")) ": "
            (super::shares_section::category_names(lang, &view.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>()))
        }
        section aria-labelledby="view-profile-h" {
            h2 #view-profile-h { (lang.t("case.profile")) }
            @if case.profile.is_empty() && case.facts.is_empty() {
                p.muted { (lang.t("view.nothing")) }
            }
            dl {
                @for (field, value) in &case.profile {
                    dt { (lang.label("profile-", field)) } dd { (value.as_str()) }
                }
                @for (key, fact) in &case.facts {
                    dt { (key) } dd { (fact.value.as_str()) " (" (utc_minute(lang, fact.observed_at.0)) ")" }
                }
            }
        }
        @if !case.observations.is_empty() {
            section aria-labelledby="view-obs-h" {
                h2 #view-obs-h { (lang.t("view.observations")) }
                ul {
                    @for o in &case.observations {
                        li {
                            (utc_minute(lang, o.observed_at.0)) " · " (lang.label("observation-", o.kind.as_str()))
                            @if let Some(place) = &o.place { " · " (place.as_str()) }
                            ": " (o.text.as_str())
                        }
                    }
                }
            }
        }
        @if !case.episodes.is_empty() {
            section aria-labelledby="view-ep-h" {
                h2 #view-ep-h { (lang.t("view.episodes")) }
                ul {
                    @for ep in &case.episodes {
                        @for ev in &ep.events {
                            li { (utc_minute(lang, ev.observed_at.0)) " · " (lang.label("state-", ev.state.as_str())) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="view-contrib-h" {
            h2 #view-contrib-h { (lang.t("view.contributions")) }
            @if view.contributions.is_empty() {
                p.muted { (lang.t("view.no_contributions")) }
            }
            ul {
                @for c in &view.contributions {
                    li {
                        (utc_minute(lang, c.observed_at.0)) " · " (lang.label("contribution-", c.kind.as_str()))
                        @if let Some(place) = &c.place { " · " (place.as_str()) }
                        ": " (c.text.as_str())
                    }
                }
            }
        }
    }
}

/// The views the person's organisation holds, for the cases page.
pub fn held_section(lang: Lang, held: &[HeldView]) -> Markup {
    html! {
        @if !held.is_empty() {
            section aria-labelledby="held-h" {
                h2 #held-h { (lang.t("view.held")) }
                p.muted { (lang.t("view.held_text")) }
                ul {
                    @for v in held {
                        li {
                            a href={ "/web/shared-views/" (v.id) } { (v.reference) }
                            " · " (v.source_organisation) " · " (v.purpose) " · "
                            (super::shares_section::category_names(lang, &v.categories)) " · " (utc_minute(lang, v.shared_at))
                        }
                    }
                }
            }
        }
    }
}
