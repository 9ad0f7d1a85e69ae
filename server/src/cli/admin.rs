//! `casesync admin ...`: set up organisations, sites, users and devices from a script.

use casesync_contract::Role;
use casesync_schema::directory::{devices, organisations, sites, users};
use casesync_schema::open_pool;
use clap::Subcommand;
use serde::Serialize;

use crate::config::Config;

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
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum DeviceCommand {
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
    match command {
        AdminCommand::Org {
            command: OrgCommand::Add { name, json },
        } => {
            let org = organisations::create(&mut conn, &name)?;
            print(
                json,
                &org,
                &format!("organisation {} ({})", org.name, org.id),
            )
        }
        AdminCommand::Site {
            command: SiteCommand::Add { org, name, json },
        } => {
            let org = organisations::find(&mut conn, &org)?;
            let site = sites::create(&mut conn, &org.id, &name)?;
            print(
                json,
                &site,
                &format!("site {} ({}) of {}", site.name, site.id, org.name),
            )
        }
        AdminCommand::User {
            command:
                UserCommand::Add {
                    org,
                    site,
                    role,
                    name,
                    json,
                },
        } => {
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
            let user = users::create(
                &mut conn,
                &org.id,
                site.as_ref().map(|s| s.id.as_str()),
                role,
                &name,
            )?;
            print(
                json,
                &user,
                &format!("user {} ({}), {}", user.name, user.id, user.role),
            )
        }
        AdminCommand::Device {
            command: DeviceCommand::Add { user, name, json },
        } => {
            let user = users::find(&mut conn, &user)?;
            let device = devices::enrol(&mut conn, &user.id, &name, None)?;
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

fn print<T: Serialize>(json: bool, value: &T, human: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{human}");
    }
    Ok(())
}
