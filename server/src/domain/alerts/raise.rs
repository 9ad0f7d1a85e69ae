//! Raising and standing down alerts, exactly once.

use casesync_contract::alerts::{AlertEntry, AlertKind, AlertMessage, AlertPack, Audience};
use casesync_contract::case::CaseDocument;
use casesync_contract::i18n::Language;
use casesync_contract::DocumentId;
use casesync_schema::alerts::{self, AlertRow};

use super::documents::{alert_document, audience_str, site_for, update_entry, write_entry};
use crate::domain::error::DomainError;
use crate::state::AppState;

pub struct NewAlert {
    pub case_id: DocumentId,
    pub organisation_id: String,
    pub site_id: String,
    pub kind: AlertKind,
    pub audience: Audience,
    /// Same key, same alert: two reports of one event, or two instances, raise it once.
    pub dedupe_key: String,
    /// A key and arguments: each phone renders it in its user's language.
    pub message: AlertMessage,
    pub pack: Option<AlertPack>,
}

impl NewAlert {
    /// An alert about `case` for its own organisation (and its site, for a site audience),
    /// without a pack.
    pub fn of_case(
        id: &DocumentId,
        case: &CaseDocument,
        kind: AlertKind,
        audience: Audience,
        dedupe_key: String,
        message: AlertMessage,
    ) -> Self {
        Self {
            case_id: *id,
            organisation_id: case.organisation.0.clone(),
            site_id: case.site.0.clone(),
            kind,
            audience,
            dedupe_key,
            message,
            pack: None,
        }
    }
}

/// Raises the alert unless it was raised before. Returns its id when this call raised it.
pub fn raise(state: &AppState, new: NewAlert) -> Result<Option<String>, DomainError> {
    let site = site_for(new.audience, &new.site_id).map(str::to_string);
    let doc = alert_document(state, &new.organisation_id, site.as_deref())?;
    let now = state.now();
    let row = AlertRow {
        id: uuid::Uuid::new_v4().to_string(),
        dedupe_key: new.dedupe_key.clone(),
        organisation_id: new.organisation_id.clone(),
        site_id: site,
        case_id: new.case_id.to_string(),
        kind: new.kind.as_str().to_string(),
        audience: audience_str(new.audience).to_string(),
        document_id: doc.to_string(),
        status: "open".into(),
        raised_at: now,
        stood_down_at: None,
        last_sent_at: now,
        resent: 0,
        escalated_at: None,
    };
    let raised = {
        let mut conn = state.db()?;
        alerts::claim(&mut conn, &row)?
    };
    if !raised {
        return complete_half_raised(state, &new, &doc).map(|_| None);
    }
    crate::fail_point::pause("alert.recorded", || state.projections.is_stopped());
    write_new_entry(state, &doc, &new, &row.id, now)?;
    tracing::info!(alert = %row.id, kind = new.kind.as_str(), case = %new.case_id, "alert raised");
    Ok(Some(row.id))
}

/// The alert was raised before: normally its entry is in the alert document. If it is not,
/// the instance that raised it died between recording the alert and writing the entry;
/// once that is certainly so (the alert is older than a run takes), the entry is written
/// now. Until then the run fails and the outbox retries it.
fn complete_half_raised(
    state: &AppState,
    new: &NewAlert,
    doc: &DocumentId,
) -> Result<(), DomainError> {
    let Some(row) = ({
        let mut conn = state.db()?;
        alerts::by_key(&mut conn, &new.dedupe_key)?
    }) else {
        return Ok(());
    };
    let written = state
        .engine
        .read(doc, |d| super::list::read_entries(d).contains_key(&row.id))?
        .unwrap_or(false);
    if written || row.status != "open" {
        return Ok(());
    }
    if state.now() - row.raised_at < super::derive::HALF_DONE_AFTER_MS {
        return Err(DomainError::new(
            casesync_contract::errors::ErrorCode::Unavailable,
            format!("alert {} is being raised elsewhere", row.id),
        ));
    }
    tracing::warn!(alert = %row.id, case = %new.case_id, "alert recorded but never written (its writer died): writing it now");
    write_new_entry(state, doc, new, &row.id, row.raised_at)
}

fn write_new_entry(
    state: &AppState,
    doc: &DocumentId,
    new: &NewAlert,
    id: &str,
    raised_at: i64,
) -> Result<(), DomainError> {
    let entry = AlertEntry {
        id: id.to_string(),
        kind: new.kind,
        audience: new.audience,
        case_id: new.case_id,
        case_url: new.case_id.url(),
        message: new.message.render(Language::En),
        message_key: Some(new.message.key.clone()),
        message_args: new.message.args.clone(),
        raised_at,
        status: "open".into(),
        stood_down_at: None,
        resent: 0,
        pack: new.pack.clone(),
    };
    write_entry(state, doc, &new.organisation_id, &entry)
}

/// Stands an alert down; the stand-down reaches the same devices through the same document.
pub fn stand_down(state: &AppState, row: &AlertRow) -> Result<(), DomainError> {
    let now = state.now();
    let changed = {
        let mut conn = state.db()?;
        // With the stand-down, in its transaction: the notice for a partner on a peer
        // server (a run that dies after the update would not find the alert open again).
        casesync_schema::connection::write_tx(&mut conn, |conn| {
            let changed = alerts::stand_down(conn, &row.id, now)?;
            if changed {
                crate::federation::enqueue::alert_stood_down_in(conn, row, now)?;
            }
            Ok(changed)
        })?
    };
    if changed {
        let doc: DocumentId = row
            .document_id
            .parse()
            .map_err(|_| DomainError::internal("alert document id"))?;
        update_entry(
            state,
            &doc,
            &row.organisation_id,
            &row.id,
            vec![
                ("status", "stood_down".into()),
                ("stood_down_at", now.into()),
            ],
        )?;
        tracing::info!(alert = %row.id, "alert stood down");
        state.federation.wake();
    }
    Ok(())
}
