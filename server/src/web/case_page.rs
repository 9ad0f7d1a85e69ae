//! `GET /web/cases/{id}`: one child on one screen: profile (conflicting fields marked), the
//! merged timeline as a picture and as a list, checklist progress, the missing pack and
//! where the access record is.

use actix_web::{get, web, HttpResponse};
use casesync_contract::case::{read_case_causal, CaseDocument};
use casesync_contract::risk::RiskStatus;
use casesync_contract::views::{
    child_status, episode_view, found, profile_conflicts, timeline, ChildStatus, EpisodeView,
    FieldConflict, TimelineEntry,
};
use casesync_contract::wire::case_reference;
use casesync_contract::{DocumentId, Role};
use maud::html;

use super::case_facts::{checklists, risk_level, ChecklistView};
use super::case_open::{blocking, open_case};
use super::case_sections as sections;
use super::error::PageError;
use super::layout::{badge, page, respond, Section};
use super::people::People;
use super::session::PageUser;
use crate::domain::alerts::risk_watch;
use crate::domain::alerts::rules::rules_for;
use crate::domain::summary::display_name;
use crate::error::ApiError;
use crate::state::AppState;

/// Everything the page shows, read in one pass over the document.
pub struct CaseView {
    pub id: DocumentId,
    pub name: String,
    pub case: CaseDocument,
    pub status: ChildStatus,
    pub episodes: Vec<(EpisodeView, Option<i64>)>,
    pub conflicts: Vec<FieldConflict>,
    pub entries: Vec<TimelineEntry>,
    pub checklists: Vec<ChecklistView>,
    pub risk: Option<String>,
    /// The risk instrument's reading of the latest assessment (organisation's thresholds).
    pub risk_status: Option<RiskStatus>,
    pub people: People,
    /// The case's shares and what was sent under each (shown to the owning organisation).
    pub shares: Vec<super::shares_section::NamedShare>,
}

/// Reads the case for a page, after the access check and audit entry. Blocking.
pub fn load_case(
    state: &AppState,
    user: &PageUser,
    id: &str,
    view: &str,
) -> Result<CaseView, PageError> {
    let lang = user.lang;
    let err = |e: ApiError| PageError::from_api(lang, e);
    let (id, row) = open_case(state, user, id, view)?;
    let receipts = crate::routes::cases::receipts(state, &id).map_err(err)?;
    let mut people = {
        let mut conn = state.db().map_err(|e| err(e.into()))?;
        People::of_organisation(&mut conn, &row.organisation_id).map_err(err)?
    };
    people.add_user(&user.user.id, &user.user.name);
    let now = state.now();
    let read = state
        .engine
        .read(&id, |doc| {
            let case = read_case_causal(doc).ok()?;
            let entries = timeline(doc, &case, &receipts);
            let conflicts = profile_conflicts(doc, &receipts);
            Some((case, entries, conflicts))
        })
        .map_err(|e| err(e.into()))?
        .flatten();
    let (case, entries, conflicts) = read.ok_or(PageError::NotFound(lang))?;
    let (status, _) = child_status(&case.episodes);
    let episodes = case
        .episodes
        .iter()
        .filter_map(episode_view)
        .map(|ep| {
            let ended = matches!(
                ep.state,
                casesync_contract::case::EpisodeState::Closed
                    | casesync_contract::case::EpisodeState::Returned
            )
            .then_some(ep.since);
            (ep, ended)
        })
        .collect();
    let shares = if row.organisation_id == user.user.organisation_id {
        let mut conn = state.db().map_err(|e| err(e.into()))?;
        named_shares(&mut conn, &id).map_err(|e| err(e.into()))?
    } else {
        vec![]
    };
    let rules = rules_for(state, &row.organisation_id).map_err(|e| err(e.into()))?;
    let risk_status = risk_watch::status(state, &case, &rules).map_err(|e| err(e.into()))?;
    Ok(CaseView {
        risk_status,
        name: display_name(&case, &id),
        checklists: checklists(&case, now),
        risk: risk_level(&case),
        id,
        status,
        episodes,
        conflicts,
        entries,
        people,
        shares,
        case,
    })
}

/// The case's shares with what was sent, and the names of the organisations.
fn named_shares(
    conn: &mut casesync_schema::DbConn,
    id: &DocumentId,
) -> Result<Vec<super::shares_section::NamedShare>, casesync_schema::DbError> {
    use casesync_schema::access::{share_versions, shares};
    let rows = shares::of_document(conn, &id.to_string())?;
    let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
    let sent = share_versions::of_shares(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let name = casesync_schema::directory::organisations::find(conn, &row.organisation_id)
                .map(|o| o.name)
                .unwrap_or_else(|_| row.organisation_id.clone());
            let mut share = crate::domain::access::shares::view(id, row, &sent);
            crate::federation::record::add_across(conn, &mut share)?;
            Ok((share, name))
        })
        .collect()
}

#[get("/web/cases/{id}")]
pub async fn case_page(
    user: PageUser,
    path: web::Path<String>,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    // A refused cross-border notification comes back here with the reason.
    let share_problem =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("share_problem").cloned());
    let (u, s) = (user.clone(), state.clone());
    let (view, partners) = blocking(move || {
        let view = load_case(&s, &u, &path, "case_page")?;
        let partners = super::cross_border::partners(&s, &u.user.organisation_id);
        Ok((view, partners))
    })
    .await?;
    let lang = user.lang;
    let now = state.now();
    // Located is not safe yet: the page says what is still awaited.
    let awaiting = child_status(&view.case.episodes)
        .1
        .is_some_and(|episode| found::awaiting_safe_and_well(&view.case, &episode));
    let disagreement = child_status(&view.case.episodes)
        .1
        .map(|episode| episode.disagreement)
        .unwrap_or_default();
    let status = view.status.as_str();
    let status_label = if awaiting {
        "state.located_awaiting".to_string()
    } else {
        format!("state.{status}")
    };
    let body = html! {
        div.case-head {
            h1 { (view.name) }
            span.muted { (case_reference(&view.id)) }
            (badge(&format!("state-{status}"), lang.t(&status_label)))
            @match &view.risk {
                Some(level) => (badge(&format!("risk-{level}"), &format!("{}: {}", lang.t("cases.risk"), lang.t(&format!("risk.{level}"))))),
                None => span.muted { (lang.t("risk.none")) },
            }
        }
        (super::alerts_board::disagreement_notice(lang, &disagreement))
        (sections::profile(lang, &view))
        (super::risk_section::risk(lang, &view, now))
        (sections::flow(lang, &view, now))
        (sections::timeline_section(lang, &view, now))
        (sections::checklists(lang, &view, now))
        (super::records_section::records(lang, &view, now))
        (sections::missing_pack(lang, &view))
        (super::shares_section::shares(lang, &view.shares))
        @if view.case.organisation.0 == user.user.organisation_id {
            (super::cross_border::form(lang, &user.csrf_token, &view.id.to_string(), &partners, share_problem.as_deref()))
        }
        (sections::access(lang))
    };
    Ok(respond(page(&user, Section::Cases, &view.name, true, body)))
}
