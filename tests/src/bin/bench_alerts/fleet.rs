//! The phones: one organisation with one reception centre; the reporter enrolled through
//! `casesync admin ... --json` like an operator would, the N listening phones (reception
//! staff of the same centre, so the centre's alert document is theirs) written straight into
//! the same database in one transaction, the way `casesync admin` writes them: a thousand
//! CLI processes would take minutes and measure nothing of interest.

use anyhow::Context;
use casesync_contract::Role;
use casesync_schema::connection::write_tx;
use casesync_schema::directory::{devices, users};
use casesync_schema::open_pool;

use casesync_tests::process::Casesync;

#[derive(Clone)]
pub struct Phone {
    pub device_id: String,
    pub user_id: String,
    pub token: String,
}

pub struct Fleet {
    pub organisation: String,
    pub site: String,
    pub reporter: Phone,
    pub listeners: Vec<Phone>,
}

fn text(value: &serde_json::Value, key: &str) -> anyhow::Result<String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no \"{key}\" in {value}"))
}

pub fn enrol(casesync: &Casesync, listeners: usize) -> anyhow::Result<Fleet> {
    let org = text(&casesync.admin(&["org", "add", "Bench Org"])?, "id")?;
    let site = text(
        &casesync.admin(&["site", "add", "--org", &org, "Bench Centre"])?,
        "id",
    )?;
    let user = text(
        &casesync.admin(&[
            "user",
            "add",
            "--org",
            &org,
            "--site",
            &site,
            "--role",
            "reception_staff",
            "reporter",
        ])?,
        "id",
    )?;
    let device = casesync.admin(&["device", "add", "--user", &user, "reporter's phone"])?;
    let reporter = Phone {
        device_id: text(&device, "device_id")?,
        user_id: user,
        token: text(&device, "token")?,
    };
    let (pool, _) = open_pool(&casesync.database_url, 1)?;
    let mut conn = pool.get()?;
    let listeners = write_tx(&mut conn, |conn| {
        (0..listeners)
            .map(|i| {
                let name = format!("staff{i}");
                let user = users::create(conn, &org, Some(&site), Role::ReceptionStaff, &name)?;
                let device = devices::enrol(conn, &user.id, &format!("{name}'s phone"), None)?;
                Ok(Phone {
                    device_id: device.device_id,
                    user_id: user.id,
                    token: device.token,
                })
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(Fleet {
        organisation: org,
        site,
        reporter,
        listeners,
    })
}
