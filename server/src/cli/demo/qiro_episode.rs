//! Qiro's absence: late at roll call, absent at the port, missing and reported, the likely
//! destination country notified; located at Piraeus two days later, returned, checked,
//! interviewed within 72 hours and reassessed.

use casesync_contract::case::CaseLog;

use super::casework::{cross_border, risk};
use super::cast::Cast;
use super::entry::Entry;
use super::records;
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
    let (mytilene, report) = ("Hellenic Police, Mytilene", at + 180 * MINUTE);
    let reference = Some("HP-MYT-2026-1187");
    records::police(
        story,
        nikos,
        EPISODE,
        "police_report",
        report,
        reference,
        mytilene,
    )?;
    story.steps_done(
        nikos,
        MISSING,
        &[
            ("record_police_reference", at + 185 * MINUTE, ""),
            ("hand_over_missing_pack", at + 200 * MINUTE, ""),
        ],
    )?;
    for (party, minutes) in TOLD {
        records::notify(
            story,
            nikos,
            EPISODE,
            party,
            "missing",
            at + minutes * MINUTE,
        )?;
    }
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
    let sis = Some("SIS-GR-2026-88412");
    let coordinator = &cast.coordinator;
    records::police(
        story,
        coordinator,
        EPISODE,
        "sis_alert",
        at + 22 * HOUR,
        sis,
        mytilene,
    )?;
    let public = "No public alert: no sign of abduction, and publication would add risk.";
    story.steps_done(
        coordinator,
        MISSING,
        &[
            ("cross_border_notification", notified + HOUR, NOTIFIED),
            ("public_alert_decision", at + 22 * HOUR, public),
        ],
    )
}

/// Told that Qiro is missing, and told again when he is back: (party, to), minutes after
/// he was first late.
const TOLD: [((&str, &str), i64); 3] = [
    (("guardian", "Mr. Dimitris Pappas, appointed guardian"), 205),
    (
        ("social_worker", "EKKA social worker on duty, Mytilene"),
        210,
    ),
    (
        ("destination_country", "Service des Tutelles, Brussels"),
        20 * 60,
    ),
];

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
    records::wellbeing(story, nikos, EPISODE, back + HOUR, nurse)?;
    let interview = back + DAY;
    story.observe(maria, Entry::at(interview, INTERVIEW), "note")?;
    let interviewer = "Ms. Eleni Kosta, ARSIS (independent of the shelter)";
    let outcome = "Says a man in Athens holds his debt to the smugglers; wants to reach his uncle.";
    records::return_interview(story, maria, EPISODE, interview, interviewer, outcome)?;
    let grounds = "Debt bondage to smugglers, controlled through his phone (return interview).";
    let nrm = "National Referral Mechanism, EKKA, Athens";
    records::nrm_referral(story, maria, interview + 2 * HOUR, nrm, grounds)?;
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
        &[("new_risk_assessment", interview + HOUR, "")],
    )?;
    let coordinator = &cast.coordinator;
    story.steps_done(
        coordinator,
        FOUND,
        &[("escalation_review", back + 2 * HOUR, ESCALATED)],
    )?;
    for (party, _) in TOLD {
        records::notify(story, coordinator, EPISODE, party, "found", back + 3 * HOUR)?;
    }
    let meeting = interview + 2 * DAY;
    records::strategy_meeting(
        story,
        coordinator,
        EPISODE,
        meeting,
        &[
            "Coordinator, Lesvos Shelter",
            "Maria, caseworker",
            "Hellenic Police, Mytilene",
            "Mr. Dimitris Pappas, guardian",
        ],
        &[
            "Daily check-ins with his key worker",
            "Ask for family tracing with his uncle",
        ],
        &[
            (
                "Request family tracing (Red Cross)",
                maria,
                meeting + DAY,
                Some(meeting + HOUR),
            ),
            (
                "Review his phone contacts with him and the police",
                nikos,
                meeting + 3 * DAY,
                None,
            ),
        ],
    )
}
