//! `casesync demo`: seeds a database with an organisation, its sites, a user and device of
//! every role, and the two scenario children of DOMAIN.md, Abena and Qiro, so that a newcomer
//! sees merged timelines, conflicts, checklists and alerts at once. Their histories are
//! written as changes from several phones, admitted like any device's, so every derived view
//! and alert arises from the data. Times are relative to now. Runs once per database.

mod abena;
mod casework;
mod cast;
mod entry;
mod episodes;
mod partner;
mod photo;
mod qiro;
mod qiro_episode;
mod records;
mod story;

use std::sync::Arc;

use actix_web::web;
use casesync_contract::case::read_case_causal;
use casesync_contract::views::{child_status, ChildStatus};
use casesync_contract::wire::case_reference;
use casesync_contract::DocumentId;
use serde::{Deserialize, Serialize};

pub use cast::{DeviceToken, ORGANISATION, PARTNER};

use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) const MINUTE: i64 = 60_000;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "this database already holds the demo (organisation \"{ORGANISATION}\"): `casesync \
         demo` seeds a database once; point it at a fresh database (another data_dir or \
         database_url)"
    )]
    AlreadySeeded,
    #[error("{0}")]
    Failed(String),
}

macro_rules! failed_from {
    ($($t:ty),*) => {$(
        impl From<$t> for DemoError {
            fn from(e: $t) -> Self {
                Self::Failed(e.to_string())
            }
        }
    )*};
}
failed_from!(
    ApiError,
    crate::domain::error::DomainError,
    casesync_schema::DbError,
    casesync_sync::Refusal,
    casesync_sync::StoreError,
    casesync_contract::case::EditError,
    automerge::AutomergeError,
    actix_web::error::BlockingError
);

/// What was seeded, as `--json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoSeed {
    pub organisation_id: String,
    pub organisation: String,
    pub partner_organisation: String,
    pub sites: Vec<DemoSite>,
    pub devices: Vec<DeviceToken>,
    pub cases: Vec<DemoCase>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoSite {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub country: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCase {
    pub name: String,
    pub id: DocumentId,
    pub url: String,
    pub reference: String,
    pub status: ChildStatus,
}

/// Seeds the database behind `state`, or refuses when it holds the demo already. Call it
/// inside an actix system: uploads and the derived work after each change run there.
pub async fn seed(state: &AppState) -> Result<DemoSeed, DemoError> {
    let creator = state.clone();
    let cast = Arc::new(web::block(move || cast::create(&creator)).await??);
    let now = state.now();
    let abena_photo = photo::upload(
        state,
        &cast.lampedusa_day,
        photo::portrait([214, 226, 240], [62, 48, 44])?,
        now - 21 * DAY,
        "dated photo, on arrival",
    )
    .await?;
    let qiro_photo = photo::upload(
        state,
        &cast.lesvos_day,
        photo::portrait([236, 228, 206], [58, 44, 40])?,
        now - 240 * DAY,
        "dated photo, on arrival",
    )
    .await?;
    let (writer, people) = (state.clone(), cast.clone());
    let ids = web::block(move || -> Result<Vec<(String, DocumentId)>, DemoError> {
        let abena = abena::write(&writer, &people, abena_photo, now)?.id;
        let qiro = qiro::write(&writer, &people, qiro_photo, now)?.id;
        Ok(vec![
            ("Abena Tesfay".to_string(), abena),
            ("Qiro Hassan".to_string(), qiro),
        ])
    })
    .await??;
    let mut cases = Vec::new();
    for (name, id) in ids {
        let status = state
            .engine
            .read(&id, |doc| {
                read_case_causal(doc).map(|c| child_status(&c.episodes).0)
            })?
            .ok_or_else(|| DemoError::Failed(format!("case {id} was not stored")))?
            .map_err(|e| DemoError::Failed(e.to_string()))?;
        cases.push(DemoCase {
            name,
            url: id.url(),
            reference: case_reference(&id),
            id,
            status,
        });
    }
    Ok(DemoSeed {
        organisation_id: cast.organisation.id.clone(),
        organisation: cast.organisation.name.clone(),
        partner_organisation: cast.partner.name.clone(),
        sites: cast
            .sites
            .iter()
            .map(|(site, country)| DemoSite {
                id: site.id.clone(),
                name: site.name.clone(),
                organisation: if site.organisation_id == cast.partner.id {
                    cast.partner.name.clone()
                } else {
                    cast.organisation.name.clone()
                },
                country: country.to_string(),
            })
            .collect(),
        devices: cast.members().iter().map(|m| m.token()).collect(),
        cases,
    })
}

/// `casesync demo [--json]`
pub fn run(config: Config, json: bool) -> anyhow::Result<()> {
    let listen = config.listen;
    let seeded = actix_web::rt::System::new().block_on(async move {
        let (state, _shutdown) = crate::startup::build_state(config, Arc::new(SystemClock))?;
        // The seeding waits for the consequences of what it writes (checklists, alerts),
        // which the derive workers produce: they run for the command, as they do in `serve`.
        state.projections.start(&state);
        let seeded = seed(&state).await;
        let stopper = state.clone();
        web::block(move || stopper.projections.stop()).await?;
        anyhow::Ok(seeded?)
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&seeded)?);
    } else {
        print!("{}", human(&seeded, &listen.to_string()));
    }
    Ok(())
}

fn human(seeded: &DemoSeed, listen: &str) -> String {
    let mut out = format!(
        "Seeded \"{}\" and its partner \"{}\".\n\nSites:\n",
        seeded.organisation, seeded.partner_organisation
    );
    for site in &seeded.sites {
        out.push_str(&format!(
            "  {:<18} {:<8} {}\n",
            site.name, site.country, site.organisation
        ));
    }
    out.push_str("\nCases:\n");
    for case in &seeded.cases {
        out.push_str(&format!(
            "  {:<14} {}  {:<9} {}\n",
            case.name,
            case.reference,
            case.status.as_str(),
            case.id
        ));
    }
    out.push_str("\nDevices (bearer tokens, shown once):\n");
    for d in &seeded.devices {
        out.push_str(&format!(
            "  {:<16} {:<18} {:<28} {}\n",
            d.role.as_str(),
            d.user,
            d.device_name,
            d.token
        ));
    }
    out.push_str("\nCoordinator pages (/web/sign-in, by user name; passwords shown once):\n");
    for d in seeded.devices.iter().filter(|d| d.password.is_some()) {
        out.push_str(&format!(
            "  {:<16} {:<18} {}\n",
            d.role.as_str(),
            d.user,
            d.password.as_deref().unwrap_or_default()
        ));
    }
    let coordinator = seeded
        .devices
        .iter()
        .find(|d| d.role == casesync_contract::Role::Coordinator)
        .map(|d| d.token.as_str())
        .unwrap_or("<token>");
    out.push_str(&format!(
        "\nStart the server with `casesync serve`, then open http://{listen}/web/sign-in, or:\n  \
         curl -H 'Authorization: Bearer {coordinator}' http://{listen}/v1/cases\n"
    ));
    out
}
