use std::collections::BTreeMap;

use super::*;
use crate::case::{
    AttachmentRef, Episode, EpisodeEvent, Millis, Observation, Str, Whole, CASE_KIND,
    SCHEMA_VERSION,
};

const DAY: i64 = 24 * 60 * 60 * 1000;
/// 2026-11-28 08:00 UTC.
const NOW: i64 = 1_795_852_800_000;
const PHOTO: &str = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";
const CARD: &str = "bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22";

fn case(profile: &[(&str, &str)]) -> CaseDocument {
    CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        case_id: Str::from("case-1"),
        organisation: Str::from("org"),
        site: Str::from("site"),
        jurisdiction: None,
        created_at: Millis(NOW - 30 * DAY),
        profile: profile
            .iter()
            .map(|(k, v)| (k.to_string(), Str::from(*v)))
            .collect(),
        observations: vec![],
        episodes: vec![],
        risk_assessments: vec![],
        checklists: vec![],
        legal_bases: vec![],
        referrals: vec![],
        attachments: vec![],
        strategy_meetings: vec![],
        wellbeing_checks: vec![],
        return_interviews: vec![],
        nrm_referrals: vec![],
        police_instruments: vec![],
        notifications: vec![],
    }
}

fn attachment(sha: &str, captured_at: i64, caption: &str) -> AttachmentRef {
    AttachmentRef {
        sha256: Str::from(sha),
        size: Whole(1000),
        media_type: Str::from("image/jpeg"),
        captured_at: Millis(captured_at),
        author: Str::from("u"),
        device: Str::from("d"),
        sensitivity: None,
        caption: Some(Str::from(caption)),
    }
}

fn event(id: &str, state: &str, at: i64, details: &[(&str, &str)]) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str::from("u"),
        device: Str::from("d"),
        note: None,
        supersedes: None,
        details: (!details.is_empty()).then(|| {
            details
                .iter()
                .map(|(k, v)| (k.to_string(), Str::from(*v)))
                .collect::<BTreeMap<_, _>>()
        }),
        provenance: None,
    }
}

fn observation(id: &str, kind: &str, at: i64, place: &str, text: &str) -> Observation {
    Observation {
        id: Str::from(id),
        kind: Str::from(kind),
        text: Str::from(text),
        observed_at: Millis(at),
        place: Some(Str::from(place)),
        author: Str::from("u"),
        device: Str::from("d"),
        attachments: None,
        provenance: None,
    }
}

/// A child with part 1 kept current, who went missing two hours ago.
fn abena() -> CaseDocument {
    let mut c = case(&[
        ("given_name", "Abena"),
        ("family_name", "Tesfay"),
        ("sex", "female"),
        ("estimated_age", "15"),
        ("nationality", "Eritrean"),
        ("languages", "Tigrinya"),
        ("physical_description", "slim, 1.55 m, short black hair"),
        ("marks", "small scar above the left eyebrow"),
        ("photo", PHOTO),
        ("guardian", "Avv. Lucia Ferri, +39 000 000 0000"),
        ("family_and_associates", "aunt in Malmö, Sweden"),
        ("intended_destination", "Sweden"),
        ("phone_numbers", "+39 000 111 2222"),
    ]);
    c.attachments = vec![
        attachment(PHOTO, NOW - 20 * DAY, "dated photo"),
        attachment(CARD, NOW - 19 * DAY, "Asylum applicant card (copy)"),
    ];
    c.observations = vec![
        observation("o1", "note", NOW - 10 * DAY, "centre", "settled in"),
        observation(
            "o2",
            "sighting",
            NOW - DAY / 24,
            "Calais",
            "seen near the port",
        ),
    ];
    c.episodes = vec![Episode {
        id: Str::from("ep1"),
        opened_at: Millis(NOW - 3 * DAY / 24),
        events: vec![
            event(
                "e1",
                "absent",
                NOW - 3 * DAY / 24,
                &[
                    ("last_seen_place", "the harbour"),
                    ("last_seen_with", "two older girls"),
                    ("clothing", "grey jacket"),
                ],
            ),
            event(
                "e2",
                "missing",
                NOW - 2 * DAY / 24,
                &[("clothing", "blue hooded jacket, black jeans")],
            ),
            event(
                "e3",
                "missing",
                NOW - DAY / 24,
                &[("police_reference", "AG-77"), ("police_risk_grade", "high")],
            ),
        ],
    }];
    c
}

#[test]
fn a_complete_pack_lists_every_item_present() {
    let pack = missing_pack(&abena(), "C-0001-0002", NOW);
    assert_eq!(pack.status, ChildStatus::Missing);
    assert_eq!(pack.name, "Abena Tesfay");
    assert_eq!(pack.items.len(), PackItemKind::ALL.len());
    assert!(
        pack.missing_required.is_empty(),
        "{:?}",
        pack.missing_required
    );
    assert!(pack.stale.is_empty());
    assert!(pack.items.iter().all(|i| i.required));
    let value = |k: PackItemKind| pack.item(k).unwrap().value.clone().unwrap();
    // The newest away event that says what the child wore wins.
    assert_eq!(
        value(PackItemKind::Clothing),
        "blue hooded jacket, black jeans"
    );
    assert_eq!(
        value(PackItemKind::LastSeen),
        "the harbour, 2026-11-28 05:00 UTC, with two older girls"
    );
    assert_eq!(
        value(PackItemKind::PoliceReport),
        "reference AG-77; risk grade high"
    );
    assert!(value(PackItemKind::IdentityDocument).starts_with("Asylum applicant card"));
    assert!(value(PackItemKind::PossiblePlaces).contains("intended destination: Sweden"));
    assert!(value(PackItemKind::PossiblePlaces).contains("sighting 2026-11-28 07:00 UTC, Calais"));
    assert!(!value(PackItemKind::PossiblePlaces).contains("settled in"));
    assert_eq!(value(PackItemKind::Photo), "taken 2026-11-08");
    assert_eq!(pack.photo.as_ref().unwrap().sha256, PHOTO);
    assert_eq!(pack.missing_since, Some(NOW - 2 * DAY / 24));
    assert_eq!(
        value(PackItemKind::Identity),
        "Abena Tesfay; female; about 15 years old; Eritrean; speaks Tigrinya"
    );
}

#[test]
fn the_printed_pack_speaks_its_readers_language() {
    let pack = missing_pack_in(&abena(), "C-0001-0002", NOW, crate::i18n::Language::It);
    let value = |k: PackItemKind| pack.item(k).unwrap().value.clone().unwrap();
    assert_eq!(
        value(PackItemKind::Identity),
        "Abena Tesfay; female; circa 15 anni; Eritrean; parla Tigrinya"
    );
    assert_eq!(
        value(PackItemKind::LastSeen),
        "the harbour, 2026-11-28 05:00 UTC, con two older girls"
    );
    assert_eq!(
        value(PackItemKind::PoliceReport),
        "riferimento AG-77; grado di rischio high"
    );
    assert!(value(PackItemKind::PossiblePlaces).contains("avvistamento 2026-11-28 07:00 UTC"));
}

#[test]
fn a_photo_older_than_six_months_is_stale() {
    let mut c = abena();
    c.attachments[0].captured_at = Millis(NOW - 200 * DAY);
    let pack = missing_pack(&c, "C-1", NOW);
    let photo = pack.item(PackItemKind::Photo).unwrap();
    assert_eq!(photo.status, ItemStatus::Stale);
    assert_eq!(pack.stale, vec!["photo".to_string()]);
    // Stale is not missing: the photo still goes in the pack, flagged.
    assert!(pack.missing_required.is_empty());
    // At 180 days it is still current.
    c.attachments[0].captured_at = Millis(NOW - 180 * DAY);
    assert!(missing_pack(&c, "C-1", NOW).stale.is_empty());
}

#[test]
fn an_undated_photo_counts_as_stale() {
    let mut c = abena();
    c.attachments.remove(0);
    let pack = missing_pack(&c, "C-1", NOW);
    let photo = pack.item(PackItemKind::Photo).unwrap();
    assert_eq!(photo.status, ItemStatus::Stale);
    assert_eq!(photo.value.as_deref(), Some("date unknown"));
}

#[test]
fn what_is_not_recorded_is_listed_as_missing() {
    let mut c = abena();
    for field in [
        "photo",
        "guardian",
        "phone_numbers",
        "physical_description",
        "marks",
    ] {
        c.profile.remove(field);
    }
    c.attachments.clear();
    c.episodes[0].events.pop(); // no police reference yet
    let pack = missing_pack(&c, "C-1", NOW);
    assert_eq!(
        pack.missing_required,
        vec![
            "photo",
            "identity_document",
            "guardian",
            "physical_description",
            "phone_and_social_media",
            "police_report"
        ]
    );
    assert!(pack.photo.is_none());
}

#[test]
fn a_social_worker_does_not_stand_in_for_a_guardian() {
    let mut c = abena();
    c.profile.remove("guardian");
    c.profile
        .insert("social_worker".into(), Str::from("M. Rossi"));
    let pack = missing_pack(&c, "C-1", NOW);
    let guardian = pack.item(PackItemKind::Guardian).unwrap();
    assert_eq!(guardian.status, ItemStatus::Missing);
    assert_eq!(guardian.value.as_deref(), Some("social worker: M. Rossi"));
}

#[test]
fn part_two_is_required_only_while_the_child_is_away() {
    let mut c = abena();
    c.episodes.clear();
    let pack = missing_pack(&c, "C-1", NOW);
    assert_eq!(pack.status, ChildStatus::Present);
    for kind in [
        PackItemKind::Clothing,
        PackItemKind::LastSeen,
        PackItemKind::PoliceReport,
    ] {
        let item = pack.item(kind).unwrap();
        assert!(!item.required, "{kind:?}");
        assert_eq!(item.status, ItemStatus::Missing);
    }
    assert!(pack.missing_required.is_empty());

    // Absent: clothes and last seen are needed, the police report not yet.
    let mut c = abena();
    c.episodes[0].events.truncate(1);
    c.episodes[0].events[0].details = None;
    let pack = missing_pack(&c, "C-1", NOW);
    assert_eq!(pack.status, ChildStatus::Absent);
    assert_eq!(pack.missing_required, vec!["clothing", "last_seen"]);
}

#[test]
fn a_found_child_keeps_the_facts_of_the_last_episode() {
    let mut c = abena();
    c.episodes[0]
        .events
        .push(event("e4", "located", NOW, &[("found_place", "Calais")]));
    let pack = missing_pack(&c, "C-1", NOW);
    assert_eq!(pack.status, ChildStatus::Located);
    assert_eq!(pack.missing_since, None, "found: no longer missing");
    let clothing = pack.item(PackItemKind::Clothing).unwrap();
    assert!(!clothing.required);
    assert_eq!(clothing.status, ItemStatus::Present);
}

#[test]
fn an_identity_document_is_found_by_its_sensitivity_tag() {
    let mut c = abena();
    c.attachments[1].caption = None;
    assert!(identity_value(&c).is_none());
    c.attachments[1].sensitivity = Some(Str::from(IDENTITY_DOCUMENT_SENSITIVITY));
    assert_eq!(
        identity_value(&c).as_deref(),
        Some("identity document, copied 2026-11-09 (image/jpeg)")
    );
    c.attachments[1].sensitivity = None;
    assert!(identity_value(&c).is_none());
}

fn identity_value(c: &CaseDocument) -> Option<String> {
    missing_pack(c, "C-1", NOW)
        .item(PackItemKind::IdentityDocument)
        .unwrap()
        .value
        .clone()
}

#[test]
fn the_alert_carries_only_the_minimal_fields() {
    let alert = alert_pack(&abena(), "C-0001-0002");
    assert_eq!(alert.name, "Abena Tesfay");
    assert_eq!(alert.reference, "C-0001-0002");
    assert_eq!(alert.photo.as_deref(), Some(PHOTO));
    assert_eq!(
        alert.description.as_deref(),
        Some("slim, 1.55 m, short black hair; marks: small scar above the left eyebrow")
    );
    assert_eq!(
        alert.clothing.as_deref(),
        Some("blue hooded jacket, black jeans")
    );
    assert_eq!(alert.last_seen_place.as_deref(), Some("the harbour"));
    assert_eq!(alert.last_seen_at, Some(NOW - 3 * DAY / 24));
    assert_eq!(
        alert.contact.as_deref(),
        Some("Avv. Lucia Ferri, +39 000 000 0000")
    );
    // Nothing of the case beyond the pack's fields: no family, phones or destination.
    let json = serde_json::to_string(&alert).unwrap();
    for private in ["Malmö", "+39 000 111 2222", "Eritrean", "AG-77"] {
        assert!(!json.contains(private), "{private} leaked into {json}");
    }
}

#[test]
fn an_unnamed_child_is_called_by_the_reference() {
    let c = case(&[]);
    assert_eq!(missing_pack(&c, "C-9", NOW).name, "C-9");
    assert_eq!(alert_pack(&c, "C-9").name, "C-9");
}

#[test]
fn dates_print_in_utc() {
    assert_eq!(utc_minute(NOW), "2026-11-28 08:00 UTC");
    assert_eq!(utc_date(0), "1970-01-01");
    assert_eq!(
        utc_minute(951_782_400_000 + 59 * 60_000),
        "2000-02-29 00:59 UTC"
    );
}

#[test]
fn an_age_with_a_remark_is_printed_as_written() {
    let mut c = abena();
    c.profile
        .insert("estimated_age".into(), Str::from("17 (assessment pending)"));
    let pack = missing_pack(&c, "C-1", NOW);
    let identity = pack.item(PackItemKind::Identity).unwrap().value.clone();
    assert!(identity
        .unwrap()
        .contains("; estimated age 17 (assessment pending);"));
}
