//! The case page's risk section: the latest assessment read with the risk instrument
//! (`casesync_contract::risk`): the indicators answered yes, the score, the advisory level
//! the server computes with the organisation's thresholds, the level a person set and why,
//! whether a coordinator confirmed it, and when it is due for review.

use casesync_contract::case::RiskAssessment;
use casesync_contract::risk::instrument;
use maud::{html, Markup};

use super::case_page::CaseView;
use super::format::{relative, utc_minute};
use super::i18n::Lang;
use super::layout::badge;

pub fn risk(lang: Lang, view: &CaseView, now: i64) -> Markup {
    let Some(status) = &view.risk_status else {
        return html! {};
    };
    let Some(assessment) = view
        .case
        .risk_assessments
        .iter()
        .find(|a| a.id.0 == status.assessment_id)
    else {
        return html! {};
    };
    let out_of = instrument(assessment.instrument_version.0).map_or(0, |i| i.indicators.len());
    html! {
        section aria-labelledby="risk-h" {
            h2 #risk-h { (lang.t("risk.title")) }
            dl.facts {
                dt { (lang.t("risk.level_set")) }
                dd {
                    (badge(&format!("risk-{}", status.level), lang.t(&format!("risk.{}", status.level))))
                    " " (view.people.user(assessment.author.as_str())) ", " (utc_minute(lang, assessment.assessed_at.0)) " "
                    span.muted.clock { (lang.t("clock.device")) }
                }
                dt { (lang.t("risk.advisory")) }
                dd {
                    (lang.t(&format!("risk.{}", status.advisory)))
                    " · " (lang.fill("risk.score", &[("n", &status.score.to_string()), ("of", &out_of.to_string())]))
                }
                @if let Some(reason) = &assessment.reason { dt { (lang.t("risk.reason")) } dd { (reason) } }
                dt { (lang.t("risk.confirmation")) }
                dd {
                    @if let Some(by) = &status.confirmed_by { (lang.fill("risk.confirmed_by", &[("name", &view.people.user(by))])) }
                    @else if status.awaiting_confirmation { (badge("overdue", lang.t("risk.awaiting_confirmation"))) }
                    @else { (lang.t("risk.set_by_coordinator")) }
                }
                @if let Some(at) = status.next_review {
                    dt { (lang.t("risk.next_review")) }
                    dd {
                        (utc_minute(lang, at)) " " span.muted { (relative(lang, at, now)) }
                        @if at < now { " " (badge("overdue", lang.t("case.overdue"))) }
                    }
                }
            }
            @if status.reason_missing { p.notice.error { (lang.t("risk.reason_missing")) } }
            (indicators(lang, assessment))
        }
    }
}

fn indicators(lang: Lang, assessment: &RiskAssessment) -> Markup {
    let Some(instrument) = instrument(assessment.instrument_version.0) else {
        return html! { p.muted { (lang.t("risk.unknown_instrument")) } };
    };
    html! {
        details {
            summary { (lang.fill("risk.indicators", &[("v", &instrument.version.to_string())])) }
            ul.indicators {
                @for indicator in instrument.indicators {
                    @let answer = assessment.answers.get(indicator.id).copied();
                    li.yes[answer == Some(true)] {
                        @match answer {
                            Some(true) => { strong { (lang.t("risk.yes")) } }
                            Some(false) => { (lang.t("risk.no")) }
                            None => { span.muted { (lang.t("risk.unanswered")) } }
                        }
                        " — " (lang.lookup(&format!("risk.indicator.{}", indicator.id)).unwrap_or(indicator.text))
                    }
                }
            }
        }
    }
}
