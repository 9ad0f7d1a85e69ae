//! Qiro, 16, an Iraqi Kurdish boy at Lesvos Shelter (Greece) for eight months, who wants to
//! reach his brother in the United Kingdom through Belgium. His photo is older than six
//! months, so his missing pack asks for a new one. His absence, the notification of the
//! likely destination country and his return are in `qiro_episode`. Fictional, after the
//! handbook's simulation (DOMAIN.md "Test scenarios").

use casesync_contract::case::{AttachmentRef, CaseLog};
use casesync_contract::views::missing_pack::utc_date;

use super::casework::{assign, legal_basis, risk};
use super::cast::Cast;
use super::entry::Entry;
use super::episodes::INTAKE;
use super::photo::recorded_only;
use super::story::Story;
use super::{qiro_episode, DemoError, DAY, HOUR, MINUTE};
use crate::state::AppState;

const DESTINATION: &str =
    "United Kingdom: his older brother in Birmingham; says the way is through Belgium";
const FAMILY: &str = "brother Karwan Hassan in Birmingham, UK (+44 0000 000404); mother and \
                      two sisters in Duhok, Iraq";
const RISK: &str = "Wants to join his brother in the UK; patient so far, but the family \
                    reunification procedure is slow.";
const AT_THE_PORT: &str =
    "Asking at the port about ferry tickets to Piraeus; an older man paid for his coffee.";

/// `photo` was taken on the day he arrived.
pub fn write<'s>(
    state: &'s AppState,
    cast: &Cast,
    photo: AttachmentRef,
    now: i64,
) -> Result<Story<'s>, DemoError> {
    let (nikos, maria) = (&cast.lesvos_day, &cast.lesvos_caseworker);
    let arrived = photo.captured_at.0;
    let arrival_date = utc_date(arrived);
    let story = Story::open(
        state,
        nikos,
        &[
            ("given_name", "Qiro"),
            ("family_name", "Hassan"),
            ("sex", "male"),
            ("estimated_age", "16"),
            ("nationality", "Iraqi (Kurdish)"),
            ("languages", "Kurmanji, Sorani, some Arabic"),
            (
                "physical_description",
                "about 1.70 m, thin, short dark curly hair",
            ),
            ("marks", "burn scar on the back of the right hand"),
            ("intended_destination", DESTINATION),
            (
                "guardian",
                "Eleni Stavrou, appointed guardian, +30 000 000 0303",
            ),
            ("family_and_associates", FAMILY),
            ("phone_numbers", "+30 690 000 0005"),
            (
                "social_media",
                "Instagram and TikTok under a nickname his friends know",
            ),
            ("asylum_status", "asylum seeker card issued"),
            ("arrived_at", &arrival_date),
        ],
        arrived,
        arrived + MINUTE,
    )?;
    story.dated_photo(nikos, arrived + 10 * MINUTE, &photo)?;
    // The card was scanned on the phone; the scan goes up when the phone has a good link.
    let card = recorded_only(
        nikos,
        b"demo: Qiro's asylum seeker card, scanned",
        "image/jpeg",
        arrived + 10 * DAY,
        "Asylum seeker card (copy)",
        "identity_document",
    );
    story.append(
        nikos,
        arrived + 10 * DAY + HOUR,
        CaseLog::Attachments,
        &card,
    )?;
    let done = arrived + 4 * HOUR;
    story.steps_done(
        nikos,
        INTAKE,
        &[
            ("register_identify_photo", done, ""),
            ("request_guardian", done, ""),
            ("missing_pack_part1", done, ""),
        ],
    )?;

    assign(state, &cast.coordinator, &story, maria)?;
    assign(state, &cast.coordinator, &story, &cast.lesvos_outreach)?;
    let assessed = arrived + 2 * DAY;
    let basis = legal_basis(
        maria,
        assessed,
        "guardianship and care",
        "legal_obligation",
        "Special Secretariat for the Protection of Unaccompanied Minors (Greece)",
    );
    story.append(maria, assessed + MINUTE, CaseLog::LegalBases, &basis)?;
    let answers = [
        ("wants_to_reach_family_abroad", true),
        ("discouraged_by_procedures", true),
        ("arrived_via_smugglers", true),
        ("unexplained_money_or_phone", false),
        ("previous_episodes", false),
    ];
    let assessment = risk(
        maria,
        assessed,
        &answers,
        "medium",
        RISK,
        assessed + 30 * DAY,
    );
    story.append(
        maria,
        assessed + MINUTE,
        CaseLog::RiskAssessments,
        &assessment,
    )?;
    let done = assessed + HOUR;
    story.steps_done(
        maria,
        INTAKE,
        &[
            (
                "inform_rights_and_risks",
                done,
                "In Kurmanji, with an interpreter",
            ),
            ("first_risk_assessment", done, ""),
            ("map_family_and_plans", done, ""),
        ],
    )?;

    let port = Entry::at(now - 60 * DAY, AT_THE_PORT)
        .place("Mytilene port")
        .synced(now - 60 * DAY + 7 * HOUR);
    story.observe(&cast.lesvos_outreach, port, "indicator")?;
    let money = "Has a new smartphone and cash; says a cousin sent money.";
    story.observe(nikos, Entry::at(now - 30 * DAY, money), "indicator")?;
    // Day and night desk disagree on his age while one tablet is offline: a conflict.
    let edited = now - 25 * DAY;
    story.conflicting_profile(
        "estimated_age",
        [
            (nikos, edited + HOUR, "16 (as he says)"),
            (
                &cast.lesvos_night,
                edited + 9 * HOUR,
                "17 (age assessment pending)",
            ),
        ],
    )?;

    qiro_episode::disappearance(&story, cast, now - 10 * DAY)?;
    qiro_episode::return_home(&story, cast, now - 8 * DAY)?;
    Ok(story)
}
