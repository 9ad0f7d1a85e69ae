//! Federation (issue 18): two organisations' own servers, Italy's and France's, cooperate
//! across a border over mutual TLS. Abena goes missing in Italy and the French partner's
//! coordinator has the alert (the share's fields only) within seconds; the French
//! coordinator's sighting enters the Italian case with its provenance and the French
//! acknowledgement reaches Italy; a cut link loses nothing and applies nothing twice;
//! withdrawal erases the French copy and is confirmed; a stranger's certificate and a peer
//! speaking for an organisation its peering does not name are refused and audited.

mod across;
mod cut_link;
mod link;
mod pages;
mod pair;
mod refusals;

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, Value as AmValue, ROOT};
use autosurgeon::reconcile_insert;
use casesync_contract::case::{CaseDocument, Millis, Str};
use casesync_contract::sharing::Contribution;
use casesync_contract::DocumentId;
use casesync_contract::Role;
use casesync_schema::access::audit::{self, AuditEntry};
use casesync_tests::device::Device;
use casesync_tests::fixtures::device;
use casesync_tests::server::{TestServer, T0};
use serde_json::{json, Value};

use pair::{Pair, Side};

pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

pub(crate) fn api(side: &Side, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::blocking::Client::new();
    let url = side.server.url(path);
    let request = match method {
        "POST" => client.post(url),
        "DELETE" => client.delete(url),
        _ => client.get(url),
    };
    let request = request.bearer_auth(&side.coordinator.token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

/// Polls `probe` until it yields, and how long that took.
pub(crate) fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(found) = probe() {
            return (found, start.elapsed());
        }
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Italy shares the case with the French organisation (a cross-border notification).
pub(crate) fn share_with_france(pair: &Pair, case: &DocumentId) -> Value {
    let (status, share) = api(
        &pair.it,
        "POST",
        &format!("/v1/cases/{case}/shares"),
        Some(json!({
            "organisation": pair.fr.org.id,
            "legal_basis": "vital_interests",
            "purpose": "search for a missing child likely heading to France",
            "data_categories": ["identity"],
            "cross_border": true,
        })),
    );
    assert_eq!(status, 201, "{share}");
    share
}

pub(crate) fn view_of(share: &Value) -> DocumentId {
    share["view_id"].as_str().unwrap().parse().unwrap()
}

/// Waits until France's coordinator can read the view, and returns it.
pub(crate) fn french_view(pair: &Pair, view: &DocumentId) -> Value {
    wait_for("the view in France", || {
        let (status, body) = api(&pair.fr, "GET", &format!("/v1/shared-views/{view}"), None);
        (status == 200).then_some(body)
    })
    .0
}

/// Reception staff in Palermo register Abena; the case and the staff member's phone.
pub(crate) fn open_abena_with(pair: &mut Pair) -> (DocumentId, Device) {
    let mut phone = device(&pair.it.server, &pair.it.org, Role::ReceptionStaff, "Marco");
    let case = phone.open_case(
        &[
            ("given_name", "Abena"),
            ("physical_description", "tall, a scar on the left hand"),
        ],
        T0,
    );
    phone.sync().unwrap();
    assert!(phone.last_errors.is_empty(), "{:?}", phone.last_errors);
    (case, phone)
}

pub(crate) fn open_abena(pair: &mut Pair) -> DocumentId {
    open_abena_with(pair).0
}

pub(crate) fn report_missing(phone: &mut Device, case: &DocumentId) {
    phone.sync().unwrap();
    phone.episode_event_with(
        case,
        "ep-1",
        "ev-missing",
        "missing",
        T0 + 1_000,
        &[("last_seen_place", "the port of Palermo")],
    );
    phone.sync().unwrap();
}

/// France's missing alerts as its coordinator lists them.
pub(crate) fn french_missing_alerts(pair: &Pair) -> Vec<Value> {
    let (_, alerts) = api(&pair.fr, "GET", "/v1/alerts", None);
    alerts["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["alert"]["kind"] == "missing")
        .collect()
}

pub(crate) fn contribute_sighting(phone: &mut Device, view: &DocumentId, id: &str) {
    phone.sync().unwrap();
    let sighting = Contribution {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen near the Calais ferry terminal"),
        observed_at: Millis(T0 + 60_000),
        place: Some(Str::from("Calais")),
        author: Str(phone.user_id.clone()),
        device: Str(phone.device_id.clone()),
    };
    let doc = phone.doc(view);
    let list = match doc.get(ROOT, "contributions").unwrap() {
        Some((AmValue::Object(ObjType::List), list)) => list,
        other => panic!("no contributions list: {other:?}"),
    };
    let end = doc.length(&list);
    reconcile_insert(doc, list, end, &sighting).unwrap();
    doc.commit();
    phone.sync().unwrap();
    assert!(phone.last_errors.is_empty(), "{:?}", phone.last_errors);
}

pub(crate) fn italian_case(pair: &Pair, case: &DocumentId) -> CaseDocument {
    let (status, detail) = api(&pair.it, "GET", &format!("/v1/cases/{case}"), None);
    assert_eq!(status, 200, "{detail}");
    serde_json::from_value(detail["case"].clone()).unwrap()
}

pub(crate) fn sightings_from_france(case: &CaseDocument, contribution: &str) -> usize {
    case.observations
        .iter()
        .filter(|o| {
            o.provenance
                .as_ref()
                .is_some_and(|p| p.contribution.as_str() == contribution)
        })
        .count()
}

pub(crate) fn audit_of(server: &TestServer, action: &str) -> Vec<AuditEntry> {
    let mut conn = server.state.pool.get().unwrap();
    audit::page(&mut conn, 0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

pub(crate) fn detail(entry: &AuditEntry) -> Value {
    serde_json::from_str(&entry.detail).unwrap()
}

/// Posts a federation message to France's listener with `own`'s certificate.
pub(crate) fn post_as(
    own: &pair::Pki,
    pair: &Pair,
    message: &Value,
) -> reqwest::Result<reqwest::blocking::Response> {
    let identity = [
        std::fs::read(&own.cert).unwrap(),
        std::fs::read(&own.key).unwrap(),
    ]
    .concat();
    reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&pair.fr.pki.ca).unwrap()).unwrap(),
        )
        .identity(reqwest::Identity::from_pem(&identity).unwrap())
        .build()
        .unwrap()
        .post(format!(
            "https://127.0.0.1:{}/federation/v1/messages",
            pair.fr.federation_port
        ))
        .json(message)
        .send()
}
