//! `casesync admin import FILE.csv`: organisations, sites, users and their phones in one
//! command, over one database connection (each `casesync admin` call opens the database and
//! checks its migrations; scripting hundreds of them took minutes).
//!
//! One row per person, with a header row:
//!
//! ```csv
//! organisation,site,role,name,device,language
//! Reception Italy,Centro Lampedusa,reception_staff,Giulia,code,it
//! Reception Italy,,coordinator,Chiara,,
//! ```
//!
//! Organisations and sites are created when they do not exist yet, and a person who already
//! exists in the organisation is kept as they are: running the same file twice creates
//! nothing twice. `device` is `code` (a one-time enrolment code, on the printable sheet),
//! `token` (a device enrolled now; its token is printed once, in the JSON output) or empty.
//! `language` (optional column: `en`, `nl`, `fr`, `el` or `it`) is a new person's setting;
//! empty, they read their site's country's language. Each card of the sheet is in its
//! person's language.
//! Every row is checked before anything is written: a file with one bad row changes nothing.
//! Should the database fail midway, run the file again: what was created is found, not
//! created twice (enrolment codes and tokens are issued again for the rows that ask for them).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use casesync_contract::Role;
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::connection::write_tx;
use casesync_schema::directory::{devices, organisations, sites, users};
use casesync_schema::DbConn;
use serde::Serialize;
use serde_json::json;

use super::enrolment_sheet::{card, sheet_html, Holder};
use crate::config::Config;
use crate::domain::audit::Actor;
use crate::domain::enrolment::{enrol_link, issue};
use crate::domain::enrolment_qr::qr_png_base64;
use crate::web::i18n::Lang;

const HEADER: [&str; 5] = ["organisation", "site", "role", "name", "device"];
/// The optional last column.
const LANGUAGE: &str = "language";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    line: usize,
    organisation: String,
    site: Option<String>,
    role: Role,
    name: String,
    device: Device,
    language: Option<Lang>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Device {
    None,
    Code,
    Token,
}

#[derive(Serialize)]
struct Imported {
    line: usize,
    name: String,
    user_id: String,
    role: String,
    created: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    enrolment_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_token: Option<String>,
}

pub fn run(
    config: &Config,
    conn: &mut DbConn,
    key: &ChainKey,
    file: &Path,
    sheet: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = parse(&text)?;
    let started = std::time::Instant::now();
    let server = Some(config.access.public_url.clone())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let mut orgs: HashMap<String, String> = HashMap::new();
    let mut site_ids: HashMap<(String, String), String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut cards = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        progress(n, rows.len());
        let org_id = match orgs.get(&row.organisation) {
            Some(id) => id.clone(),
            None => {
                let id = match organisations::find(conn, &row.organisation) {
                    Ok(org) => org.id,
                    Err(casesync_schema::DbError::NotFound(_)) => {
                        // Each creation and its audit entry in one transaction.
                        write_tx(conn, |conn| {
                            let org = organisations::create(conn, &row.organisation)?;
                            let detail = json!({ "operation": "org.add", "organisation_id": org.id, "via": "import" });
                            super::admin::audit(conn, key, &org.id, detail)?;
                            Ok(org.id)
                        })?
                    }
                    Err(e) => return Err(e.into()),
                };
                orgs.insert(row.organisation.clone(), id.clone());
                id
            }
        };
        let site_id = match &row.site {
            None => None,
            Some(site) => Some(match site_ids.get(&(org_id.clone(), site.clone())) {
                Some(id) => id.clone(),
                None => {
                    let id = match sites::find(conn, &org_id, site) {
                        Ok(s) => s.id,
                        Err(casesync_schema::DbError::NotFound(_)) => write_tx(conn, |conn| {
                            let s = sites::create(conn, &org_id, site)?;
                            let detail = json!({ "operation": "site.add", "site_id": s.id, "via": "import" });
                            super::admin::audit(conn, key, &org_id, detail)?;
                            Ok(s.id)
                        })?,
                        Err(e) => return Err(e.into()),
                    };
                    site_ids.insert((org_id.clone(), site.clone()), id.clone());
                    id
                }
            }),
        };
        let (user, created) = match users::find_in(conn, &org_id, &row.name)? {
            Some(user) => (user, false),
            None => {
                let user = write_tx(conn, |conn| {
                    let mut user =
                        users::create(conn, &org_id, site_id.as_deref(), row.role, &row.name)?;
                    if let Some(language) = row.language {
                        users::set_language(conn, &user.id, language)?;
                        user.language = Some(language.code().to_string());
                    }
                    let detail = json!({ "operation": "user.add", "user_id": user.id, "role": user.role, "via": "import" });
                    super::admin::audit(conn, key, &org_id, detail)?;
                    Ok(user)
                })?;
                (user, true)
            }
        };
        let mut imported = Imported {
            line: row.line,
            name: user.name.clone(),
            user_id: user.id.clone(),
            role: user.role.clone(),
            created,
            enrolment_code: None,
            device_token: None,
        };
        match row.device {
            Device::None => {}
            Device::Code => {
                let minutes = config.access.enrolment_code_minutes;
                let (code, expires_at) = issue(
                    conn,
                    key,
                    &Actor::cli(),
                    &user,
                    casesync_schema::now_millis(),
                    minutes,
                )
                .map_err(|e| anyhow::anyhow!("line {}: {e}", row.line))?;
                let link = enrol_link(&server, &code);
                let qr = qr_png_base64(&link).map_err(|e| anyhow::anyhow!("{e}"))?;
                let lang = users::language(conn, &user)?;
                let place = row.site.as_deref().unwrap_or(&row.organisation);
                let holder = Holder {
                    name: &row.name,
                    role: row.role,
                    place,
                };
                cards.push(card(&holder, lang, &code, expires_at, &qr));
                imported.enrolment_code = Some(code);
            }
            Device::Token => {
                let device = write_tx(conn, |conn| {
                    let name = format!("{}'s phone", user.name);
                    let device = devices::enrol(conn, &user.id, &name, None)?;
                    let detail = json!({ "operation": "device.add", "device_id": device.device_id, "user_id": user.id, "via": "import" });
                    super::admin::audit(conn, key, &org_id, detail)?;
                    Ok(device)
                })?;
                imported.device_token = Some(device.token);
            }
        }
        out.push(imported);
    }
    progress(rows.len(), rows.len());
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!();
    }
    if let Some(path) = sheet {
        std::fs::write(path, sheet_html(&cards))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let created = out.iter().filter(|i| i.created).count();
    let seconds = started.elapsed().as_secs_f64();
    super::admin::print(
        json,
        &json!({ "rows": out.len(), "created": created, "seconds": seconds, "people": out }),
        &format!(
            "{} rows, {created} people created, {} enrolment codes{} in {seconds:.1} s",
            out.len(),
            cards.len(),
            sheet
                .map(|p| format!(" (sheet: {})", p.display()))
                .unwrap_or_default()
        ),
    )
}

/// The rows of `text`, all checked: any bad row refuses the file, naming every bad line.
fn parse(text: &str) -> anyhow::Result<Vec<Row>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        bail!("the file is empty");
    };
    let header: Vec<String> = fields(header)
        .into_iter()
        .map(|h| h.to_lowercase())
        .collect();
    let with_language =
        header.len() == HEADER.len() + 1 && header.last().is_some_and(|h| h == LANGUAGE);
    if header[..header.len().min(HEADER.len())] != HEADER
        || (header.len() != HEADER.len() && !with_language)
    {
        bail!(
            "the first line must be the header: {} (and optionally ,{LANGUAGE})",
            HEADER.join(",")
        );
    }
    let columns = header.len();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in lines {
        let number = i + 1;
        match row(number, &fields(line), columns) {
            Ok(row) => rows.push(row),
            Err(why) => problems.push(format!("line {number}: {why}")),
        }
    }
    if !problems.is_empty() {
        bail!("nothing imported:\n{}", problems.join("\n"));
    }
    Ok(rows)
}

fn row(line: usize, fields: &[String], columns: usize) -> Result<Row, String> {
    if fields.len() != columns {
        return Err(format!("{} fields, expected {columns}", fields.len()));
    }
    let text = |i: usize| fields[i].trim().to_string();
    let role = Role::parse(&text(2)).ok_or_else(|| {
        format!(
            "unknown role \"{}\"; one of: {}",
            text(2),
            Role::ALL.map(|r| r.as_str()).join(", ")
        )
    })?;
    let site = Some(text(1)).filter(|s| !s.is_empty());
    if site.is_none() && matches!(role, Role::OutreachWorker | Role::ReceptionStaff) {
        return Err(format!(
            "{} belongs to a site: the site is empty",
            role.as_str()
        ));
    }
    let device = match text(4).as_str() {
        "" => Device::None,
        "code" => Device::Code,
        "token" => Device::Token,
        other => return Err(format!("device \"{other}\": code, token or empty")),
    };
    if text(0).is_empty() || text(3).is_empty() {
        return Err("organisation and name must not be empty".into());
    }
    let language = match fields.get(HEADER.len()).map(|l| l.trim()) {
        None | Some("") => None,
        Some(code) => Some(Lang::parse(code).ok_or_else(|| {
            format!(
                "language \"{code}\"; one of: {}",
                Lang::ALL.map(|l| l.code()).join(", ")
            )
        })?),
    };
    Ok(Row {
        line,
        organisation: text(0),
        site,
        role,
        name: text(3),
        device,
        language,
    })
}

/// The fields of one CSV line: commas separate, double quotes enclose a field that holds
/// commas, and a doubled quote inside one is a quote.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = out.last_mut() {
                    f.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// A bar redrawn in place for a person at a terminal; a line every 50 rows (and at the end)
/// for a log.
fn progress(done: usize, total: usize) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        if done == total || (done > 0 && done.is_multiple_of(50)) {
            eprintln!("imported {done}/{total}");
        }
        return;
    }
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    eprint!(
        "\r[{}{}] {done}/{total}",
        "#".repeat(filled),
        ".".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_csv_quoting() {
        assert_eq!(fields("a,b,,d"), vec!["a", "b", "", "d"]);
        assert_eq!(
            fields(r#""Centro, Lampedusa","say ""hi""",x"#),
            vec!["Centro, Lampedusa", r#"say "hi""#, "x"]
        );
    }

    #[test]
    fn a_file_with_a_bad_row_is_refused_whole_naming_each_line() {
        let text = "organisation,site,role,name,device\n\
                    Org,Site,reception_staff,Giulia,code\n\
                    Org,,reception_staff,Marco,\n\
                    Org,,chef,Anna,\n\
                    Org,Site,coordinator,Chiara,phone\n";
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("line 3: reception_staff belongs to a site"),
            "{err}"
        );
        assert!(err.contains("line 4: unknown role \"chef\""), "{err}");
        assert!(err.contains("line 5: device \"phone\""), "{err}");
        let good = "organisation,site,role,name,device\nOrg,Site,reception_staff,Giulia,code\n";
        let rows = parse(good).unwrap();
        assert_eq!(rows[0].device, Device::Code);
        assert_eq!(rows[0].line, 2);
        assert!(parse("name\nx").is_err());
    }

    #[test]
    fn a_language_column_is_optional_and_checked() {
        let text = "organisation,site,role,name,device,language\n\
                    Org,Site,reception_staff,Giulia,code,it\n\
                    Org,,coordinator,Chiara,,\n";
        let rows = parse(text).unwrap();
        assert_eq!(rows[0].language, Some(Lang::It));
        assert_eq!(rows[1].language, None);
        let bad = "organisation,site,role,name,device,language\nOrg,,coordinator,Ana,,xx\n";
        let err = parse(bad).unwrap_err().to_string();
        assert!(err.contains("line 2: language \"xx\""), "{err}");
        let short = "organisation,site,role,name,device,language\nOrg,,coordinator,Ana,\n";
        assert!(
            parse(short).is_err(),
            "a row must have the header's columns"
        );
        assert!(parse("organisation,site,role,name,device,colour\n").is_err());
    }
}
