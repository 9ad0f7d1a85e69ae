//! What the record tests share: a centre, the alerts a person sees, and record entries
//! written the way a phone writes them.

use casesync_contract::alerts::{AlertKind, AlertList};
use casesync_contract::case::{
    self, CaseLog, Millis, Notification, PoliceInstrument, Str, WellbeingCheck,
};
use casesync_contract::{DocumentId, Role};
use casesync_tests::device::Device;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};

use crate::pages::support::{page_user, PASSWORD};
use crate::security::support::{client, session};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;

pub fn open_alerts(server: &TestServer, token: &str) -> AlertList {
    reqwest::blocking::Client::new()
        .get(format!("{}/v1/alerts", server.base_url))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

pub fn has(list: &AlertList, kind: AlertKind, text: &str) -> bool {
    list.alerts
        .iter()
        .any(|s| s.alert.kind == kind && s.alert.message.contains(text))
}

/// The messages of the open alerts in the alert documents `device` holds after a sync: what
/// its user is shown.
pub fn alerts_on_phone(device: &mut Device) -> Vec<String> {
    use automerge::{ObjType, ReadDoc, Value, ROOT};
    device.sync().unwrap();
    let mut messages = vec![];
    for local in device.docs.values() {
        let doc = &local.doc;
        let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
            continue;
        };
        for key in doc.keys(&alerts) {
            let Ok(Some((_, alert))) = doc.get(&alerts, key.as_str()) else {
                continue;
            };
            let field = |k: &str| match doc.get(&alert, k) {
                Ok(Some((v, _))) => v.as_str().map(str::to_string).unwrap_or_default(),
                _ => String::new(),
            };
            if field("status") == "open" {
                messages.push(field("message"));
            }
        }
    }
    messages
}

/// A centre with a staff phone, a caseworker and a coordinator; a case opened at T0.
pub struct Centre {
    pub org: fixtures::Org,
    pub staff: Device,
    pub caseworker: Device,
    pub coordinator: Device,
    pub case: DocumentId,
}

pub fn centre(server: &TestServer, name: &str) -> Centre {
    let org = fixtures::org(server, &format!("Reception {name}"), name);
    let mut staff = fixtures::device(server, &org, Role::ReceptionStaff, "giulia");
    let mut caseworker = fixtures::device(server, &org, Role::Caseworker, "elena");
    let coordinator = fixtures::device(server, &org, Role::Coordinator, "chiara");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let assigned = reqwest::blocking::Client::new()
        .post(server.url(&format!("/v1/cases/{case}/assignments")))
        .bearer_auth(&coordinator.token)
        .json(&serde_json::json!({ "user": caseworker.user_id }))
        .send()
        .unwrap();
    assert_eq!(assigned.status().as_u16(), 201);
    caseworker.sync().unwrap();
    Centre {
        org,
        staff,
        caseworker,
        coordinator,
        case,
    }
}

fn writer(device: &Device) -> (Str, Str) {
    (Str(device.user_id.clone()), Str(device.device_id.clone()))
}

/// Appends `entry` to `log` on `device`'s copy, in one change.
pub fn record<R: autosurgeon::Reconcile>(
    device: &mut Device,
    id: &DocumentId,
    log: CaseLog,
    entry: &R,
) {
    let doc = device.doc(id);
    case::append(doc, log, entry).unwrap();
    doc.commit();
}

pub fn police_report(device: &Device, id: &str, episode: &str, at: i64) -> PoliceInstrument {
    let (author, device) = writer(device);
    PoliceInstrument {
        id: Str::from(id),
        episode: Some(Str::from(episode)),
        instrument: Str::from("police_report"),
        requested_at: Millis(at),
        reference: Some(Str::from("CC-LMP-2026-0412")),
        authority: Some(Str::from("Carabinieri, Lampedusa")),
        author,
        device,
    }
}

pub fn wellbeing(device: &Device, id: &str, episode: &str, at: i64) -> WellbeingCheck {
    let (author, device) = writer(device);
    WellbeingCheck {
        id: Str::from(id),
        episode: Str::from(episode),
        checked_at: Millis(at),
        outcome: Str::from("safe_and_well"),
        note: None,
        author,
        device,
    }
}

pub fn notification(device: &Device, id: &str, party: &str, about: &str, at: i64) -> Notification {
    let (author, device) = writer(device);
    Notification {
        id: Str::from(id),
        episode: Some(Str::from("ep1")),
        party: Str::from(party),
        to: Str::from(format!("the {party}")),
        about: Str::from(about),
        sent_at: Millis(at),
        author,
        device,
    }
}

/// The case page as a coordinator of the centre sees it in the browser.
pub fn case_page(server: &TestServer, centre: &Centre, name: &str) -> String {
    page_user(server, &centre.org, Role::Coordinator, name);
    let http = client();
    let cookie = session(server, &http, name, PASSWORD);
    http.get(server.url(&format!("/web/cases/{}", centre.case)))
        .header("cookie", &cookie)
        .send()
        .unwrap()
        .text()
        .unwrap()
}
