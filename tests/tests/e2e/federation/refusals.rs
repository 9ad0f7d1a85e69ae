//! What a peering does not allow: a stranger's certificate, an organisation it does not
//! name, a legal basis it does not allow (at the source, from the API and from the page).

use casesync_tests::server::T0;
use casesync_tests::storage_test;
use serde_json::json;

use super::pair::Pair;
use super::*;

storage_test!(
    a_stranger_and_an_unnamed_organisation_are_refused_and_audited,
    |db| {
        let pair = Pair::start(db);
        let dir = tempfile::tempdir().unwrap();
        let stranger = pair::pki(dir.path(), "stranger");
        let alert = |from: &str| {
            json!({
                "type": "alert",
                "alert_id": "a-1",
                "view_id": DocumentId::random().to_string(),
                "from_organisation": from,
                "to_organisation": pair.fr.org.id,
                "legal_basis": "vital_interests",
                "kind": "missing",
                "message": { "key": "alert-missing-shared", "args": {} },
                "pack": null,
                "raised_at": T0,
            })
        };
        // A certificate no peering's CA issued: the handshake fails, and France audits it.
        let refused = post_as(&stranger, &pair, &alert(&pair.it.org.id));
        assert!(refused.is_err(), "a stranger got through: {refused:?}");
        let (entries, _) = wait_for("the stranger's refusal in France's audit", || {
            let entries = audit_of(&pair.fr.server, "federation.refused");
            (!entries.is_empty()).then_some(entries)
        });
        assert!(detail(&entries[0])["certificate_sha256"].is_string());

        // Italy's own certificate, speaking for an organisation the peering does not name.
        let response = post_as(
            &pair.it.pki,
            &pair,
            &alert("some-other-italian-organisation"),
        )
        .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
        let entries = audit_of(&pair.fr.server, "federation.refused");
        let unnamed = entries
            .iter()
            .map(detail)
            .find(|d| d["from_organisation"] == "some-other-italian-organisation")
            .expect("the refusal is audited");
        assert_eq!(unnamed["server"], "it");
        assert!(french_missing_alerts(&pair).is_empty());

        // A legal basis the peering does not allow is refused at the source, with a reason.
        let mut pair = pair;
        let case = open_abena(&mut pair);
        let (status, refusal) = api(
            &pair.it,
            "POST",
            &format!("/v1/cases/{case}/shares"),
            Some(json!({
                "organisation": pair.fr.org.id,
                "legal_basis": "consent",
                "purpose": "search",
                "data_categories": ["identity"],
                "cross_border": true,
            })),
        );
        assert_eq!(status, 400, "{refusal}");
        assert_eq!(refusal["error"]["code"], "invalid_request");
        assert!(
            refusal["error"]["message"]
                .as_str()
                .unwrap()
                .contains("consent"),
            "{refusal}"
        );

        // The same from the case page: refused with the reason shown, then sent.
        let giulia = pages::signed_in(&pair.it);
        let (_, html) = giulia.get(&pair.it, &format!("/web/cases/{case}"));
        let csrf = pages::csrf_of(&html);
        let form = |basis: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("organisation", pair.fr.org.id.clone()),
                ("legal_basis", basis.to_string()),
                ("purpose", "search for a missing child".to_string()),
                ("data_categories", "identity".to_string()),
                ("data_categories", "physical_description".to_string()),
            ]
        };
        let refused = form("consent");
        let refused: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, to) = giulia.post(&pair.it, &format!("/web/cases/{case}/shares"), &refused);
        assert_eq!(status, 303);
        assert!(to.contains("share_problem="), "{to}");
        let (_, html) = giulia.get(&pair.it, &to);
        assert!(html.contains("Not sent:"), "the page says why");
        let sent = form("vital_interests");
        let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, to) = giulia.post(&pair.it, &format!("/web/cases/{case}/shares"), &sent);
        assert_eq!((status, to.ends_with("#shares")), (303, true), "{to}");
        let (_, export) = api(&pair.it, "GET", &format!("/v1/cases/{case}/export"), None);
        let shared = &export["shares"][0];
        assert_eq!(
            shared["data_categories"],
            json!(["identity", "physical_description"])
        );
        assert_eq!(shared["peer"]["server"], "fr");
        let view = view_of(shared);
        french_view(&pair, &view);
    }
);
