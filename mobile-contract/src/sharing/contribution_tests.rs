//! Contributions: what is refused, and the case entry each kind is admitted as.

use super::contribution::{
    check_contribution, contribution_entry, contribution_entry_id, ContributedEntry, Contribution,
    ContributionKind, CONTRIBUTION_KINDS,
};
use crate::case::validate::is_coarse_place;
use crate::case::{Millis, Provenance, Str};

pub(super) fn contribution(kind: &str, place: Option<&str>) -> Contribution {
    Contribution {
        id: Str::from("c-1"),
        kind: Str::from(kind),
        text: Str::from("seen near the bus station, tired"),
        observed_at: Millis(50_000),
        place: place.map(Str::from),
        author: Str::from("partner-user"),
        device: Str::from("partner-device"),
    }
}

fn provenance() -> Provenance {
    Provenance {
        organisation: Str::from("org-partner"),
        user: Str::from("partner-user"),
        device: Str::from("partner-device"),
        view: Str::from("view-7"),
        contribution: Str::from("c-1"),
    }
}

#[test]
fn the_kinds_are_one_list() {
    let kinds: Vec<&str> = ContributionKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, CONTRIBUTION_KINDS);
    for kind in ContributionKind::ALL {
        assert_eq!(ContributionKind::parse(kind.as_str()), Some(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
}

#[test]
fn a_sighting_becomes_a_sighting_observation() {
    let c = contribution("sighting", Some("bus station"));
    check_contribution(&c).unwrap();
    let ContributedEntry::Observation(obs) = contribution_entry(&c, provenance()) else {
        panic!("a sighting is an observation");
    };
    assert_eq!(obs.id.as_str(), "contrib-view-7-c-1");
    assert_eq!(obs.kind.as_str(), "sighting");
    assert_eq!(obs.text, c.text);
    assert_eq!(obs.observed_at, c.observed_at);
    assert_eq!(obs.place, c.place);
    assert_eq!(
        (obs.author.as_str(), obs.device.as_str()),
        ("partner-user", "partner-device")
    );
    assert_eq!(obs.attachments, None);
    assert_eq!(obs.provenance, Some(provenance()));
}

#[test]
fn a_note_becomes_a_note_observation() {
    let c = contribution("note", None);
    check_contribution(&c).unwrap();
    let entry = contribution_entry(&c, provenance());
    let ContributedEntry::Observation(obs) = &entry else {
        panic!("a note is an observation");
    };
    assert_eq!(obs.kind.as_str(), "note");
    assert_eq!(obs.place, None);
    assert_eq!(entry.id().as_str(), "contrib-view-7-c-1");
}

#[test]
fn a_located_report_becomes_a_located_event() {
    let c = contribution("located", Some("Ventimiglia"));
    check_contribution(&c).unwrap();
    let ContributedEntry::Located { event } = contribution_entry(&c, provenance()) else {
        panic!("located is an episode event");
    };
    assert_eq!(event.id.as_str(), "contrib-view-7-c-1");
    assert_eq!(event.state.as_str(), "located");
    assert_eq!(event.note, Some(c.text.clone()));
    assert_eq!(event.observed_at, c.observed_at);
    let place = event.details.as_ref().and_then(|d| d.get("found_place"));
    assert_eq!(place.map(Str::as_str), Some("Ventimiglia"));
    assert_eq!(event.details.as_ref().map(|d| d.len()), Some(1));
    assert_eq!(event.author.as_str(), "partner-user");
    assert_eq!(
        event.supersedes, None,
        "the server decides what it supersedes"
    );
    assert_eq!(event.provenance, Some(provenance()));
    let without_place = contribution_entry(&contribution("located", None), provenance());
    let ContributedEntry::Located { event } = without_place else {
        panic!("located is an episode event");
    };
    assert_eq!(event.details, None);
}

#[test]
fn admitting_twice_writes_the_same_entry() {
    let c = contribution("sighting", Some("bus station"));
    assert_eq!(
        contribution_entry(&c, provenance()),
        contribution_entry(&c, provenance())
    );
    assert_ne!(
        contribution_entry_id("view-7", "c-1"),
        contribution_entry_id("view-8", "c-1"),
        "the same contribution id in another view is another entry"
    );
}

#[test]
fn an_unknown_kind_is_never_an_episode_event() {
    let c = contribution("returned", None);
    assert!(check_contribution(&c).is_err());
    assert!(matches!(
        contribution_entry(&c, provenance()),
        ContributedEntry::Observation(ref o) if o.kind.as_str() == "note"
    ));
}

#[test]
fn refusals() {
    let refused = |change: fn(&mut Contribution)| {
        let mut c = contribution("sighting", Some("bus station"));
        change(&mut c);
        check_contribution(&c).expect_err("refused")
    };
    assert!(refused(|c| c.id = Str::from(" ")).contains("id"));
    assert!(refused(|c| c.kind = Str::from("concern")).contains("kind"));
    assert!(refused(|c| c.kind = Str::from("Sighting")).contains("kind"));
    assert!(refused(|c| c.text = Str::from("")).contains("text"));
    assert!(refused(|c| c.author = Str::from("")).contains("author"));
    assert!(refused(|c| c.device = Str::from("")).contains("device"));
    assert!(refused(|c| c.place = Some(Str::from(""))).contains("place"));
    assert!(refused(|c| c.place = Some(Str::from("45.46421, 9.18951"))).contains("precise"));
}

#[test]
fn coarse_places_and_precise_ones() {
    for coarse in [
        "Milano Centrale",
        "bus station, platform 12",
        "Via Roma 12",
        "km 12.5 of the SS1",
        "Porte de la Chapelle, Paris 18e",
    ] {
        assert!(is_coarse_place(coarse), "{coarse}");
    }
    for precise in [
        "45.46421, 9.18951",
        "45.4642,9.1895",
        "lat 45.464 lon 9.190",
        "45,4642 9,1895",
        "45°27'51\"N 9°11'24\"E",
        "geo:45.4642,9.1895",
        "8FVC9G8F+6X",
        "near 9G8F+6X Milan",
    ] {
        assert!(!is_coarse_place(precise), "{precise}");
    }
}
