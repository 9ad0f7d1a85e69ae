//! `casesync admin user set-password` and `password-link`: how a person gets a password for
//! the coordinator pages. The password is read from standard input (never from the command
//! line, where `ps` and shell history would keep it) and never printed or logged.

use std::io::Read;

use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::connection::write_tx;
use casesync_schema::directory::users;
use casesync_schema::web::{credentials, password_links, sessions};
use clap::Args;
use serde_json::json;

use crate::config::Config;
use crate::web::passwords::{check_strength, hash, WeakPassword, MIN_LENGTH};

#[derive(Args)]
pub struct SetPassword {
    /// User id or name.
    #[arg(long)]
    user: String,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PasswordLink {
    /// User id or name.
    #[arg(long)]
    user: String,
    /// The address people use to reach the server; defaults to `access.public_url`.
    #[arg(long)]
    server: Option<String>,
    #[arg(long)]
    json: bool,
}

/// The password from standard input.
pub(super) fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    password_from(&text)
}

/// The password in what was read, without the one line ending a shell or `echo` adds.
fn password_from(text: &str) -> anyhow::Result<String> {
    let password = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
        .to_string();
    match check_strength(&password) {
        Ok(()) => Ok(password),
        Err(WeakPassword::TooShort) => anyhow::bail!(
            "the password on standard input must have at least {MIN_LENGTH} characters"
        ),
        Err(WeakPassword::TooLong) => anyhow::bail!("the password on standard input is too long"),
    }
}

pub fn set_password(
    conn: &mut casesync_schema::DbConn,
    key: &ChainKey,
    args: SetPassword,
) -> anyhow::Result<()> {
    let user = users::find(conn, &args.user)?;
    let password = read_password()?;
    let closed = store(conn, key, &user, &password)?;
    super::admin::print(
        args.json,
        &json!({ "user_id": user.id, "sessions_closed": closed }),
        &format!("password set for {} ({})", user.name, user.id),
    )
}

/// Hashes and stores a password, ends the person's open sessions (a new password signs
/// them out everywhere) and records it. Returns how many sessions were closed.
pub(super) fn store(
    conn: &mut casesync_schema::DbConn,
    key: &ChainKey,
    user: &users::User,
    password: &str,
) -> anyhow::Result<usize> {
    let phc = hash(password).map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    let closed = write_tx(conn, |conn| {
        credentials::set_password_hash(conn, &user.id, &phc)?;
        let closed = sessions::close_all_of(conn, &user.id)?;
        let detail = json!({ "operation": "user.set_password", "user_id": user.id });
        super::admin::audit(conn, key, &user.organisation_id, detail)?;
        Ok(closed)
    })?;
    Ok(closed)
}

pub fn password_link(
    config: &Config,
    conn: &mut casesync_schema::DbConn,
    key: &ChainKey,
    args: PasswordLink,
) -> anyhow::Result<()> {
    let user = users::find(conn, &args.user)?;
    let now = casesync_schema::now_millis();
    let hours = config.web.password_link_hours;
    let expires_at = now + i64::from(hours) * 3_600_000;
    let token = write_tx(conn, |conn| {
        let token = password_links::create(conn, &user.id, now, expires_at)?;
        let detail = json!({ "operation": "user.password_link", "user_id": user.id, "expires_at": expires_at });
        super::admin::audit(conn, key, &user.organisation_id, detail)?;
        Ok(token)
    })?;
    let server = args
        .server
        .or_else(|| Some(config.access.public_url.clone()).filter(|u| !u.is_empty()))
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let link = format!("{}/web/password/{token}", server.trim_end_matches('/'));
    super::admin::print(
        args.json,
        &json!({ "user_id": user.id, "link": link, "expires_at": expires_at }),
        &format!(
            "one-time link for {} to choose a password (valid {hours} hours):\n{link}",
            user.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::password_from;

    #[test]
    fn one_line_ending_is_dropped_and_short_passwords_refused() {
        assert_eq!(
            password_from("a long enough phrase\n").unwrap(),
            "a long enough phrase"
        );
        assert_eq!(
            password_from("a long enough phrase \r\n").unwrap(),
            "a long enough phrase "
        );
        assert!(password_from("short\n").is_err());
        assert!(password_from("").is_err());
    }
}
