//! The case page's records: strategy meetings with their actions (overdue ones marked),
//! safe-and-well checks, return interviews, NRM referrals, police instruments and
//! notifications, and, once the child is back, the parties told of the absence who still
//! have to be told of the return. Times are the recording phone's.

use casesync_contract::case::{CaseDocument, EpisodeState};
use casesync_contract::records::parties_to_tell_again;
use maud::{html, Markup};

use super::case_page::CaseView;
use super::format::utc_minute;
use super::i18n::Lang;
use super::layout::badge;

pub fn records(lang: Lang, view: &CaseView, now: i64) -> Markup {
    let case = &view.case;
    let pending = back_episode(view)
        .map(|episode| parties_to_tell_again(case, episode))
        .unwrap_or_default();
    if is_empty(case) && pending.is_empty() {
        return html! {};
    }
    let who = |id: &str| view.people.user(id);
    html! {
        section aria-labelledby="records-h" {
            h2 #records-h { (lang.t("records.title")) " " span.muted.clock { (lang.t("clock.device")) } }
            @if !pending.is_empty() {
                div.notice.error {
                    (lang.t("records.tell_again"))
                    ul { @for (party, to) in &pending { li { (party_label(lang, party)) ": " (to) } } }
                }
            }
            @if !case.strategy_meetings.is_empty() {
                h3 { (lang.t("records.strategy_meetings")) }
                @for meeting in &case.strategy_meetings {
                    article.record {
                        p { strong { (utc_minute(lang, meeting.held_at.0)) } " · " (lang.t("records.attendees")) ": " (join(&meeting.attendees)) }
                        @if !meeting.decisions.is_empty() {
                            p { (lang.t("records.decisions")) ": " (join(&meeting.decisions)) }
                        }
                        ul {
                            @for action in &meeting.actions {
                                li {
                                    (action.text) " — " (who(action.owner.as_str())) ", " (lang.t("records.due")) " " (utc_minute(lang, action.due.0)) " "
                                    @match &action.done {
                                        Some(done) => { (badge("done", &lang.fill("records.done_by", &[("name", &who(done.by.as_str())), ("at", &utc_minute(lang, done.at.0))]))) }
                                        None if action.due.0 < now => { (badge("overdue", lang.t("case.overdue"))) }
                                        None => { (badge("", lang.t("step.open"))) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !case.wellbeing_checks.is_empty() {
                h3 { (lang.t("records.wellbeing_checks")) }
                ul { @for check in &case.wellbeing_checks {
                    li { (utc_minute(lang, check.checked_at.0)) " · " (lang.t(&format!("records.outcome.{}", check.outcome))) " · " (who(check.author.as_str()))
                         @if let Some(note) = &check.note { " — " (note) } }
                } }
            }
            @if !case.return_interviews.is_empty() {
                h3 { (lang.t("records.return_interviews")) }
                ul { @for interview in &case.return_interviews {
                    li { (utc_minute(lang, interview.held_at.0)) " · " (interview.interviewer) " "
                         @if interview.independent { (badge("done", lang.t("records.independent"))) }
                         @else { (badge("overdue", lang.t("records.not_independent"))) }
                         " — " (interview.outcome) }
                } }
            }
            @if !case.nrm_referrals.is_empty() {
                h3 { (lang.t("records.nrm_referrals")) }
                ul { @for referral in &case.nrm_referrals {
                    li { (utc_minute(lang, referral.referred_at.0)) " · " (referral.authority)
                         @if let Some(reference) = &referral.reference { " · " code { (reference) } }
                         " — " (referral.grounds) }
                } }
            }
            @if !case.police_instruments.is_empty() {
                h3 { (lang.t("records.police_instruments")) }
                ul { @for instrument in &case.police_instruments {
                    li { (utc_minute(lang, instrument.requested_at.0)) " · " (lang.t(&format!("records.instrument.{}", instrument.instrument)))
                         @if let Some(authority) = &instrument.authority { " · " (authority) }
                         " · " @match &instrument.reference { Some(r) => code { (r) }, None => span.muted { (lang.t("records.no_reference")) } } }
                } }
            }
            @if !case.notifications.is_empty() {
                h3 { (lang.t("records.notifications")) }
                ul { @for n in &case.notifications {
                    li { (utc_minute(lang, n.sent_at.0)) " · " (party_label(lang, n.party.as_str())) ": " (n.to) " · " (lang.t(&format!("records.about.{}", n.about))) }
                } }
            }
        }
    }
}

fn is_empty(case: &CaseDocument) -> bool {
    case.strategy_meetings.is_empty()
        && case.wellbeing_checks.is_empty()
        && case.return_interviews.is_empty()
        && case.nrm_referrals.is_empty()
        && case.police_instruments.is_empty()
        && case.notifications.is_empty()
}

/// The latest episode, when the child is back from it (located or returned).
fn back_episode(view: &CaseView) -> Option<&str> {
    let (latest, _) = view.episodes.last()?;
    matches!(latest.state, EpisodeState::Located | EpisodeState::Returned)
        .then_some(latest.id.as_str())
}

fn party_label(lang: Lang, party: &str) -> &'static str {
    lang.t(&format!("records.party.{party}"))
}

fn join(items: &[casesync_contract::case::Str]) -> String {
    items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use casesync_contract::case::{
        NOTIFICATION_SUBJECTS, NOTIFIED_PARTIES, POLICE_INSTRUMENTS, WELLBEING_OUTCOMES,
    };

    use super::Lang;

    /// The section builds keys from vocabulary words: each must have its text.
    #[test]
    fn every_record_word_has_a_text() {
        let words = [
            ("records.outcome", WELLBEING_OUTCOMES),
            ("records.instrument", POLICE_INSTRUMENTS),
            ("records.party", NOTIFIED_PARTIES),
            ("records.about", NOTIFICATION_SUBJECTS),
        ];
        for (prefix, list) in words {
            for word in list {
                for lang in Lang::ALL {
                    let key = format!("{prefix}.{word}");
                    assert!(lang.lookup(&key).is_some(), "{key} ({lang:?})");
                }
            }
        }
    }
}
