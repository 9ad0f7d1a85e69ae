//! The sections of the case page.

use casesync_contract::case::PROFILE_FIELDS;
use maud::{html, Markup};

use super::case_page::CaseView;
use super::format::{relative, utc_minute};
use super::i18n::Lang;
use super::layout::{badge, trusted};
use super::timeline_svg::{draw, kind_colour, kind_key, KINDS};

pub fn profile(lang: Lang, view: &CaseView) -> Markup {
    let photo = view
        .case
        .profile
        .get("photo")
        .map(|p| p.as_str().to_string());
    html! {
        section aria-labelledby="profile-h" {
            h2 #profile-h { (lang.t("case.profile")) }
            @if !view.conflicts.is_empty() {
                p.notice.error role="note" {
                    (lang.t("case.conflict_hint")) " "
                    a href={ "/web/cases/" (view.id) "/conflicts" } {
                        (lang.fill("case.resolve_conflicts", &[("n", &view.conflicts.len().to_string())]))
                    }
                }
            }
            @if let Some(sha) = photo {
                img.photo src={ "/web/blobs/" (sha) "/preview" } alt=(lang.fill("alerts.photo_of", &[("name", &view.name)])) width="120";
            }
            dl.profile {
                @for (field, _) in PROFILE_FIELDS {
                    @if *field != "photo" {
                        @let conflict = view.conflicts.iter().find(|c| c.field == format!("profile.{field}"));
                        @if conflict.is_some() || view.case.profile.contains_key(*field) {
                            div.has-conflict[conflict.is_some()] {
                                dt { (lang.label("profile-", field)) }
                                dd {
                                    @match conflict {
                                        Some(c) => {
                                            (badge("conflict", lang.t("case.conflict_marker"))) " "
                                            @for (i, v) in c.values.iter().enumerate() {
                                                @if i > 0 { " / " }
                                                q { (v.value) }
                                            }
                                        }
                                        None => (view.case.profile.get(*field).map(|v| v.as_str()).unwrap_or_default()),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn timeline_section(lang: Lang, view: &CaseView, now: i64) -> Markup {
    html! {
        section aria-labelledby="timeline-h" {
            h2 #timeline-h { (lang.t("case.timeline")) }
            @if view.entries.is_empty() {
                p { (lang.t("case.timeline_empty")) }
            } @else {
                figure.timeline {
                    (trusted(draw(lang, &view.entries, &view.episodes, &view.people, now)))
                    figcaption {
                        (lang.t("case.timeline_picture"))
                        ul.legend {
                            @for kind in KINDS {
                                li {
                                    svg width="12" height="12" aria-hidden="true" {
                                        circle cx="6" cy="6" r="5" fill=(kind_colour(kind)) {}
                                    }
                                    " " (lang.t(kind_key(kind)))
                                }
                            }
                        }
                    }
                }
                div.table-wrap {
                    table #timeline-list {
                        caption.muted { (lang.t("case.timeline")) }
                        thead { tr {
                            th scope="col" { (lang.t("case.observed")) br; span.muted.clock { (lang.t("clock.device")) } }
                            th scope="col" { (lang.t("case.received")) br; span.muted.clock { (lang.t("clock.server")) } }
                            th scope="col" { (lang.t("case.kind")) }
                            th scope="col" { (lang.t("case.entry")) }
                            th scope="col" { (lang.t("case.author")) }
                            th scope="col" { (lang.t("case.device")) }
                        } }
                        tbody {
                            @for e in &view.entries {
                                tr data-device=(e.device) {
                                    td { (utc_minute(lang, e.observed_at)) }
                                    td { @match e.received_at { Some(t) => (utc_minute(lang, t)), None => span.muted { "—" } } }
                                    td { (lang.t(kind_key(e.kind))) }
                                    td {
                                        strong { (e.label_in(lang)) }
                                        @if !e.text.is_empty() { " — " (e.text) }
                                        @if let Some(place) = &e.place { br; span.muted { (lang.t("case.place")) ": " (place) } }
                                    }
                                    td { (view.people.user(&e.author)) }
                                    td {
                                        (view.people.device(&e.device))
                                        @if let Some(by) = e.delivered_by.as_ref().filter(|d| **d != e.device) {
                                            br; span.muted { "→ " (view.people.device(by)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn checklists(lang: Lang, view: &CaseView, now: i64) -> Markup {
    html! {
        section aria-labelledby="checklists-h" {
            h2 #checklists-h { (lang.t("case.checklists")) }
            @if view.checklists.is_empty() {
                p { (lang.t("case.checklists_empty")) }
            }
            @for cl in &view.checklists {
                div.checklist {
                    h3 {
                        (lang.lookup(&format!("checklist.title.{}", cl.template)).unwrap_or(&cl.title)) " "
                        span.muted { (cl.done()) "/" (cl.steps.len()) " · " (utc_minute(lang, cl.anchored_at)) }
                    }
                    progress max=(cl.steps.len()) value=(cl.done()) aria-label=(cl.title) {}
                    div.table-wrap { table {
                        thead { tr {
                            th scope="col" { (lang.t("case.step")) }
                            th scope="col" { (lang.t("case.due")) }
                            th scope="col" { (lang.t("case.status")) }
                            th scope="col" { (lang.t("case.done_by")) br; span.muted.clock { (lang.t("clock.device")) } }
                        } }
                        tbody {
                            @for step in &cl.steps {
                                tr.overdue-row[step.overdue] {
                                    td { (lang.lookup(&format!("checklist.step.{}", step.id)).unwrap_or(&step.text)) @if !step.role.is_empty() { br; span.muted { (lang.t(&format!("role.{}", step.role))) } } }
                                    td { @if let Some(due) = step.due_at { (utc_minute(lang, due)) br; span.muted { (relative(lang, due, now)) } } }
                                    td {
                                        @if step.overdue { (badge("overdue", lang.t("case.overdue"))) }
                                        @else { (badge(if step.status == "open" { "" } else { "done" }, lang.t(&format!("step.{}", step.status)))) }
                                    }
                                    td {
                                        @if let Some(by) = &step.by { (view.people.user(by)) }
                                        @if let Some(at) = step.at { br; span.muted { (utc_minute(lang, at)) } }
                                        @if let Some(note) = &step.note { br; (note) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        }
    }
}

/// The response flow of the child's current episode as a flowchart; nothing while the
/// child has no open episode.
pub fn flow(lang: Lang, view: &CaseView, now: i64) -> Markup {
    let Some(flow) = casesync_contract::views::flow::flow(&view.case, now) else {
        return html! {};
    };
    html! {
        section aria-labelledby="flow-h" {
            h2 #flow-h { (lang.t("case.flow")) }
            figure.flowchart { (trusted(super::flow_svg::draw(lang, &flow))) }
        }
    }
}

pub fn missing_pack(lang: Lang, view: &CaseView) -> Markup {
    html! {
        section aria-labelledby="pack-h" {
            h2 #pack-h { (lang.t("case.missing_pack")) }
            p { (lang.t("case.missing_pack_text")) }
            p { a.button #missing-pack-link href={ "/web/cases/" (view.id) "/missing-pack" } { (lang.t("case.missing_pack_open")) } }
        }
    }
}

pub fn access(lang: Lang) -> Markup {
    html! {
        section aria-labelledby="access-h" {
            h2 #access-h { (lang.t("case.access")) }
            p.muted { (lang.t("case.access_hidden")) }
        }
    }
}
