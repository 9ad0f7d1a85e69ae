//! `GET /v1/alerts`: alerts with their delivery and acknowledgement state per device.

use std::collections::HashMap;

use automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};
use casesync_contract::alerts::{AlertEntry, AlertList, AlertPack, AlertStatus, Delivery};
use casesync_contract::case::values::{display_value, whole_number};
use casesync_contract::DocumentId;
use casesync_schema::alerts::{self, AlertRow};

use casesync_schema::directory::AuthenticatedDevice;
use serde_json::json;

use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// Alerts of the caller's organisation as someone watching them reads them (`GET
/// /v1/alerts`, the alerts board): each names a child, so the list is recorded as a read of
/// those cases (one `case.listed` entry, found by case id) before it is served.
pub fn watched_alerts(
    state: &AppState,
    caller: &AuthenticatedDevice,
    open_only: bool,
    view: &str,
) -> Result<AlertList, DomainError> {
    let list = list_alerts(state, &caller.organisation_id, open_only)?;
    let mut cases: Vec<String> = list
        .alerts
        .iter()
        .map(|a| a.alert.case_id.to_string())
        .collect();
    cases.sort();
    cases.dedup();
    if !cases.is_empty() {
        record(
            state,
            &Actor::device(caller),
            AuditEvent::new(AuditAction::CaseListed)
                .detail(json!({ "view": view, "cases": cases })),
        )?;
    }
    Ok(list)
}

/// Alerts of an organisation, newest first.
pub fn list_alerts(
    state: &AppState,
    organisation_id: &str,
    open_only: bool,
) -> Result<AlertList, DomainError> {
    let rows = {
        let mut conn = state.db()?;
        alerts::of_organisation(&mut conn, organisation_id, open_only)?
    };
    let mut entries: HashMap<String, HashMap<String, AlertEntry>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(doc_id) = row.document_id.parse::<DocumentId>() else {
            continue;
        };
        if !entries.contains_key(&row.document_id) {
            let read = state
                .engine
                .read(&doc_id, read_entries)?
                .unwrap_or_default();
            entries.insert(row.document_id.clone(), read);
        }
        let Some(entry) = entries
            .get(&row.document_id)
            .and_then(|e| e.get(&row.id))
            .cloned()
        else {
            continue;
        };
        out.push(AlertStatus {
            deliveries: deliveries_of(state, &row)?,
            alert: entry,
            alert_document: doc_id,
            escalated_at: row.escalated_at,
        });
    }
    Ok(AlertList { alerts: out })
}

/// Every device that should hold the alert, with what it did.
fn deliveries_of(state: &AppState, row: &AlertRow) -> Result<Vec<Delivery>, DomainError> {
    let mut conn = state.db()?;
    let recipients = alerts::recipients(&mut conn, &row.organisation_id, row.site_id.as_deref())?;
    let known: HashMap<String, alerts::DeliveryRow> = alerts::deliveries(&mut conn, &row.id)?
        .into_iter()
        .map(|d| (d.device_id.clone(), d))
        .collect();
    Ok(recipients
        .into_iter()
        .map(|r| {
            let d = known.get(&r.device_id);
            Delivery {
                delivered_at: d.and_then(|d| d.delivered_at),
                acknowledged_at: d.and_then(|d| d.acknowledged_at),
                device_id: r.device_id,
                device_name: r.device_name,
                user_name: r.user_name,
            }
        })
        .collect())
}

/// The entries of an alert document, by alert id.
pub fn read_entries(doc: &Automerge) -> HashMap<String, AlertEntry> {
    let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
        return HashMap::new();
    };
    let keys: Vec<String> = doc.keys(&alerts).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (_, obj) = doc.get(&alerts, key.as_str()).ok()??;
            Some((key, read_entry(doc, &obj)?))
        })
        .collect()
}

fn read_entry(doc: &Automerge, obj: &automerge::ObjId) -> Option<AlertEntry> {
    let text = |o: &automerge::ObjId, key: &str| -> Option<String> {
        doc.get(o, key).ok().flatten().and_then(|(v, id)| match v {
            Value::Scalar(s) if s.is_null() => None,
            _ => Some(display_value(doc, &v, &id)),
        })
    };
    let number = |o: &automerge::ObjId, key: &str| -> Option<i64> {
        match doc.get(o, key).ok().flatten()? {
            (Value::Scalar(s), _) => whole_number(&s),
            _ => None,
        }
    };
    let pack = doc.get(obj, "pack").ok().flatten().map(|(_, p)| AlertPack {
        name: text(&p, "name").unwrap_or_default(),
        reference: text(&p, "reference").unwrap_or_default(),
        photo: text(&p, "photo"),
        description: text(&p, "description"),
        clothing: text(&p, "clothing"),
        last_seen_place: text(&p, "last_seen_place"),
        last_seen_at: number(&p, "last_seen_at"),
        contact: text(&p, "contact"),
    });
    let kind = serde_json::from_value(serde_json::Value::String(text(obj, "kind")?)).ok()?;
    let audience =
        serde_json::from_value(serde_json::Value::String(text(obj, "audience")?)).ok()?;
    Some(AlertEntry {
        id: text(obj, "id")?,
        kind,
        audience,
        case_id: text(obj, "case_id")?.parse().ok()?,
        case_url: text(obj, "case_url").unwrap_or_default(),
        message: text(obj, "message").unwrap_or_default(),
        message_key: text(obj, "message_key"),
        message_args: doc
            .get(obj, "message_args")
            .ok()
            .flatten()
            .map(|(_, args)| {
                doc.keys(&args)
                    .filter_map(|name| Some((name.clone(), text(&args, &name)?)))
                    .collect()
            })
            .unwrap_or_default(),
        raised_at: number(obj, "raised_at").unwrap_or_default(),
        status: text(obj, "status").unwrap_or_default(),
        stood_down_at: number(obj, "stood_down_at"),
        resent: number(obj, "resent").unwrap_or_default(),
        pack,
    })
}
