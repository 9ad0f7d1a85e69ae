//! Starting an exercise: a training organisation of its own (so nothing of it can mix with
//! a real one), its site, one user per participant with an enrolment code (the trainer
//! prints the sheet), "Exercise control" who writes the injects, and the child's starting
//! case. The first inject plays at once if it is due at minute 0.

use automerge::ActorId;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use casesync_contract::case::{new_case_document, NewCase};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{organisations, sites, users};
use casesync_schema::exercises::{self, Exercise};
use casesync_schema::web::credentials;
use casesync_sync::{DocumentMeta, Writer};
use serde::Serialize;

use super::scenario::Scenario;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::enrolment::{enrol_link, issue};
use crate::domain::enrolment_qr::qr_png_base64;
use crate::domain::error::DomainError;
use crate::domain::server_write::admit_server_changes;
use crate::state::AppState;

/// The name Exercise control's user and device carry: the timeline shows it on each inject.
pub const CONTROL: &str = "Exercise control";

/// Exercise control's user name in the exercise `short` (the first 8 characters of its id).
pub fn control_name(short: &str) -> String {
    format!("{CONTROL} {short}")
}

/// What the trainer gets back, once: codes and passwords are not stored in clear.
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    pub exercise: Exercise,
    pub organisation: String,
    pub title: String,
    /// Exercise control's password for the pages (the after-action report).
    pub control_user: String,
    pub control_password: String,
    pub participants: Vec<Seat>,
}

/// One participant's seat: who they play and how their phone (or browser) joins.
#[derive(Debug, Clone, Serialize)]
pub struct Seat {
    pub label: String,
    pub role: String,
    pub user: String,
    pub code: String,
    pub expires_at: i64,
    /// The enrolment link as a QR code (PNG, base64).
    pub qr_png_base64: String,
    /// For the people who work in a browser (coordinators).
    pub password: Option<String>,
}

/// Starts `scenario` at `speed` scenario minutes per real minute.
pub fn start(
    state: &AppState,
    scenario: &Scenario,
    scenario_text: &str,
    speed: i64,
    server_url: &str,
) -> Result<Started, DomainError> {
    if !(1..=1000).contains(&speed) {
        return Err(DomainError::invalid("speed must be between 1 and 1000"));
    }
    let now = state.now();
    let exercise_id = uuid::Uuid::new_v4().simple().to_string();
    let short = &exercise_id[..8];
    let title = format!("Training: {} ({short})", scenario.title);
    let mut conn = state.db()?;
    let org = organisations::create(&mut conn, &title)?;
    let site = sites::create(&mut conn, &org.id, &scenario.site)?;
    let control = users::create(
        &mut conn,
        &org.id,
        None,
        Role::Coordinator,
        &control_name(short),
    )?;
    let control_password = password(&mut conn, &control.id)?;
    let actor = Actor::cli();
    let minutes = state.config.access.enrolment_code_minutes.max(7 * 24 * 60);
    let mut seats = vec![];
    for p in &scenario.participants {
        let role = Role::parse(&p.role).ok_or_else(|| DomainError::invalid("participant role"))?;
        let centre_role = matches!(role, Role::ReceptionStaff | Role::OutreachWorker);
        let site_id = centre_role.then_some(site.id.as_str());
        let user = users::create(
            &mut conn,
            &org.id,
            site_id,
            role,
            &format!("{}-{short}", p.name),
        )?;
        let (code, expires_at) = issue(&mut conn, &state.audit_key, &actor, &user, now, minutes)?;
        let password = match role {
            Role::Coordinator => Some(password(&mut conn, &user.id)?),
            _ => None,
        };
        seats.push(Seat {
            label: p.label.clone(),
            role: p.role.clone(),
            user: user.name.clone(),
            qr_png_base64: qr_png_base64(&enrol_link(server_url, &code))?,
            code,
            expires_at,
            password,
        });
    }
    let case_id = DocumentId::random();
    let exercise = Exercise {
        id: exercise_id,
        organisation_id: org.id.clone(),
        scenario: scenario.id.clone(),
        scenario_text: scenario_text.to_string(),
        speed,
        case_id: case_id.to_string(),
        started_at: now,
        ended_at: None,
        kept: false,
    };
    exercises::create(&mut conn, &exercise)?;
    drop(conn);
    open_case(state, scenario, &exercise, &site.id)?;
    record(
        state,
        &actor,
        AuditEvent::new(AuditAction::Admin)
            .organisation(&org.id)
            .detail(serde_json::json!({
                "exercise_started": exercise.id, "scenario": scenario.id, "speed": speed,
            })),
    )?;
    super::runner::play_due(state, &exercise)?;
    Ok(Started {
        exercise,
        organisation: org.id,
        title,
        control_user: control.name,
        control_password,
        participants: seats,
    })
}

fn password(conn: &mut casesync_schema::DbConn, user: &str) -> Result<String, DomainError> {
    let password = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>());
    let phc = crate::web::passwords::hash(&password).map_err(DomainError::internal)?;
    credentials::set_password_hash(conn, user, &phc)?;
    Ok(password)
}

/// The child's case as it stands when the exercise begins, written by Exercise control.
fn open_case(
    state: &AppState,
    scenario: &Scenario,
    exercise: &Exercise,
    site: &str,
) -> Result<(), DomainError> {
    let id: DocumentId = exercise
        .case_id
        .parse()
        .map_err(|_| DomainError::internal("case id"))?;
    let new = NewCase {
        case_id: id,
        organisation: exercise.organisation_id.clone(),
        site: site.to_string(),
        jurisdiction: scenario.jurisdiction.clone(),
        created_at: exercise.started_at,
        profile: scenario.child.clone(),
    };
    let mut doc = new_case_document(&new, ActorId::random()).map_err(DomainError::internal)?;
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let meta = DocumentMeta {
        kind: DocumentKind::Case,
        organisation: exercise.organisation_id.clone(),
        site: Some(site.to_string()),
    };
    admit_server_changes(
        state,
        &id,
        DocumentKind::Case,
        &Writer::server(&exercise.organisation_id),
        &changes,
        Some(&meta),
    )?;
    Ok(())
}
