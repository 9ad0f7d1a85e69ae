//! The subject access export as a page a person can read and print.

use std::fmt::Write;

use super::export::SubjectAccessExport;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn table(out: &mut String, title: &str, head: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(out, "<h2>{}</h2>", escape(title));
    if rows.is_empty() {
        out.push_str("<p>None.</p>");
        return;
    }
    out.push_str("<table><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn time(ms: i64) -> String {
    // Milliseconds since the epoch, shown as UTC date and time.
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Gregorian date of a day number (days since 1970-01-01), after Howard Hinnant's method.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The page's only style, inline so that the export is one self-contained file; the
/// server's content policy allows it by its hash ([`crate::security_headers`]).
pub const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:60em}\
table{border-collapse:collapse;margin-bottom:1em}\
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}";

pub fn render(export: &SubjectAccessExport) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Subject access export</title><style>",
    );
    out.push_str(STYLE);
    out.push_str("</style></head><body>");
    let _ = write!(
        out,
        "<h1>Subject access export: case {}</h1><p>Exported {} by user {}.</p>",
        escape(&export.reference),
        time(export.exported_at),
        escape(&export.exported_by)
    );
    let case = &export.case;
    table(
        &mut out,
        "Profile",
        &["field", "value"],
        case.profile
            .iter()
            .map(|(k, v)| vec![k.clone(), v.as_str().to_string()])
            .collect(),
    );
    table(
        &mut out,
        "Timeline",
        &["when", "what", "details", "recorded by"],
        export
            .timeline
            .iter()
            .map(|e| {
                vec![
                    time(e.observed_at),
                    e.label.clone(),
                    e.text.clone(),
                    e.author.clone(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Legal bases",
        &["purpose", "basis", "given by", "recorded"],
        case.legal_bases
            .iter()
            .map(|b| {
                vec![
                    b.purpose.as_str().to_string(),
                    b.basis.as_str().to_string(),
                    b.given_by.as_str().to_string(),
                    time(b.recorded_at.0),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Referrals and cross-border notifications",
        &[
            "to",
            "sent",
            "legal basis",
            "data categories",
            "cross-border",
        ],
        case.referrals
            .iter()
            .map(|r| {
                vec![
                    r.to.as_str().to_string(),
                    time(r.sent_at.0),
                    r.legal_basis.as_str().to_string(),
                    r.categories
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if r.cross_border { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Shared with other organisations",
        &[
            "organisation",
            "legal basis",
            "purpose",
            "data categories",
            "shared",
            "withdrawn",
        ],
        export
            .shares
            .iter()
            .map(|s| {
                vec![
                    s.organisation_id.clone(),
                    s.legal_basis.clone(),
                    s.purpose.clone(),
                    s.data_categories.join(", "),
                    time(s.shared_at),
                    s.withdrawn_at.map(time).unwrap_or_default(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "What was sent to them",
        &[
            "organisation",
            "version",
            "sent",
            "data categories",
            "SHA-256 of the content",
        ],
        export
            .shares
            .iter()
            .flat_map(|s| {
                s.sent.iter().map(|v| {
                    vec![
                        s.organisation_id.clone(),
                        v.version.to_string(),
                        time(v.sent_at),
                        v.data_categories.join(", "),
                        v.sha256.clone(),
                    ]
                })
            })
            .collect(),
    );
    table(
        &mut out,
        "Attachments",
        &["type", "captured", "SHA-256"],
        case.attachments
            .iter()
            .map(|a| {
                vec![
                    a.media_type.as_str().to_string(),
                    time(a.captured_at.0),
                    a.sha256.as_str().to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Who accessed the case",
        &["when", "action", "user", "device"],
        export
            .access_log
            .iter()
            .map(|e| {
                vec![
                    time(e.at),
                    e.action.clone(),
                    e.actor_user.clone().unwrap_or_else(|| e.actor_kind.clone()),
                    e.actor_device.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    let _ = write!(
        out,
        "<p>Retention class: {}. Legal hold: {}.</p></body></html>",
        escape(&export.retention_class),
        if export.legal_hold.is_some() {
            "yes"
        } else {
            "no"
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_formats_dates() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
        assert_eq!(time(0), "1970-01-01 00:00 UTC");
        assert_eq!(time(1_795_852_800_000), "2026-11-28 08:00 UTC");
    }
}
