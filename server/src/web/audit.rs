//! `GET /web/audit`: the audit trail for auditors, optionally about one case (who accessed
//! it and what they did). Reading it is itself recorded by the domain function.

use actix_web::{get, web, HttpResponse};
use casesync_contract::Role;
use maud::html;
use serde::Deserialize;

use super::case_open::blocking;
use super::error::PageError;
use super::format::{short_minute, utc_minute};
use super::layout::{page, respond, Section};
use super::people::People;
use super::session::PageUser;
use crate::domain::audit_view;
use crate::error::ApiError;
use crate::state::AppState;

const PAGE: i64 = 100;

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    case: String,
    #[serde(default)]
    after: i64,
}

#[get("/web/audit")]
pub async fn audit_page(
    user: PageUser,
    query: web::Query<AuditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Auditor])?;
    let q = query.into_inner();
    let (u, s, case, after) = (
        user.clone(),
        state.clone(),
        q.case.trim().to_string(),
        q.after,
    );
    let (list, people) = blocking(move || {
        let err = |e: ApiError| PageError::from_api(u.lang, e);
        let filter = (!case.is_empty()).then_some(case.as_str());
        let list = audit_view::list(&s, &u.as_device(), filter, after, Some(PAGE))
            .map_err(|e| err(e.into()))?;
        let mut conn = s.db().map_err(|e| err(e.into()))?;
        let people = People::of_organisation(&mut conn, &u.user.organisation_id).map_err(err)?;
        Ok((list, people))
    })
    .await?;
    let lang = user.lang;
    let title = if q.case.trim().is_empty() {
        lang.t("audit.title")
    } else {
        lang.t("case.access")
    };
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/web/audit" role="search" {
            div {
                label for="case" { (lang.t("audit.case_filter")) }
                input #case type="search" name="case" value=(q.case) size="40";
            }
            button type="submit" { (lang.t("common.filter")) }
        }
        @if list.entries.is_empty() {
            p { (lang.t("audit.empty")) }
        } @else {
            div.table-wrap { table #audit-entries {
                thead { tr {
                    th scope="col" { (lang.t("audit.seq")) }
                    th scope="col" { (lang.t("case.when")) }
                    th scope="col" { (lang.t("audit.actor")) }
                    th scope="col" { (lang.t("case.action")) }
                    th scope="col" { (lang.t("audit.case_filter")) }
                    th scope="col" { (lang.t("audit.detail")) }
                } }
                tbody {
                    @for e in &list.entries {
                        tr {
                            td { (e.seq) }
                            td.nowrap title=(utc_minute(lang, e.at)) { (short_minute(lang, e.at)) }
                            td {
                                @match (&e.actor_user, e.actor_kind.as_str()) {
                                    (Some(server), "peer") => (lang.fill("audit.peer", &[("server", server)])),
                                    (Some(u), _) => (people.user(u)),
                                    (None, kind) => (lang.label("audit-actor_kind-", kind)),
                                }
                                @if let Some(d) = &e.actor_device { br; span.muted { (people.device(d)) } }
                            }
                            td { (lang.label("audit-action-", &e.action.replace('.', "-"))) br; code.muted { (e.action) } }
                            td { @if let Some(c) = &e.case_id { a href={ "/web/audit?case=" (c) } { (c.chars().take(10).collect::<String>()) "…" } } }
                            td.detail { code { (e.detail.to_string()) } }
                        }
                    }
                }
            } }
            @if let Some(next) = list.next_after {
                p { a href={ "/web/audit?case=" (q.case.trim()) "&after=" (next) } { (lang.t("audit.older")) } }
            }
        }
    };
    Ok(respond(page(&user, Section::Audit, title, false, body)))
}
