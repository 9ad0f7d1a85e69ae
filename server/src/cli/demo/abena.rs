//! Abena, 15, from Eritrea, fleeing a marriage arranged by her uncle: arrives in Lampedusa
//! (Italy), wants to reach her aunt in Sweden; missing since the night before last, seen
//! yesterday in Calais (France) by an outreach worker of a partner organisation. Fictional,
//! after the handbook's simulation (DOMAIN.md "Test scenarios").

use casesync_contract::case::{AttachmentRef, CaseLog};
use casesync_contract::views::missing_pack::utc_date;
use casesync_contract::wire::{AssignCase, ShareCase};

use super::casework::{assign, confirm, legal_basis, risk};
use super::cast::{Cast, PARTNER};
use super::entry::Entry;
use super::episodes::INTAKE;
use super::partner::contribute;
use super::records;
use super::story::Story;
use super::{DemoError, DAY, HOUR, MINUTE};
use crate::domain::access::{assignments, shares};
use crate::state::AppState;

const EPISODE: &str = "ep-abena-1";
const ARRIVAL: &str = "Arrived by boat with about 40 people. Says she left Eritrea to escape \
                       a marriage her uncle arranged, and that the smugglers are still owed money.";
const RISK: &str =
    "Wants to join her aunt in Sweden; the smugglers' debt is unpaid. Review weekly.";
const FAMILY: &str = "aunt Selam Tesfay in Malmö, Sweden (+46 000 000 0202); a cousin in Paris, \
                      number unknown; mother in Asmara, no contact";
const MAN_AT_BUS_STOP: &str = "Talking with an adult man near the bus stop; he drove off when I \
                               came over. She says he is 'a friend from the boat'.";
const SIGHTING: &str = "A girl matching the photo, blue hooded jacket, with a group of young \
                        Eritreans. Said she is going to Lille to take a train north. Did not \
                        want to talk; I gave her the 116 000 number.";

pub fn write<'s>(
    state: &'s AppState,
    cast: &Cast,
    photo: AttachmentRef,
    now: i64,
) -> Result<Story<'s>, DemoError> {
    let (giulia, marco, elena) = (
        &cast.lampedusa_day,
        &cast.lampedusa_night,
        &cast.lampedusa_caseworker,
    );
    let arrived = now - 21 * DAY;
    let arrival_date = utc_date(arrived);
    let story = Story::open(
        state,
        giulia,
        &[
            ("given_name", "Abena"),
            ("family_name", "Tesfay"),
            ("sex", "female"),
            ("estimated_age", "15"),
            ("nationality", "Eritrean"),
            ("languages", "Tigrinya, some English"),
            (
                "physical_description",
                "slim, about 1.55 m, short black braided hair",
            ),
            ("intended_destination", "Sweden: her aunt in Malmö"),
            ("asylum_status", "claim not yet lodged"),
            ("arrived_at", &arrival_date),
        ],
        arrived,
        arrived + MINUTE,
    )?;
    story.dated_photo(giulia, arrived + 10 * MINUTE, &photo)?;
    let hotspot = Entry::at(arrived + 2 * HOUR, ARRIVAL).place("Lampedusa hotspot");
    story.observe(giulia, hotspot, "note")?;
    let done = arrived + 3 * HOUR;
    story.steps_done(
        giulia,
        INTAKE,
        &[
            ("register_identify_photo", done, ""),
            (
                "request_guardian",
                done,
                "Requested from the juvenile court",
            ),
            ("missing_pack_part1", done, ""),
        ],
    )?;

    assign(state, &cast.coordinator, &story, elena)?;
    assign(state, &cast.coordinator, &story, &cast.lampedusa_outreach)?;
    let assessed = arrived + DAY;
    let basis = legal_basis(
        elena,
        assessed,
        "child protection casework",
        "public_task",
        "Juvenile court of Palermo",
    );
    story.append(elena, assessed + MINUTE, CaseLog::LegalBases, &basis)?;
    let answers = [
        ("wants_to_reach_family_abroad", true),
        ("arrived_via_smugglers", true),
        ("distrusts_institutions", true),
        ("calls_from_unknown_adults", false),
        ("previous_episodes", false),
    ];
    let assessment = risk(elena, assessed, &answers, "high", RISK, assessed + 7 * DAY);
    story.append(
        elena,
        assessed + MINUTE,
        CaseLog::RiskAssessments,
        &assessment,
    )?;
    // Elena set the level above the advisory one: her coordinator confirms it.
    let confirmed = confirm(&cast.coordinator, assessed + 2 * HOUR, &assessment);
    story.append(
        &cast.coordinator,
        assessed + 2 * HOUR,
        CaseLog::RiskAssessments,
        &confirmed,
    )?;
    let done = assessed + HOUR;
    story.steps_done(
        elena,
        INTAKE,
        &[
            (
                "inform_rights_and_risks",
                done,
                "In Tigrinya, with an interpreter",
            ),
            ("first_risk_assessment", done, ""),
            ("map_family_and_plans", done, ""),
        ],
    )?;
    story.set_profile(
        giulia,
        arrived + 2 * DAY,
        &[
            (
                "guardian",
                "Avv. Lucia Ferri, volunteer guardian, +39 000 000 0101",
            ),
            ("family_and_associates", FAMILY),
        ],
    )?;
    // Two phones record her new number while one of them is offline: a conflict.
    let edited = now - 15 * DAY;
    story.conflicting_profile(
        "phone_numbers",
        [
            (marco, edited + HOUR, "+39 351 000 0001"),
            (giulia, edited + 6 * HOUR, "+39 351 000 0002 (new SIM)"),
        ],
    )?;
    let bus_stop = Entry::at(now - 12 * DAY, MAN_AT_BUS_STOP)
        .place("Lampedusa, Via Roma")
        .synced(now - 12 * DAY + 5 * HOUR);
    story.observe(&cast.lampedusa_outreach, bus_stop, "indicator")?;
    let marks = [("marks", "small scar above the left eyebrow")];
    story.set_profile(elena, now - 10 * DAY, &marks)?;

    roll_call(&story, cast, now - 2 * DAY)?;
    search_in_calais(state, &story, cast, now)?;
    Ok(story)
}

/// Not at the evening roll call: absent (seen at the harbour), then missing, then reported.
fn roll_call(story: &Story<'_>, cast: &Cast, at: i64) -> Result<(), DemoError> {
    let marco = &cast.lampedusa_night;
    let noticed = Entry::at(
        at,
        "Not at the evening roll call; two girls say she stayed at the harbour.",
    );
    let seen = [
        (
            "last_seen_place",
            "Lampedusa harbour, by the ferry ticket office",
        ),
        ("last_seen_with", "two older girls from the centre"),
        (
            "clothing",
            "blue hooded jacket, black jeans, white trainers, green backpack",
        ),
    ];
    story.episode_event(marco, EPISODE, "absent", noticed, &seen)?;
    let searched = "Premises searched, her phone is switched off, the girls called her friends.";
    story.steps_done(
        marco,
        ("absence", EPISODE),
        &[("search_and_call", at + 40 * MINUTE, searched)],
    )?;
    let gone = Entry::at(
        at + 150 * MINUTE,
        "Not at the harbour, phone still off: missing.",
    );
    story.episode_event(marco, EPISODE, "missing", gone, &[])?;
    story.steps_done(
        marco,
        ("absence", EPISODE),
        &[("decide_absent_or_missing", at + 150 * MINUTE, "")],
    )?;
    let reported = Entry::at(
        at + 170 * MINUTE,
        "Reported to the Carabinieri, Lampedusa station.",
    );
    let police = [
        ("police_reference", "CC-LMP-2026-0412"),
        ("police_risk_grade", "high"),
    ];
    story.episode_event(marco, EPISODE, "missing", reported, &police)?;
    // The records carry out their steps: nobody ticks "report to police" or "inform the
    // guardian" by hand.
    let carabinieri = "Carabinieri, Lampedusa station";
    let (report, reference) = (at + 165 * MINUTE, Some("CC-LMP-2026-0412"));
    records::police(
        story,
        marco,
        EPISODE,
        "police_report",
        report,
        reference,
        carabinieri,
    )?;
    story.steps_done(
        marco,
        ("missing_first_hours", EPISODE),
        &[
            ("record_police_reference", at + 170 * MINUTE, ""),
            (
                "hand_over_missing_pack",
                at + 180 * MINUTE,
                "Pack printed and handed over",
            ),
        ],
    )?;
    for (party, minutes) in [
        (("guardian", "Avv. Lucia Ferri, volunteer guardian"), 185),
        (
            ("social_worker", "Servizi sociali, Comune di Lampedusa"),
            190,
        ),
        (("hotline_116000", "116 000 Italia (Telefono Azzurro)"), 195),
    ] {
        records::notify(
            story,
            marco,
            EPISODE,
            party,
            "missing",
            at + minutes * MINUTE,
        )?;
    }
    // Requested through the Carabinieri; the reference is still to come.
    let sis_at = at + 14 * HOUR;
    records::police(
        story,
        &cast.coordinator,
        EPISODE,
        "sis_alert",
        sis_at,
        None,
        carabinieri,
    )
}

/// The partner's street team searches Calais: the case is shared with them on vital
/// interests for identity, description, photos and location only. Their coordinator holds
/// the share's view (never the case) and assigns it to their outreach worker, who reports a
/// sighting from a phone that was offline all afternoon; the server admits it into the case
/// as the partner's entry.
fn search_in_calais(
    state: &AppState,
    story: &Story<'_>,
    cast: &Cast,
    now: i64,
) -> Result<(), DemoError> {
    let categories = ["identity", "physical_description", "photos", "location"];
    let share = ShareCase {
        organisation: PARTNER.to_string(),
        legal_basis: "vital_interests".into(),
        purpose: "search for a missing child".into(),
        data_categories: categories.map(String::from).to_vec(),
        cross_border: true,
        rests_on: None,
    };
    let made = shares::share(
        state,
        &cast.coordinator.device,
        &story.id.to_string(),
        share,
    )?;
    let view = made
        .view_id
        .ok_or_else(|| DemoError::Failed("the share has no view".into()))?;
    assignments::assign(
        state,
        &cast.partner_coordinator.device,
        &view.to_string(),
        AssignCase {
            user: cast.partner_outreach.device.user_id.clone(),
        },
    )?;
    let sighting = Entry::at(now - 16 * HOUR, SIGHTING)
        .place("Calais, food distribution near the station")
        .synced(now - 10 * HOUR);
    contribute(state, &cast.partner_outreach, &view, sighting, "sighting")
}
