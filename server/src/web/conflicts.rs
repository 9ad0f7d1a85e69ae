//! `GET/POST /web/cases/{id}/conflicts`: every profile field that devices wrote
//! concurrently, with each value, the device that delivered it and when. The coordinator
//! keeps one value or writes a new one; that becomes a change authored by the coordinator,
//! admitted like a device's (role checks included) and pushed to every device.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::Writer;
use maud::html;
use serde::Deserialize;

use super::case_open::{blocking, open_case};
use super::case_page::load_case;
use super::error::PageError;
use super::format::utc_minute;
use super::layout::{notice, page, respond, Section};
use super::links::encode;
use super::session::PageUser;
use crate::domain::server_write::server_write;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ConflictsQuery {
    resolved: Option<String>,
    value: Option<String>,
    problem: Option<String>,
}

#[get("/web/cases/{id}/conflicts")]
pub async fn conflicts_page(
    user: PageUser,
    path: web::Path<String>,
    query: web::Query<ConflictsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    let u = user.clone();
    let view = blocking(move || load_case(&state, &u, &path, "conflicts_page")).await?;
    let lang = user.lang;
    let done = query.resolved.as_ref().map(|field| {
        lang.fill(
            "conflicts.resolved",
            &[
                ("field", field.as_str()),
                ("value", query.value.as_deref().unwrap_or("")),
            ],
        )
    });
    let problem = query.problem.as_deref().map(|key| match key {
        "empty" => lang.t("conflicts.empty_value"),
        _ => lang.t("conflicts.unknown_field"),
    });
    let title = lang.fill("conflicts.title", &[("name", &view.name)]);
    let body = html! {
        h1 { (title) }
        (notice(done.as_deref(), false))
        (notice(problem, true))
        p { (lang.t("conflicts.intro")) }
        @if view.conflicts.is_empty() {
            p #no-conflicts { (lang.t("conflicts.none")) }
        }
        @for (n, c) in view.conflicts.iter().enumerate() {
            @let field = c.field.trim_start_matches("profile.");
            section.conflict-field aria-labelledby={ "field-" (n) } {
                h2 #{ "field-" (n) } { (lang.label("profile-", field)) }
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (lang.t("conflicts.value")) }
                        th scope="col" { (lang.t("conflicts.from")) }
                        th scope="col" { (lang.t("conflicts.received")) br; span.muted.clock { (lang.t("clock.server")) } }
                        th scope="col" { span.visually-hidden { (lang.t("conflicts.pick")) } }
                    } }
                    tbody {
                        @for v in &c.values {
                            tr {
                                td { q { (v.value) } }
                                td { @match &v.delivered_by { Some(d) => (view.people.device(d)), None => span.muted { (lang.t("common.unknown")) } } }
                                td { @match v.received_at { Some(t) => (utc_minute(lang, t)), None => span.muted { "—" } } }
                                td {
                                    form method="post" action={ "/web/cases/" (view.id) "/conflicts" } {
                                        input type="hidden" name="csrf" value=(user.csrf_token);
                                        input type="hidden" name="field" value=(field);
                                        input type="hidden" name="value" value=(v.value);
                                        button.secondary type="submit" { (lang.t("conflicts.pick")) }
                                    }
                                }
                            }
                        }
                    }
                } }
                form method="post" action={ "/web/cases/" (view.id) "/conflicts" } {
                    input type="hidden" name="csrf" value=(user.csrf_token);
                    input type="hidden" name="field" value=(field);
                    label for={ "new-" (n) } { (lang.t("conflicts.new_value")) }
                    input #{ "new-" (n) } type="text" name="value" required;
                    " "
                    button type="submit" { (lang.t("conflicts.save_new")) }
                }
            }
        }
        p { a href={ "/web/cases/" (view.id) } { (lang.t("conflicts.back")) } }
    };
    Ok(respond(page(&user, Section::Cases, &title, true, body)))
}

#[derive(Deserialize)]
pub struct ResolveForm {
    csrf: String,
    field: String,
    value: String,
}

/// Writes the chosen value over every concurrent one. Only a field that is in conflict
/// now can be resolved here: this page is not a general profile editor.
fn resolve(
    state: &AppState,
    user: &PageUser,
    id: &str,
    field: &str,
    value: &str,
) -> Result<Result<DocumentId, &'static str>, PageError> {
    let lang = user.lang;
    let (id, _) = open_case(state, user, id, "conflicts_resolve")?;
    let receipts =
        crate::routes::cases::receipts(state, &id).map_err(|e| PageError::from_api(lang, e))?;
    let path = format!("profile.{field}");
    let in_conflict = state
        .engine
        .read(&id, |doc| {
            casesync_contract::views::profile_conflicts(doc, &receipts)
                .iter()
                .any(|c| c.field == path)
        })
        .map_err(|e| PageError::from_api(lang, e))?
        .unwrap_or(false);
    if !in_conflict {
        return Ok(Err("gone"));
    }
    let device = user.as_device();
    // The coordinator's own role goes to admission: the permission table decides, as for a
    // phone.
    let writer = Writer {
        device: device.device_id.clone(),
        user: device.user_id.clone(),
        role: Some(Role::Coordinator),
        organisation: device.organisation_id.clone(),
        site: device.site_id.clone(),
        peer: None,
    };
    let key = field.to_string();
    let text = value.to_string();
    server_write(state, &id, DocumentKind::Case, &writer, None, move |tx| {
        let Some((_, profile)) = tx.get(ROOT, "profile")? else {
            return Ok(());
        };
        tx.put(&profile, key.as_str(), text.as_str())
    })
    .map_err(|e| PageError::from_api(lang, e))?;
    // Its `case.override` entry was written with it, in the same transaction
    // (`domain::audit_writes`).
    Ok(Ok(id))
}

#[post("/web/cases/{id}/conflicts")]
pub async fn resolve_conflict(
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<ResolveForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    user.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let id = path.into_inner();
    let value = form.value.trim().to_string();
    let back = format!("/web/cases/{id}/conflicts");
    if value.is_empty() {
        return Ok(see_other(&format!("{back}?problem=empty")));
    }
    let u = user.clone();
    let field = form.field.clone();
    let v = value.clone();
    let outcome = blocking(move || resolve(&state, &u, &id, &field, &v)).await?;
    Ok(match outcome {
        Ok(_) => see_other(&format!(
            "{back}?resolved={}&value={}",
            encode(&form.field),
            encode(&value)
        )),
        Err(problem) => see_other(&format!("{back}?problem={problem}")),
    })
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}
