//! `GET /web/alerts`: the missing-child alerts board. Each open alert shows the child's
//! photo, how long they have been missing, where they were last seen, and per device whether
//! the alert arrived and whether a person acknowledged it. The page updates live.

use actix_web::{get, web, HttpResponse};
use casesync_contract::alerts::{AlertKind, AlertList, AlertStatus};
use casesync_contract::case::{read_case_causal, EpisodeState};
use casesync_contract::views::child_status;
use casesync_contract::Role;
use maud::{html, Markup};

use super::alerts_source::board_alerts;
use super::case_open::blocking;
use super::error::PageError;
use super::format::{duration, short_minute, utc_minute};
use super::i18n::Lang;
use super::layout::{page, respond, Section};
use super::session::PageUser;
use crate::state::AppState;

/// What the case says now about the child's absence, beside its alert.
#[derive(Default)]
struct CaseNow {
    /// When the child was first recorded missing (device time of the report).
    missing_since: Option<i64>,
    /// Concurrent reports that disagree (from the change graph): the child counts as missing.
    disagreement: Vec<EpisodeState>,
}

/// `None` if the case cannot be read now.
fn case_now(state: &AppState, alert: &AlertStatus) -> Option<CaseNow> {
    state
        .engine
        .read(&alert.alert.case_id, |doc| {
            let case = read_case_causal(doc).ok()?;
            let episode = child_status(&case.episodes).1?;
            Some(CaseNow {
                missing_since: episode.missing_since,
                disagreement: episode.disagreement,
            })
        })
        .ok()
        .flatten()
        .flatten()
}

/// The notice shown where reports disagree (case page and alerts board).
pub fn disagreement_notice(lang: Lang, states: &[EpisodeState]) -> Markup {
    let states: Vec<&str> = states
        .iter()
        .map(|s| lang.t(&format!("state.{s}")))
        .collect();
    html! {
        @if !states.is_empty() {
            p.notice.error.disagreement { (lang.fill("episode.disagreement", &[("states", &states.join(", "))])) }
        }
    }
}

fn kind_key(kind: AlertKind) -> String {
    format!("alerts.kind.{}", kind.as_str())
}

fn card(lang: Lang, a: &AlertStatus, case: Option<&CaseNow>, now: i64) -> Markup {
    let pack = a.alert.pack.clone().unwrap_or_default();
    let name = if pack.name.is_empty() {
        pack.reference.clone()
    } else {
        pack.name.clone()
    };
    let since = case
        .and_then(|c| c.missing_since)
        .unwrap_or(a.alert.raised_at);
    let disagreement = case.map_or(&[][..], |c| c.disagreement.as_slice());
    html! {
        article.alert-card data-alert=(a.alert.id) data-case=(a.alert.case_id) aria-labelledby={ "alert-" (a.alert.id) } {
            header {
                @match &pack.photo {
                    Some(sha) => img.photo src={ "/web/blobs/" (sha) "/preview" } alt=(lang.fill("alerts.photo_of", &[("name", &name)])) width="96" height="120";
                    None => div.photo { (lang.t("alerts.no_photo")) },
                }
                div {
                    h2 #{ "alert-" (a.alert.id) } { (name) }
                    p.muted { (pack.reference) }
                    p.since { (lang.fill("alerts.missing_for", &[("d", &duration(lang, now - since))])) }
                    p.muted { (lang.fill("alerts.raised", &[("t", &utc_minute(lang, a.alert.raised_at))])) }
                }
            }
            dl.facts {
                dt { (lang.t("alerts.last_seen")) }
                dd {
                    (pack.last_seen_place.as_deref().unwrap_or(lang.t("common.unknown")))
                    @if let Some(t) = pack.last_seen_at { ", " (utc_minute(lang, t)) }
                }
                @if let Some(d) = &pack.description { dt { (lang.t("alerts.description")) } dd { (d) } }
                @if let Some(c) = &pack.clothing { dt { (lang.t("alerts.clothing")) } dd { (c) } }
                @if let Some(c) = &pack.contact { dt { (lang.t("alerts.contact")) } dd { (c) } }
            }
            (disagreement_notice(lang, disagreement))
            @if let Some(t) = a.escalated_at { p.notice.error { (lang.fill("alerts.escalated", &[("t", &utc_minute(lang, t))])) } }
            @if a.alert.resent > 0 { p.muted { (lang.fill("alerts.resent", &[("n", &a.alert.resent.to_string())])) } }
            div.table-wrap { table.deliveries {
                caption { (lang.t("alerts.deliveries")) }
                thead { tr {
                    th scope="col" { (lang.t("alerts.device")) }
                    th scope="col" { (lang.t("alerts.person")) }
                    th scope="col" { (lang.t("alerts.delivered")) br; span.muted.clock { (lang.t("clock.server")) } }
                    th scope="col" { (lang.t("alerts.acknowledged")) br; span.muted.clock { (lang.t("clock.device")) } }
                } }
                tbody {
                    @for d in &a.deliveries {
                        tr data-device=(d.device_id) {
                            td { (d.device_name) }
                            td { (d.user_name) }
                            td { @match d.delivered_at { Some(t) => span.badge.done title=(utc_minute(lang, t)) { (short_minute(lang, t)) }, None => span.badge.overdue { (lang.t("alerts.not_yet")) } } }
                            td { @match d.acknowledged_at { Some(t) => span.badge.done title=(utc_minute(lang, t)) { (short_minute(lang, t)) }, None => span.badge.overdue { (lang.t("alerts.not_yet")) } } }
                        }
                    }
                }
            } }
            p.no-print { a href={ "/web/cases/" (a.alert.case_id) } { (lang.t("alerts.open_case")) } }
        }
    }
}

fn board(lang: Lang, list: &AlertList, cases: &[Option<CaseNow>], now: i64) -> Markup {
    let missing: Vec<(usize, &AlertStatus)> = list
        .alerts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.alert.kind == AlertKind::Missing)
        .collect();
    let others: Vec<&AlertStatus> = list
        .alerts
        .iter()
        .filter(|a| a.alert.kind != AlertKind::Missing)
        .collect();
    html! {
        h1 { (lang.t("alerts.title")) }
        @if missing.is_empty() {
            p #no-alerts { (lang.t("alerts.empty")) }
        }
        div.board {
            @for (i, a) in missing { (card(lang, a, cases[i].as_ref(), now)) }
        }
        @if !others.is_empty() {
            h2 { (lang.t("alerts.other")) }
            div.table-wrap { table {
                tbody {
                    @for a in others {
                        tr {
                            td { (lang.t(&kind_key(a.alert.kind))) }
                            td { (a.alert.text(lang)) }
                            td { (utc_minute(lang, a.alert.raised_at)) }
                            td { a href={ "/web/cases/" (a.alert.case_id) } { (lang.t("alerts.open_case")) } }
                        }
                    }
                }
            } }
        }
    }
}

#[get("/web/alerts")]
pub async fn alerts_page(
    user: PageUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    let (u, s) = (user.clone(), state.clone());
    let (list, cases) = blocking(move || {
        let list = board_alerts(&s, &u).map_err(|e| PageError::from_api(u.lang, e))?;
        let cases = list
            .alerts
            .iter()
            .map(|a| case_now(&s, a))
            .collect::<Vec<_>>();
        Ok((list, cases))
    })
    .await?;
    let lang = user.lang;
    let body = board(lang, &list, &cases, state.now());
    Ok(respond(page(
        &user,
        Section::Alerts,
        lang.t("alerts.title"),
        true,
        body,
    )))
}
