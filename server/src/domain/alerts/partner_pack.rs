//! The missing-child alert a partner organisation receives for a case shared with it: only
//! what the share's data categories cover (the same categories as its shared view), named by
//! the share's reference, never the case's.

use casesync_contract::alerts::AlertPack;
use casesync_contract::case::CaseDocument;
use casesync_contract::views::alert_pack;

/// The pack for a partner: each item kept only when the share covers where it comes from
/// (the category table in `casesync_contract::sharing`).
pub fn partner_pack(case: &CaseDocument, categories: &[String], reference: &str) -> AlertPack {
    let full = alert_pack(case, reference);
    let has = |category: &str| categories.iter().any(|c| c == category);
    AlertPack {
        name: if has("identity") {
            full.name
        } else {
            reference.to_string()
        },
        reference: reference.to_string(),
        photo: full.photo.filter(|_| has("photos")),
        description: full.description.filter(|_| has("physical_description")),
        clothing: full.clothing.filter(|_| has("physical_description")),
        last_seen_place: full.last_seen_place.filter(|_| has("location")),
        last_seen_at: full.last_seen_at.filter(|_| has("location")),
        // The guardian or social worker: the `family` category.
        contact: full.contact.filter(|_| has("family")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_without_categories_names_only_the_reference() {
        let case: CaseDocument = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "kind": "case", "case_id": "c", "organisation": "o",
            "site": "s", "created_at": 0,
            "profile": {"given_name": "Abena", "physical_description": "tall",
                        "guardian": "Ms Guardian"},
            "observations": [], "episodes": [], "risk_assessments": [], "checklists": [],
            "legal_bases": [], "referrals": [], "attachments": []
        }))
        .unwrap();
        let none = partner_pack(&case, &[], "share-1");
        assert_eq!(none.name, "share-1");
        assert_eq!(none.description, None);
        assert_eq!(none.contact, None);
        let some = partner_pack(
            &case,
            &["identity".into(), "physical_description".into()],
            "share-1",
        );
        assert_eq!(some.name, "Abena");
        assert_eq!(some.description.as_deref(), Some("tall"));
        assert_eq!(some.contact, None);
    }
}
