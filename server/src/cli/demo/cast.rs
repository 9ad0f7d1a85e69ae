//! The demo's people: an organisation running reception centres in three countries, a
//! street-outreach partner in Calais, a user of every role, and one enrolled device each.
//! Made the way `casesync admin` makes them, and recorded in the audit trail as such.

use automerge::ActorId;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use casesync_contract::Role;
use casesync_schema::directory::{
    devices, organisations, sites, users, AuthenticatedDevice, Organisation, Site,
};
use casesync_schema::web::credentials;
use casesync_schema::{DbConn, DbError};
use serde::Serialize;
use serde_json::json;

use super::DemoError;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::state::AppState;
use crate::web::passwords;

pub const ORGANISATION: &str = "Reception Europe (demo)";
pub const PARTNER: &str = "Calais Street Outreach (demo)";

/// A person of the demo with their device: what the device would present to the server.
pub struct Member {
    pub device: AuthenticatedDevice,
    /// The device's bearer token, shown once.
    pub token: String,
    /// The automerge actor the device writes with.
    pub actor: ActorId,
    /// The password for the coordinator pages, for the people who work in a browser.
    pub password: Option<String>,
    pub organisation_name: String,
    pub site_name: Option<String>,
}

/// What `casesync demo` prints per device.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DeviceToken {
    pub user: String,
    pub role: Role,
    pub organisation: String,
    pub site: Option<String>,
    pub device_id: String,
    pub device_name: String,
    pub token: String,
    /// For the coordinator pages (`/web/sign-in`, by user name); shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl Member {
    pub fn token(&self) -> DeviceToken {
        DeviceToken {
            user: self.device.user_name.clone(),
            role: self.device.role,
            organisation: self.organisation_name.clone(),
            site: self.site_name.clone(),
            device_id: self.device.device_id.clone(),
            device_name: self.device.device_name.clone(),
            token: self.token.clone(),
            password: self.password.clone(),
        }
    }
}

/// Everyone, by the part they play in the stories.
pub struct Cast {
    pub organisation: Organisation,
    pub partner: Organisation,
    /// Each site with its country.
    pub sites: Vec<(Site, &'static str)>,
    pub coordinator: Member,
    pub org_admin: Member,
    pub auditor: Member,
    pub lampedusa_day: Member,
    pub lampedusa_night: Member,
    pub lampedusa_caseworker: Member,
    pub lampedusa_outreach: Member,
    pub calais_desk: Member,
    pub lesvos_day: Member,
    pub lesvos_night: Member,
    pub lesvos_caseworker: Member,
    pub lesvos_outreach: Member,
    pub partner_coordinator: Member,
    pub partner_outreach: Member,
}

impl Cast {
    pub fn members(&self) -> [&Member; 14] {
        [
            &self.coordinator,
            &self.org_admin,
            &self.auditor,
            &self.lampedusa_day,
            &self.lampedusa_night,
            &self.lampedusa_caseworker,
            &self.lampedusa_outreach,
            &self.calais_desk,
            &self.lesvos_day,
            &self.lesvos_night,
            &self.lesvos_caseworker,
            &self.lesvos_outreach,
            &self.partner_coordinator,
            &self.partner_outreach,
        ]
    }
}

/// Creates the organisations, sites, users and devices.
pub fn create(state: &AppState) -> Result<Cast, DemoError> {
    let mut conn = state.db()?;
    match organisations::find(&mut conn, ORGANISATION) {
        Ok(_) => return Err(DemoError::AlreadySeeded),
        Err(DbError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let organisation = organisations::create(&mut conn, ORGANISATION).map_err(|e| match e {
        // Another `casesync demo` got there between the check and the insert.
        DbError::Exists(_) => DemoError::AlreadySeeded,
        other => other.into(),
    })?;
    let partner = organisations::create(&mut conn, PARTNER)?;
    // Each site in its country, so that its people read their country's language.
    let mut site = |org: &Organisation, name: &str, country: &str| {
        let site = sites::create(&mut conn, &org.id, name)?;
        sites::set_country(&mut conn, &site.id, country)?;
        Ok::<_, DbError>(site)
    };
    let lampedusa = site(&organisation, "Centro Lampedusa", "IT")?;
    let calais = site(&organisation, "Accueil Calais", "FR")?;
    let lesvos = site(&organisation, "Lesvos Shelter", "GR")?;
    let streets = site(&partner, "Calais streets", "FR")?;
    let mut people = People { conn: &mut conn };
    use Role::*;
    let cast = Cast {
        coordinator: people.add(
            &organisation,
            None,
            Coordinator,
            "Anna Ricci",
            "Anna's laptop",
        )?,
        org_admin: people.add(&organisation, None, OrgAdmin, "Tom Weber", "Tom's laptop")?,
        auditor: people.add(
            &organisation,
            None,
            Auditor,
            "Ines Moreau (DPO)",
            "Ines's laptop",
        )?,
        lampedusa_day: people.add(
            &organisation,
            Some(&lampedusa),
            ReceptionStaff,
            "Giulia Romano",
            "Giulia's phone",
        )?,
        lampedusa_night: people.add(
            &organisation,
            Some(&lampedusa),
            ReceptionStaff,
            "Marco Bianchi",
            "Lampedusa night-desk tablet",
        )?,
        lampedusa_caseworker: people.add(
            &organisation,
            Some(&lampedusa),
            Caseworker,
            "Elena Greco",
            "Elena's laptop",
        )?,
        lampedusa_outreach: people.add(
            &organisation,
            Some(&lampedusa),
            OutreachWorker,
            "Sara Conti",
            "Sara's phone",
        )?,
        calais_desk: people.add(
            &organisation,
            Some(&calais),
            ReceptionStaff,
            "Claire Dubois",
            "Calais desk tablet",
        )?,
        lesvos_day: people.add(
            &organisation,
            Some(&lesvos),
            ReceptionStaff,
            "Nikos Papadakis",
            "Nikos's phone",
        )?,
        lesvos_night: people.add(
            &organisation,
            Some(&lesvos),
            ReceptionStaff,
            "Eleni Vlachou",
            "Lesvos night-desk tablet",
        )?,
        lesvos_caseworker: people.add(
            &organisation,
            Some(&lesvos),
            Caseworker,
            "Maria Georgiou",
            "Maria's laptop",
        )?,
        lesvos_outreach: people.add(
            &organisation,
            Some(&lesvos),
            OutreachWorker,
            "Yannis Kostas",
            "Yannis's phone",
        )?,
        partner_coordinator: people.add(
            &partner,
            None,
            Coordinator,
            "Hugo Lefèvre",
            "Hugo's laptop",
        )?,
        partner_outreach: people.add(
            &partner,
            Some(&streets),
            OutreachWorker,
            "Léa Martin",
            "Léa's phone",
        )?,
        sites: vec![
            (lampedusa, "Italy"),
            (calais, "France"),
            (lesvos, "Greece"),
            (streets, "France"),
        ],
        organisation,
        partner,
    };
    drop(conn);
    for org in [&cast.organisation, &cast.partner] {
        let members: Vec<serde_json::Value> = cast
            .members()
            .iter()
            .filter(|m| m.device.organisation_id == org.id)
            .map(|m| json!({ "user_id": m.device.user_id, "device_id": m.device.device_id }))
            .collect();
        record(
            state,
            &Actor::cli(),
            AuditEvent::new(AuditAction::Admin)
                .organisation(&org.id)
                .detail(json!({ "operation": "demo.seed", "members": members })),
        )?;
    }
    Ok(cast)
}

struct People<'c> {
    conn: &'c mut DbConn,
}

impl People<'_> {
    fn add(
        &mut self,
        org: &Organisation,
        site: Option<&Site>,
        role: Role,
        name: &str,
        device_name: &str,
    ) -> Result<Member, DemoError> {
        let user = users::create(self.conn, &org.id, site.map(|s| s.id.as_str()), role, name)?;
        let enrolled = devices::enrol(self.conn, &user.id, device_name, None)?;
        // People who work in a browser (DOMAIN.md "Who uses it") get a password.
        let password = match role {
            Role::Coordinator | Role::OrgAdmin | Role::Auditor => {
                let password = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>());
                let phc = passwords::hash(&password)
                    .map_err(|e| DemoError::Failed(format!("hashing a demo password: {e}")))?;
                credentials::set_password_hash(self.conn, &user.id, &phc)?;
                Some(password)
            }
            _ => None,
        };
        Ok(Member {
            device: AuthenticatedDevice {
                device_id: enrolled.device_id,
                device_name: enrolled.name,
                user_id: user.id,
                user_name: user.name,
                role,
                organisation_id: org.id.clone(),
                site_id: user.site_id,
                wipe_requested: false,
            },
            token: enrolled.token,
            actor: ActorId::random(),
            password,
            organisation_name: org.name.clone(),
            site_name: site.map(|s| s.name.clone()),
        })
    }
}
