//! `GET /web/exercises/{id}`: a training exercise's after-action report, printable: one
//! timeline of injects and participants' actions, the deadlines met or missed and by how
//! much, each device's receipt and acknowledgement of each alert, and the conflicts. Times
//! are scenario minutes from the start (the exercise may have run faster than real time).

use actix_web::{get, web, HttpResponse};
use casesync_contract::Role;
use maud::{html, Markup};

use super::case_open::blocking;
use super::error::PageError;
use super::i18n::Lang;
use super::layout::{badge, page, respond, Section};
use super::session::PageUser;
use crate::domain::exercises::report::{report_for, Outcome, Report};
use crate::state::AppState;

#[get("/web/exercises/{id}")]
pub async fn exercise_report(
    user: PageUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let u = user.clone();
    let report = blocking(move || {
        report_for(&state, &u.as_device(), &path)
            .map_err(|e| PageError::from_api(u.lang, crate::error::ApiError::from(e)))
    })
    .await?;
    let lang = user.lang;
    let title = lang.fill("exercise.title", &[("title", &report.title)]);
    Ok(respond(page(
        &user,
        Section::Cases,
        &title,
        false,
        body(lang, &title, &report),
    )))
}

/// "min 90" for scenario minute 90.
fn minute(lang: Lang, m: i64) -> String {
    lang.fill("exercise.minute", &[("m", &m.to_string())])
}

fn body(lang: Lang, title: &str, report: &Report) -> Markup {
    html! {
        div.exercise-report {
            h1 { (title) }
            p.notice { (lang.t("exercise.training_only")) }
            p { (report.summary) }
            p.muted {
                (lang.fill("exercise.speed", &[("x", &report.exercise.speed.to_string())])) " · "
                (minute(lang, report.minute))
                @if report.exercise.ended_at.is_some() { " · " (lang.t("exercise.ended")) }
            }
            section aria-labelledby="ex-deadlines-h" {
                h2 #ex-deadlines-h { (lang.t("exercise.deadlines")) }
                table.deadlines {
                    thead { tr {
                        th { (lang.t("exercise.step")) } th { (lang.t("exercise.due")) }
                        th { (lang.t("exercise.done")) } th { (lang.t("exercise.outcome")) }
                    } }
                    tbody {
                        @for d in &report.deadlines {
                            tr.(outcome_class(&d.outcome)) data-step=(d.step) {
                                td { (lang.lookup(&format!("checklist.step.{}", d.step)).unwrap_or(&d.text)) br; span.muted { (d.checklist) } }
                                td { (minute(lang, d.due_minute)) }
                                td { @match d.done_minute { Some(m) => (minute(lang, m)), None => span.muted { "—" } } }
                                td { (outcome(lang, &d.outcome, d.by_minutes)) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="ex-alerts-h" {
                h2 #ex-alerts-h { (lang.t("exercise.alerts")) }
                @if report.alerts.is_empty() { p.muted { (lang.t("common.none")) } }
                @for alert in &report.alerts {
                    h3 { (lang.lookup(&format!("alerts.kind.{}", alert.kind)).unwrap_or(&alert.kind)) " · " (minute(lang, alert.raised_minute)) }
                    ul { @for d in &alert.deliveries {
                        li { (d.device) ": "
                            (lang.t("exercise.received")) " " @match d.delivered_minute { Some(m) => (minute(lang, m)), None => "—" }
                            ", " (lang.t("exercise.acknowledged")) " " @match d.acknowledged_minute { Some(m) => (minute(lang, m)), None => "—" } }
                    } }
                }
            }
            section aria-labelledby="ex-conflicts-h" {
                h2 #ex-conflicts-h { (lang.t("exercise.conflicts")) }
                @if report.conflicts.is_empty() { p.muted { (lang.t("common.none")) } }
                ul { @for c in &report.conflicts {
                    li { (c.field) ": "
                        @if c.status == "open" { (badge("overdue", lang.t("exercise.conflict_open"))) " " (c.values.join(" / ")) }
                        @else { (lang.t("exercise.conflict_resolved")) " " @if let Some(m) = c.resolved_minute { (minute(lang, m)) } } }
                } }
            }
            section aria-labelledby="ex-timeline-h" {
                h2 #ex-timeline-h { (lang.t("exercise.timeline")) }
                table.timeline {
                    tbody {
                        @for line in &report.timeline {
                            tr.inject[line.inject] {
                                td { (minute(lang, line.minute)) }
                                td { @if line.inject { (badge("", lang.t("exercise.inject"))) " " } (line.who) }
                                td { (line.what) }
                                td { (line.text) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn outcome_class(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Met => "met",
        Outcome::Missed => "missed",
        Outcome::Open => "open",
    }
}

fn outcome(lang: Lang, outcome: &Outcome, by: i64) -> Markup {
    let by = by.to_string();
    match outcome {
        Outcome::Met => badge("done", &lang.fill("exercise.met", &[("n", &by)])),
        Outcome::Missed => badge("overdue", &lang.fill("exercise.missed", &[("n", &by)])),
        Outcome::Open => badge("", &lang.fill("exercise.open", &[("n", &by)])),
    }
}
