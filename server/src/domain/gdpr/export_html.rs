//! The subject access export as a page a person can read and print.

use std::fmt::Write;

use casesync_contract::i18n::Language;

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

/// A section: its title and column heads are catalogue keys (`export-<title>`,
/// `export-col-<head>`).
fn table(out: &mut String, lang: Language, title: &str, head: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(
        out,
        "<h2>{}</h2>",
        escape(lang.t(&format!("export-{title}")))
    );
    if rows.is_empty() {
        let _ = write!(out, "<p>{}</p>", escape(lang.t("export-none")));
        return;
    }
    out.push_str("<table><tr>");
    for h in head {
        let _ = write!(
            out,
            "<th>{}</th>",
            escape(lang.t(&format!("export-col-{h}")))
        );
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

/// The page's only style, inline so that the export is one self-contained file; the
/// server's content policy allows it by its hash ([`crate::security_headers`]).
pub const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:60em}\
table{border-collapse:collapse;margin-bottom:1em}\
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}";

/// The export in `lang`: its headings and dates; what people wrote stays as written.
pub fn render(export: &SubjectAccessExport, lang: Language) -> String {
    let time = |ms: i64| lang.date_time(ms);
    let mut out = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>",
        lang.code(),
        escape(lang.t("export-title"))
    );
    out.push_str(STYLE);
    out.push_str("</style></head><body>");
    let _ = write!(
        out,
        "<h1>{}</h1><p>{}</p>",
        escape(&lang.fill("export-heading", &[("case", &export.reference)])),
        escape(&lang.fill(
            "export-exported",
            &[
                ("at", &time(export.exported_at)),
                ("user", &export.exported_by)
            ]
        )),
    );
    let case = &export.case;
    table(
        &mut out,
        lang,
        "profile",
        &["field", "value"],
        case.profile
            .iter()
            .map(|(k, v)| {
                vec![
                    lang.label("profile-", k).to_string(),
                    v.as_str().to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "timeline",
        &["when", "what", "details", "recorded_by"],
        export
            .timeline
            .iter()
            .map(|e| {
                vec![
                    time(e.observed_at),
                    e.label_in(lang).to_string(),
                    e.text.clone(),
                    e.author.clone(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "legal_bases",
        &["purpose", "basis", "given_by", "recorded"],
        case.legal_bases
            .iter()
            .map(|b| {
                vec![
                    b.purpose.as_str().to_string(),
                    lang.label("legal-basis-", b.basis.as_str()).to_string(),
                    b.given_by.as_str().to_string(),
                    time(b.recorded_at.0),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "referrals",
        &["to", "sent", "legal_basis", "categories", "cross_border"],
        case.referrals
            .iter()
            .map(|r| {
                vec![
                    r.to.as_str().to_string(),
                    time(r.sent_at.0),
                    lang.label("legal-basis-", r.legal_basis.as_str())
                        .to_string(),
                    r.categories
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    lang.t(if r.cross_border {
                        "common-yes"
                    } else {
                        "common-no"
                    })
                    .to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "shares",
        &[
            "organisation",
            "legal_basis",
            "purpose",
            "categories",
            "shared",
            "withdrawn",
        ],
        export
            .shares
            .iter()
            .map(|s| {
                vec![
                    s.organisation_id.clone(),
                    lang.label("legal-basis-", &s.legal_basis).to_string(),
                    s.purpose.clone(),
                    categories(lang, &s.data_categories),
                    time(s.shared_at),
                    s.withdrawn_at.map(&time).unwrap_or_default(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "sent",
        &["organisation", "version", "sent", "categories", "sha256"],
        export
            .shares
            .iter()
            .flat_map(|s| {
                s.sent.iter().map(|v| {
                    vec![
                        s.organisation_id.clone(),
                        v.version.to_string(),
                        time(v.sent_at),
                        categories(lang, &v.data_categories),
                        v.sha256.clone(),
                    ]
                })
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "attachments",
        &["type", "captured", "hash"],
        case.attachments
            .iter()
            .map(|a| {
                vec![
                    media_label(lang, a.media_type.as_str()),
                    time(a.captured_at.0),
                    a.sha256.as_str().to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang,
        "access",
        &["when", "action", "user", "device"],
        export
            .access_log
            .iter()
            .map(|e| {
                vec![
                    time(e.at),
                    lang.label("audit-action-", &e.action.replace('.', "-"))
                        .to_string(),
                    e.actor_user.clone().unwrap_or_else(|| {
                        lang.label("audit-actor_kind-", &e.actor_kind).to_string()
                    }),
                    e.actor_device.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    let hold = lang.t(if export.legal_hold.is_some() {
        "common-yes"
    } else {
        "common-no"
    });
    let _ = write!(
        out,
        "<p>{}</p></body></html>",
        escape(&lang.fill(
            "export-retention",
            &[
                ("class", lang.label("retention-", &export.retention_class)),
                ("hold", hold)
            ]
        )),
    );
    out
}

/// Data categories by their names in `lang` (an id the catalogue lacks stays as it is).
fn categories(lang: Language, ids: &[String]) -> String {
    ids.iter()
        .map(|c| lang.label("category-", c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "photo (JPEG)" rather than `image/jpeg`; a type the catalogue does not name stays as it is.
fn media_label(lang: Language, media_type: &str) -> String {
    lang.label("media-", &media_type.replace(['/', '.', '+'], "-"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
