//! `casesync admin ...`: set up organisations, sites, users and devices from a script.

use casesync_contract::Role;
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::connection::write_tx;
use casesync_schema::directory::{devices, organisations, sites, users};
use casesync_schema::{open_pool, DbConn, DbError};
use clap::Subcommand;
use serde::Serialize;
use serde_json::json;

use crate::config::Config;
use crate::domain::audit::{Actor, AuditAction, AuditEvent};
use crate::domain::enrolment::{enrol_link, issue};
use crate::domain::enrolment_qr::{qr_png, qr_text_art};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Sites (reception centres, outreach bases).
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Devices and their tokens.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Organisations, sites, users and their phones from a CSV file, in one go.
    Import {
        /// CSV with the header organisation,site,role,name,device.
        file: std::path::PathBuf,
        /// Write the enrolment codes as a printable sheet of QR codes (HTML).
        #[arg(long)]
        sheet: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Attachments: master key rotation.
    Blobs {
        #[command(subcommand)]
        command: crate::blobs::cli::BlobsCommand,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    Add {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SiteCommand {
    Add {
        /// Organisation id or name.
        #[arg(long)]
        org: String,
        name: String,
        /// ISO 3166-1 alpha-2 code (IT, FR, GR, NL, BE...): the site's people read its
        /// language unless they choose another.
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Sets the country of an existing site (sites made before countries existed read
    /// English until they have one).
    SetCountry {
        /// Organisation id or name.
        #[arg(long)]
        org: String,
        /// Site id or name.
        site: String,
        /// ISO 3166-1 alpha-2 code.
        country: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    Add {
        #[arg(long)]
        org: String,
        /// Site id or name (reception staff and outreach workers belong to one).
        #[arg(long)]
        site: Option<String>,
        /// outreach_worker, reception_staff, caseworker, coordinator, org_admin or auditor.
        #[arg(long)]
        role: String,
        name: String,
        /// Also set the password for the coordinator pages, read from standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Sets the password for the coordinator pages, read from standard input.
    SetPassword(super::password::SetPassword),
    /// Prints a one-time link where the user chooses a password for the pages.
    PasswordLink(super::password::PasswordLink),
}

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// A one-time enrolment code for a user's phone (text and QR code).
    EnrolCode {
        /// User id or name.
        #[arg(long)]
        user: String,
        /// The address phones use to reach the server; defaults to `access.public_url`.
        #[arg(long)]
        server: Option<String>,
        /// Also write the QR code to this PNG file.
        #[arg(long)]
        qr_png: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Enrol a device for a user; prints its bearer token once.
    Add {
        /// User id or name.
        #[arg(long)]
        user: String,
        name: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let (pool, _) = open_pool(&config.database_url(), 2)?;
    let mut conn = pool.get()?;
    let key = crate::audit::key::load_or_create(config, &mut conn)?;
    let key = &key;
    match command {
        AdminCommand::Blobs { command } => crate::blobs::cli::run(config, &mut conn, command),
        AdminCommand::Import { file, sheet, json } => {
            super::import::run(config, &mut conn, key, &file, sheet.as_deref(), json)
        }
        AdminCommand::User {
            command: UserCommand::SetPassword(args),
        } => super::password::set_password(&mut conn, key, args),
        AdminCommand::User {
            command: UserCommand::PasswordLink(args),
        } => super::password::password_link(config, &mut conn, key, args),
        AdminCommand::Org {
            command: OrgCommand::Add { name, json },
        } => {
            let org = write_tx(&mut conn, |conn| {
                let org = organisations::create(conn, &name)?;
                let detail = json!({ "operation": "org.add", "organisation_id": org.id });
                audit(conn, key, &org.id, detail)?;
                Ok(org)
            })?;
            print(
                json,
                &org,
                &format!("organisation {} ({})", org.name, org.id),
            )
        }
        AdminCommand::Site {
            command:
                SiteCommand::Add {
                    org,
                    name,
                    country,
                    json,
                },
        } => {
            let org = organisations::find(&mut conn, &org)?;
            let site = write_tx(&mut conn, |conn| {
                let mut site = sites::create(conn, &org.id, &name)?;
                if let Some(country) = &country {
                    sites::set_country(conn, &site.id, country)?;
                    site.country = Some(country.trim().to_ascii_uppercase());
                }
                audit(
                    conn,
                    key,
                    &org.id,
                    json!({ "operation": "site.add", "site_id": site.id }),
                )?;
                Ok(site)
            })?;
            print(
                json,
                &site,
                &format!("site {} ({}) of {}", site.name, site.id, org.name),
            )
        }
        AdminCommand::Site {
            command:
                SiteCommand::SetCountry {
                    org,
                    site,
                    country,
                    json,
                },
        } => {
            let org = organisations::find(&mut conn, &org)?;
            let site = write_tx(&mut conn, |conn| {
                let mut site = sites::find(conn, &org.id, &site)?;
                sites::set_country(conn, &site.id, &country)?;
                site.country = Some(country.trim().to_ascii_uppercase());
                audit(
                    conn,
                    key,
                    &org.id,
                    json!({ "operation": "site.set_country", "site_id": site.id, "country": site.country }),
                )?;
                Ok(site)
            })?;
            print(
                json,
                &site,
                &format!(
                    "site {} ({}) of {}: country {}",
                    site.name,
                    site.id,
                    org.name,
                    site.country.as_deref().unwrap_or_default()
                ),
            )
        }
        AdminCommand::User {
            command:
                UserCommand::Add {
                    org,
                    site,
                    role,
                    name,
                    password_stdin,
                    json,
                },
        } => {
            // Read (and check) the password first: a refused one creates nobody.
            let password = password_stdin
                .then(super::password::read_password)
                .transpose()?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown role \"{role}\"; one of: {}",
                    Role::ALL.map(|r| r.as_str()).join(", ")
                )
            })?;
            let org = organisations::find(&mut conn, &org)?;
            let site = site
                .map(|s| sites::find(&mut conn, &org.id, &s))
                .transpose()?;
            let user = write_tx(&mut conn, |conn| {
                let user = users::create(
                    conn,
                    &org.id,
                    site.as_ref().map(|s| s.id.as_str()),
                    role,
                    &name,
                )?;
                let detail =
                    json!({ "operation": "user.add", "user_id": user.id, "role": user.role });
                audit(conn, key, &org.id, detail)?;
                Ok(user)
            })?;
            if let Some(password) = password {
                super::password::store(&mut conn, key, &user, &password)?;
            }
            print(
                json,
                &user,
                &format!("user {} ({}), {}", user.name, user.id, user.role),
            )
        }
        AdminCommand::Device {
            command:
                DeviceCommand::EnrolCode {
                    user,
                    server,
                    qr_png: png_path,
                    json,
                },
        } => {
            let user = users::find(&mut conn, &user)?;
            let minutes = config.access.enrolment_code_minutes;
            let (code, expires_at) = issue(
                &mut conn,
                key,
                &Actor::cli(),
                &user,
                casesync_schema::now_millis(),
                minutes,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let server = server
                .or_else(|| Some(config.access.public_url.clone()).filter(|u| !u.is_empty()))
                .unwrap_or_else(|| format!("http://{}", config.listen));
            let link = enrol_link(&server, &code);
            if let Some(path) = png_path {
                let png = qr_png(&link).map_err(|e| anyhow::anyhow!("{e}"))?;
                std::fs::write(&path, png)?;
            }
            let art = qr_text_art(&link).map_err(|e| anyhow::anyhow!("{e}"))?;
            print(
                json,
                &json!({ "code": code, "user_id": user.id, "expires_at": expires_at, "qr_text": link }),
                &format!(
                    "{art}\nenrolment code for {} ({}): {code}\nvalid {minutes} minutes, once",
                    user.name, user.role
                ),
            )
        }
        AdminCommand::Device {
            command: DeviceCommand::Add { user, name, json },
        } => {
            let user = users::find(&mut conn, &user)?;
            let device = write_tx(&mut conn, |conn| {
                let device = devices::enrol(conn, &user.id, &name, None)?;
                let detail = json!({ "operation": "device.add", "device_id": device.device_id, "user_id": user.id });
                audit(conn, key, &user.organisation_id, detail)?;
                Ok(device)
            })?;
            print(
                json,
                &device,
                &format!(
                    "device {} ({}) for {}\ntoken (shown once): {}",
                    device.name, device.device_id, user.name, device.token
                ),
            )
        }
    }
}

/// Records an admin action in the audit trail, as done from the command line, inside the
/// transaction of the action itself.
pub(super) fn audit(
    conn: &mut DbConn,
    key: &ChainKey,
    organisation: &str,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    let entry = AuditEvent::new(AuditAction::Admin)
        .organisation(organisation)
        .detail(detail)
        .entry(&Actor::cli(), casesync_schema::now_millis());
    casesync_schema::access::audit::append_in(conn, key, &[entry])?;
    Ok(())
}

pub(super) fn print<T: Serialize>(json: bool, value: &T, human: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{human}");
    }
    Ok(())
}
