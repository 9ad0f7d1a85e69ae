//! Alerts in the database: who raised what once, where it was written, and per device
//! whether it arrived and was acknowledged.

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_alerts::{alert_deliveries, alert_documents, alerts, derivation_claims};
use crate::DbConn;

pub use crate::delivery_records::{deliveries, raised_at, record_delivery, DeliveryRow};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: String,
    pub dedupe_key: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub case_id: String,
    pub kind: String,
    pub audience: String,
    pub document_id: String,
    pub status: String,
    pub raised_at: i64,
    pub stood_down_at: Option<i64>,
    pub last_sent_at: i64,
    pub resent: i32,
    pub escalated_at: Option<i64>,
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Records a new alert unless one with the same dedupe key exists. Returns whether this call
/// raised it (exactly one caller does, across instances).
pub fn claim(conn: &mut DbConn, row: &AlertRow) -> Result<bool, DbError> {
    match diesel::insert_into(alerts::table)
        .values(row.clone())
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Claims a one-time derivation (e.g. "start the missing checklist of episode E"): whether
/// this caller may do it. A claim older than `stale_ms` whose effect is still missing was
/// made by an instance that died before doing it: the caller takes it over. Times are the
/// system clock's (whether a process is alive), not the domain clock.
pub fn claim_derivation(conn: &mut DbConn, key: &str, stale_ms: i64) -> Result<bool, DbError> {
    let now = crate::now_millis();
    let inserted = diesel::insert_into(derivation_claims::table)
        .values((
            derivation_claims::key.eq(key),
            derivation_claims::claimed_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => {
            let retaken = diesel::update(
                derivation_claims::table
                    .filter(derivation_claims::key.eq(key))
                    .filter(derivation_claims::claimed_at.lt(now - stale_ms)),
            )
            .set(derivation_claims::claimed_at.eq(now))
            .execute(conn)?;
            Ok(retaken == 1)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn by_key(conn: &mut DbConn, dedupe_key: &str) -> Result<Option<AlertRow>, DbError> {
    Ok(alerts::table
        .filter(alerts::dedupe_key.eq(dedupe_key))
        .select(AlertRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<AlertRow>, DbError> {
    Ok(alerts::table
        .find(id)
        .select(AlertRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every alert about a case raised for one organisation (open or not).
pub fn of_case_for(
    conn: &mut DbConn,
    case_id: &str,
    organisation_id: &str,
) -> Result<Vec<AlertRow>, DbError> {
    Ok(alerts::table
        .filter(alerts::case_id.eq(case_id))
        .filter(alerts::organisation_id.eq(organisation_id))
        .select(AlertRow::as_select())
        .load(conn)?)
}

pub fn open_for_case(conn: &mut DbConn, case_id: &str) -> Result<Vec<AlertRow>, DbError> {
    Ok(alerts::table
        .filter(alerts::case_id.eq(case_id))
        .filter(alerts::status.eq("open"))
        .select(AlertRow::as_select())
        .load(conn)?)
}

pub fn of_organisation(
    conn: &mut DbConn,
    organisation_id: &str,
    open_only: bool,
) -> Result<Vec<AlertRow>, DbError> {
    let mut query = alerts::table
        .filter(alerts::organisation_id.eq(organisation_id))
        .order(alerts::raised_at.desc())
        .select(AlertRow::as_select())
        .into_boxed();
    if open_only {
        query = query.filter(alerts::status.eq("open"));
    }
    Ok(query.load(conn)?)
}

/// Every open alert, for the escalation worker.
pub fn all_open(conn: &mut DbConn) -> Result<Vec<AlertRow>, DbError> {
    Ok(alerts::table
        .filter(alerts::status.eq("open"))
        .select(AlertRow::as_select())
        .load(conn)?)
}

/// Marks an alert stood down; returns whether it was open.
pub fn stand_down(conn: &mut DbConn, id: &str, at: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        alerts::table
            .filter(alerts::id.eq(id))
            .filter(alerts::status.eq("open")),
    )
    .set((
        alerts::status.eq("stood_down"),
        alerts::stood_down_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Notes a re-send; returns whether this call did it (no other instance re-sent since).
pub fn mark_resent(
    conn: &mut DbConn,
    id: &str,
    previous_sent_at: i64,
    at: i64,
) -> Result<bool, DbError> {
    let n = diesel::update(
        alerts::table
            .filter(alerts::id.eq(id))
            .filter(alerts::last_sent_at.eq(previous_sent_at)),
    )
    .set((
        alerts::last_sent_at.eq(at),
        alerts::resent.eq(alerts::resent + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn mark_escalated(conn: &mut DbConn, id: &str, at: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        alerts::table
            .filter(alerts::id.eq(id))
            .filter(alerts::escalated_at.is_null()),
    )
    .set(alerts::escalated_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// The alert document of an organisation's site (`site: None`: the coordinators' one),
/// claiming `proposed` if it has none yet.
pub fn alert_document(
    conn: &mut DbConn,
    organisation_id: &str,
    site: Option<&str>,
    proposed: &str,
) -> Result<(String, bool), DbError> {
    let site_key = site.unwrap_or("");
    let find = |conn: &mut DbConn| -> Result<Option<String>, DbError> {
        Ok(alert_documents::table
            .filter(alert_documents::organisation_id.eq(organisation_id))
            .filter(alert_documents::site_key.eq(site_key))
            .select(alert_documents::document_id)
            .first(conn)
            .optional()?)
    };
    if let Some(id) = find(conn)? {
        return Ok((id, false));
    }
    let inserted = diesel::insert_into(alert_documents::table)
        .values((
            alert_documents::organisation_id.eq(organisation_id),
            alert_documents::site_key.eq(site_key),
            alert_documents::document_id.eq(proposed),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok((proposed.to_string(), true)),
        Err(e) if is_unique_violation(&e) => Ok((find(conn)?.unwrap_or_default(), false)),
        Err(e) => Err(e.into()),
    }
}

/// Alert documents a device of `organisation_id` at `site` (None: org-wide roles) holds.
pub fn documents_for(
    conn: &mut DbConn,
    organisation_id: &str,
    site: Option<&str>,
    all_sites: bool,
) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String, String)> = alert_documents::table
        .filter(alert_documents::organisation_id.eq(organisation_id))
        .select((alert_documents::site_key, alert_documents::document_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(key, _)| all_sites || key.is_empty() || Some(key.as_str()) == site)
        .map(|(_, id)| id)
        .collect())
}

/// An organisation's escalation rules (JSON), if it set its own.
pub fn rules_of(conn: &mut DbConn, organisation_id: &str) -> Result<Option<String>, DbError> {
    use crate::tables_alerts::alert_rules;
    Ok(alert_rules::table
        .filter(alert_rules::organisation_id.eq(organisation_id))
        .select(alert_rules::rules)
        .first(conn)
        .optional()?)
}

pub fn set_rules(
    conn: &mut DbConn,
    organisation_id: &str,
    rules: &str,
    now: i64,
) -> Result<(), DbError> {
    use crate::tables_alerts::alert_rules;
    write_tx(conn, |conn| {
        diesel::delete(alert_rules::table.filter(alert_rules::organisation_id.eq(organisation_id)))
            .execute(conn)?;
        diesel::insert_into(alert_rules::table)
            .values((
                alert_rules::organisation_id.eq(organisation_id),
                alert_rules::rules.eq(rules),
                alert_rules::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A device that should receive an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub device_id: String,
    pub device_name: String,
    pub user_name: String,
}

/// Live (not revoked) devices that hold an alert of `site` (`None`: coordinators' alerts):
/// the site's devices plus the organisation's coordinators and caseworkers.
pub fn recipients(
    conn: &mut DbConn,
    organisation_id: &str,
    site: Option<&str>,
) -> Result<Vec<Recipient>, DbError> {
    use crate::tables::{devices, users};
    let rows: Vec<(String, String, String, String, Option<String>)> = devices::table
        .inner_join(users::table)
        .filter(users::organisation_id.eq(organisation_id))
        .filter(devices::revoked_at.is_null())
        .select((
            devices::id,
            devices::name,
            users::name,
            users::role,
            users::site_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, role, user_site)| {
            matches!(role.as_str(), "coordinator" | "caseworker")
                || (site.is_some()
                    && user_site.as_deref() == site
                    && role != "org_admin"
                    && role != "auditor")
        })
        .map(|(device_id, device_name, user_name, _, _)| Recipient {
            device_id,
            device_name,
            user_name,
        })
        .collect())
}

/// Erasure: removes a case's alerts, their deliveries and its one-time derivations. Returns
/// the alert documents that held its alerts (their histories must be rebuilt without them).
pub fn erase_case(conn: &mut DbConn, case_id: &str) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String, String)> = alerts::table
        .filter(alerts::case_id.eq(case_id))
        .select((alerts::id, alerts::document_id))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|(id, _)| id).collect();
    diesel::delete(alert_deliveries::table.filter(alert_deliveries::alert_id.eq_any(&ids)))
        .execute(conn)?;
    diesel::delete(alerts::table.filter(alerts::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(
        derivation_claims::table.filter(derivation_claims::key.like(format!("%{case_id}%"))),
    )
    .execute(conn)?;
    let mut docs: Vec<String> = rows.into_iter().map(|(_, doc)| doc).collect();
    docs.sort();
    docs.dedup();
    Ok(docs)
}

/// Points an audience at a new alert document (after its old one was rebuilt) and moves the
/// remaining alerts' rows with it.
pub fn replace_document(conn: &mut DbConn, old: &str, new: &str) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        diesel::update(alert_documents::table.filter(alert_documents::document_id.eq(old)))
            .set(alert_documents::document_id.eq(new))
            .execute(conn)?;
        diesel::update(alerts::table.filter(alerts::document_id.eq(old)))
            .set(alerts::document_id.eq(new))
            .execute(conn)?;
        Ok(())
    })
}

/// The audience key (organisation, site) of an alert document.
pub fn audience_of(
    conn: &mut DbConn,
    document: &str,
) -> Result<Option<(String, Option<String>)>, DbError> {
    let row: Option<(String, String)> = alert_documents::table
        .filter(alert_documents::document_id.eq(document))
        .select((alert_documents::organisation_id, alert_documents::site_key))
        .first(conn)
        .optional()?;
    Ok(row.map(|(org, key)| (org, (!key.is_empty()).then_some(key))))
}
