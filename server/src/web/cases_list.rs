//! `GET /web/cases`: the person's cases, filtered by site, episode state, risk level,
//! overdue steps and open conflicts, searched by name or alias.

use actix_web::{get, web, HttpResponse};
use casesync_contract::case::{read_case_causal, RISK_LEVELS};
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{sites, CaseSummaryRow};
use maud::html;
use serde::Deserialize;
use serde_json::json;

use super::case_facts::{matches_name, overdue_steps, risk_level};
use super::case_open::blocking;
use super::error::PageError;
use super::format::{relative, utc_minute};
use super::layout::{badge, page, respond, Section};
use super::session::PageUser;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::scope;
use crate::state::AppState;

const STATES: &[&str] = &[
    "present", "late", "absent", "missing", "located", "returned",
];

#[derive(Debug, Default, Deserialize)]
pub struct CaseFilters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    risk: String,
    overdue: Option<String>,
    conflicts: Option<String>,
}

struct Row {
    summary: CaseSummaryRow,
    risk: Option<String>,
    overdue: usize,
}

fn load(state: &AppState, user: &PageUser, f: &CaseFilters) -> Result<Vec<Row>, PageError> {
    let lang = user.lang;
    let err = |e| PageError::from_api(lang, e);
    let device = user.as_device();
    let mut conn = state.db().map_err(err)?;
    let ids: Vec<String> = scope::cases_in_scope(&mut conn, &device)
        .map_err(|e| err(e.into()))?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let summaries =
        casesync_schema::access::scope::summaries_of(&mut conn, &ids).map_err(|e| err(e.into()))?;
    drop(conn);
    let now = state.now();
    let mut rows = Vec::new();
    for summary in summaries {
        if (!f.site.is_empty() && summary.site_id != f.site)
            || (!f.state.is_empty() && summary.status != f.state)
            || (f.conflicts.is_some() && summary.open_conflicts <= 0)
        {
            continue;
        }
        let Ok(id) = summary.document_id.parse::<DocumentId>() else {
            continue;
        };
        let facts = state
            .engine
            .read(&id, |doc| {
                read_case_causal(doc).ok().map(|case| {
                    (
                        matches_name(&case, &f.q),
                        risk_level(&case),
                        overdue_steps(&case, now),
                    )
                })
            })
            .map_err(|e| err(e.into()))?
            .flatten();
        let Some((named, risk, overdue)) = facts else {
            continue;
        };
        let risk_ok = match f.risk.as_str() {
            "" => true,
            "none" => risk.is_none(),
            level => risk.as_deref() == Some(level),
        };
        if named && risk_ok && (f.overdue.is_none() || overdue > 0) {
            rows.push(Row {
                summary,
                risk,
                overdue,
            });
        }
    }
    if !rows.is_empty() {
        let shown: Vec<&str> = rows
            .iter()
            .map(|r| r.summary.document_id.as_str())
            .collect();
        record(
            state,
            &Actor::device(&device),
            AuditEvent::new(AuditAction::CaseListed)
                .detail(json!({ "cases": shown, "via": "web" })),
        )
        .map_err(err)?;
    }
    Ok(rows)
}

#[get("/web/cases")]
pub async fn cases_page(
    user: PageUser,
    filters: web::Query<CaseFilters>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    let f = filters.into_inner();
    let (u, s) = (user.clone(), state.clone());
    let (rows, f, site_list, held, exercise) = blocking(move || {
        let rows = load(&s, &u, &f)?;
        let held = crate::domain::shared_views::held_views(&s, &u.as_device())
            .map_err(|e| PageError::from_api(u.lang, crate::error::ApiError::from(e)))?;
        let mut conn = s.db().map_err(|e| PageError::from_api(u.lang, e))?;
        let site_list = sites::list(&mut conn, &u.user.organisation_id)
            .map_err(|e| PageError::from_api(u.lang, e))?;
        // A training organisation's pages say so on every list, and lead to the report.
        let exercise =
            casesync_schema::exercises::of_organisation(&mut conn, &u.user.organisation_id)
                .map_err(|e| PageError::from_api(u.lang, e))?;
        Ok((rows, f, site_list, held, exercise))
    })
    .await?;
    let lang = user.lang;
    let now = state.now();
    let site_name = |id: &str| {
        site_list
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.chars().take(8).collect())
    };
    let body = html! {
        @if let Some(exercise) = &exercise {
            p.notice.training {
                (lang.t("exercise.training_only")) " "
                a href={ "/web/exercises/" (exercise.id) } { (lang.t("exercise.report_link")) }
            }
        }
        h1 { (lang.t("cases.title")) }
        form.filters method="get" action="/web/cases" role="search" {
            div {
                label for="q" { (lang.t("cases.search")) }
                input #q type="search" name="q" value=(f.q);
            }
            div {
                label for="site" { (lang.t("cases.site")) }
                select #site name="site" {
                    option value="" { (lang.t("common.all")) }
                    @for s in &site_list {
                        option value=(s.id) selected[s.id == f.site] { (s.name) }
                    }
                }
            }
            div {
                label for="state" { (lang.t("cases.state")) }
                select #state name="state" {
                    option value="" { (lang.t("common.all")) }
                    @for st in STATES {
                        option value=(st) selected[*st == f.state] { (lang.t(&format!("state.{st}"))) }
                    }
                }
            }
            div {
                label for="risk" { (lang.t("cases.risk")) }
                select #risk name="risk" {
                    option value="" { (lang.t("common.all")) }
                    @for level in RISK_LEVELS {
                        option value=(level) selected[*level == f.risk] { (lang.t(&format!("risk.{level}"))) }
                    }
                    option value="none" selected[f.risk == "none"] { (lang.t("risk.none")) }
                }
            }
            label.inline { input type="checkbox" name="overdue" value="1" checked[f.overdue.is_some()]; (lang.t("cases.only_overdue")) }
            label.inline { input #conflicts-filter type="checkbox" name="conflicts" value="1" checked[f.conflicts.is_some()]; (lang.t("cases.only_conflicts")) }
            button type="submit" { (lang.t("common.filter")) }
        }
        p.muted role="status" { (lang.fill("cases.count", &[("n", &rows.len().to_string())])) }
        @if rows.is_empty() {
            p { (lang.t("cases.empty")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (lang.t("cases.name")) }
                        th scope="col" { (lang.t("cases.reference")) }
                        th scope="col" { (lang.t("cases.site")) }
                        th scope="col" { (lang.t("cases.state")) }
                        th scope="col" { (lang.t("cases.since")) }
                        th scope="col" { (lang.t("cases.risk")) }
                        th scope="col" { (lang.t("cases.overdue")) }
                        th scope="col" { (lang.t("cases.conflicts")) }
                        th scope="col" { (lang.t("cases.updated")) }
                    } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td { a href={ "/web/cases/" (r.summary.document_id) } { (r.summary.display_name) } }
                                td { (r.summary.reference) }
                                td { (site_name(&r.summary.site_id)) }
                                td { (badge(&format!("state-{}", r.summary.status), lang.t(&format!("state.{}", r.summary.status)))) }
                                td { @if let Some(since) = r.summary.status_since { (relative(lang, since, now)) } }
                                td { @match &r.risk {
                                    Some(level) => (badge(&format!("risk-{level}"), lang.t(&format!("risk.{level}")))),
                                    None => span.muted { (lang.t("risk.none")) },
                                } }
                                td { @if r.overdue > 0 { (badge("overdue", &r.overdue.to_string())) } @else { "0" } }
                                td { @if r.summary.open_conflicts > 0 {
                                    a href={ "/web/cases/" (r.summary.document_id) "/conflicts" } { (badge("conflict", &r.summary.open_conflicts.to_string())) }
                                } @else { "0" } }
                                td { (utc_minute(lang, r.summary.updated_at)) }
                            }
                        }
                    }
                }
            }
        }
        (super::shared_view_page::held_section(lang, &held))
    };
    Ok(respond(page(
        &user,
        Section::Cases,
        lang.t("cases.title"),
        true,
        body,
    )))
}
