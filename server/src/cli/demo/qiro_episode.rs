//! Qiro's absence: late at roll call, absent at the port, missing and reported, the likely
//! destination country notified; located at Piraeus two days later, returned, checked,
//! interviewed within 72 hours and reassessed.

use casesync_contract::case::CaseLog;

use super::casework::{cross_border, risk};
use super::cast::Cast;
use super::entry::Entry;
use super::story::Story;
use super::{DemoError, DAY, HOUR, MINUTE};

const EPISODE: &str = "ep-qiro-1";
const MISSING: (&str, &str) = ("missing_first_hours", EPISODE);
const FOUND: (&str, &str) = ("found_or_returned", EPISODE);

const NOTIFIED: &str = "Belgium notified as the likely destination, on vital interests: \
                        identity, description, photo, episode.";
const INTERVIEW: &str = "Return interview, held by an independent interviewer in Kurmanji: a \
                         man at the port offered passage to Brussels for 2,000 euros, paid by \
                         'work' later. Qiro still wants to reach his brother; agreed to meet the \
                         family reunification lawyer.";
const REASSESSED: &str = "Offered passage on credit: exploitation risk. Daily check-ins; \
                          lawyer appointment this week.";
const ESCALATED: &str = "Missing over 24 h and exploitation risk: strategy discussion with the \
                         guardian on Monday.";

pub fn disappearance(story: &Story<'_>, cast: &Cast, at: i64) -> Result<(), DemoError> {
    let (nikos, eleni) = (&cast.lesvos_day, &cast.lesvos_night);
    let late = Entry::at(at, "Not back for the evening roll call.");
    story.episode_event(eleni, EPISODE, "late", late, &[])?;
    let seen = Entry::at(
        at + HOUR,
        "A resident saw him at the ferry terminal with an adult.",
    );
    let details = [
        ("last_seen_place", "Mytilene port, ferry terminal"),
        (
            "last_seen_with",
            "an adult man, about 30, speaking Kurmanji",
        ),
        (
            "clothing",
            "black puffer jacket, grey tracksuit trousers, red cap",
        ),
    ];
    story.episode_event(eleni, EPISODE, "absent", seen, &details)?;
    story.steps_done(
        eleni,
        ("absence", EPISODE),
        &[
            (
                "search_and_call",
                at + 30 * MINUTE,
                "Searched; his phone rings unanswered.",
            ),
            (
                "decide_absent_or_missing",
                at + HOUR,
                "Seen at the port: absent, hourly checks.",
            ),
        ],
    )?;
    let reported = Entry::at(
        at + 3 * HOUR,
        "Not at the port, phone off. Reported to police.",
    );
    let police = [
        ("police_reference", "HP-MYT-2026-1187"),
        ("police_risk_grade", "medium"),
    ];
    story.episode_event(nikos, EPISODE, "missing", reported, &police)?;
    story.steps_done(
        nikos,
        MISSING,
        &[
            (
                "report_police",
                at + 180 * MINUTE,
                "Hellenic Police, Mytilene",
            ),
            ("record_police_reference", at + 185 * MINUTE, ""),
            ("hand_over_missing_pack", at + 200 * MINUTE, ""),
            ("inform_guardian_social_worker", at + 210 * MINUTE, ""),
        ],
    )?;
    let maria = &cast.lesvos_caseworker;
    let notified = at + 20 * HOUR;
    let referral = cross_border(
        maria,
        notified,
        "Service des Tutelles (Belgian guardianship service), Brussels",
        "vital_interests",
        &["identity", "physical_description", "photos", "episodes"],
    );
    story.append(maria, notified + MINUTE, CaseLog::Referrals, &referral)?;
    let sis = "SIS Art. 32 alert entered by the Hellenic Police: SIS-GR-2026-88412.";
    let public = "No public alert: no sign of abduction, and publication would add risk.";
    story.steps_done(
        &cast.coordinator,
        MISSING,
        &[
            ("cross_border_notification", notified + HOUR, NOTIFIED),
            ("record_sis_interpol", at + 22 * HOUR, sis),
            ("public_alert_decision", at + 22 * HOUR, public),
        ],
    )
}

pub fn return_home(story: &Story<'_>, cast: &Cast, at: i64) -> Result<(), DemoError> {
    let (nikos, maria) = (&cast.lesvos_day, &cast.lesvos_caseworker);
    let stopped = Entry::at(at, "Stopped boarding a ferry to Ancona with false papers.");
    let found = [
        ("found_place", "Piraeus port, Athens"),
        ("found_by", "Hellenic Coast Guard"),
        ("condition", "tired and hungry, unhurt"),
    ];
    story.episode_event(nikos, EPISODE, "located", stopped, &found)?;
    let back = at + DAY;
    let escorted = Entry::at(back, "Back at Lesvos Shelter, escorted by a social worker.");
    story.episode_event(nikos, EPISODE, "returned", escorted, &[])?;
    let nurse = "Seen by the nurse: no injuries, ate, slept.";
    story.steps_done(nikos, FOUND, &[("safe_and_well_check", back + HOUR, nurse)])?;
    let interview = back + DAY;
    story.observe(maria, Entry::at(interview, INTERVIEW), "note")?;
    let answers = [
        ("wants_to_reach_family_abroad", true),
        ("controlled_or_intimidated", true),
        ("unexplained_money_or_phone", true),
        ("previous_episodes", true),
    ];
    let reassessment = risk(
        maria,
        interview,
        &answers,
        "high",
        REASSESSED,
        interview + 7 * DAY,
    );
    story.append(
        maria,
        interview + HOUR,
        CaseLog::RiskAssessments,
        &reassessment,
    )?;
    story.steps_done(
        maria,
        FOUND,
        &[
            (
                "return_interview",
                interview,
                "Held within 72 hours; see the note.",
            ),
            ("new_risk_assessment", interview + HOUR, ""),
        ],
    )?;
    let told = "Belgian guardianship service and police told he is found; SIS alert withdrawn.";
    story.steps_done(
        &cast.coordinator,
        FOUND,
        &[
            ("escalation_review", back + 2 * HOUR, ESCALATED),
            ("tell_notified_parties", back + 3 * HOUR, told),
        ],
    )
}
