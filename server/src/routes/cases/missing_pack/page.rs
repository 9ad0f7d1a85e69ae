//! The missing pack as a page to print and hand to police: the photo, the child's name and
//! reference, what must still be filled in, and every item with its status. One self-contained
//! document (inline CSS, the photo as a `data:` URI) so that it prints the same from any
//! browser. Its words, item labels included, come from the shared catalogue ([`PageText`]).

use std::fmt::Write;

use casesync_contract::i18n::Language;
use casesync_contract::views::missing_pack::PackItemKind;
use casesync_contract::views::{ItemStatus, MissingPack};

use crate::domain::gdpr::export_html::escape;

/// What the page can show of the photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackPhotoEmbed {
    /// The case names no photo.
    None,
    /// A `data:image/jpeg;base64,...` URI.
    Jpeg(String),
    /// Named by the case, but the phone has not uploaded it yet.
    NotUploaded,
    /// Stored as a type no preview is drawn from (e.g. HEIC, PDF).
    NotPrintable(String),
    /// Stored, but could not be read now.
    Unavailable,
}

/// The page's words in one language, from the shared catalogue (`pack-*` keys).
pub struct PageText {
    pub language: Language,
    pub title: &'static str,
    pub reference: &'static str,
    pub status: &'static str,
    pub missing_since: &'static str,
    pub drawn_up: &'static str,
    pub before_handing_over: &'static str,
    pub missing_required: &'static str,
    pub stale: &'static str,
    pub complete: &'static str,
    pub item: &'static str,
    pub details: &'static str,
    pub state: &'static str,
    pub present: &'static str,
    pub missing: &'static str,
    pub stale_status: &'static str,
    pub not_required: &'static str,
    pub photo_alt: &'static str,
    pub no_photo: &'static str,
    pub photo_not_uploaded: &'static str,
    pub photo_not_printable: &'static str,
    pub photo_unavailable: &'static str,
    pub confidential: &'static str,
    pub print_hint: &'static str,
}

impl PageText {
    pub fn of(language: Language) -> Self {
        let t = |key| language.t(key);
        Self {
            language,
            title: t("pack.title"),
            reference: t("pack.reference"),
            status: t("pack.status"),
            missing_since: t("pack.missing_since"),
            drawn_up: t("pack.drawn_up"),
            before_handing_over: t("pack.before_handing_over"),
            missing_required: t("pack.missing_required"),
            stale: t("pack.stale"),
            complete: t("pack.complete"),
            item: t("pack.item"),
            details: t("pack.details"),
            state: t("pack.state"),
            present: t("pack.present"),
            missing: t("pack.missing"),
            stale_status: t("pack.stale_status"),
            not_required: t("pack.not_required"),
            photo_alt: t("pack.photo_alt"),
            no_photo: t("pack.no_photo"),
            photo_not_uploaded: t("pack.photo_not_uploaded"),
            photo_not_printable: t("pack.photo_not_printable"),
            photo_unavailable: t("pack.photo_unavailable"),
            confidential: t("pack.confidential"),
            print_hint: t("pack.print_hint"),
        }
    }

    /// An item's label in the page's language; the contract's English for an item the
    /// catalogue does not know (a newer contract).
    fn label<'a>(&self, pack: &'a MissingPack, key: &'a str) -> &'a str {
        self.language
            .lookup(&format!("pack-item-{key}"))
            .unwrap_or_else(|| label_of(pack, key))
    }
}

/// Inline so that the printed or saved page is one file; the server's content policy allows
/// it by its hash ([`crate::security_headers`]).
pub const STYLE: &str = "\
body{font-family:sans-serif;margin:2em auto;max-width:52em;color:#111;line-height:1.4}\
header{display:flex;gap:1.5em;align-items:flex-start}\
.photo img{width:12em;border:1px solid #555}\
.photo p{width:12em;border:1px dashed #555;padding:1em;font-style:italic}\
h1{margin:0 0 .3em}\
.todo{border:3px solid #b00000;padding:.5em 1em;margin:1em 0}\
.done{border:2px solid #2a6b2a;padding:.5em 1em;margin:1em 0}\
table{border-collapse:collapse;width:100%}\
td,th{border:1px solid #888;padding:.35em .5em;text-align:left;vertical-align:top}\
td.value{white-space:pre-line}\
.missing{color:#b00000;font-weight:bold}.stale{color:#8a5a00;font-weight:bold}\
footer{margin-top:1.5em;font-size:.9em}\
@page{margin:1.5cm}\
@media print{body{margin:0;max-width:none;font-size:11pt}.noprint{display:none}\
tr{page-break-inside:avoid}.todo,.done{border-width:2px}}";

/// The whole page.
/// The page; `flow_svg`, when given, is the response flow's picture (trusted SVG markup drawn
/// by `web::flow_svg`), placed after what is still to do.
pub fn render(
    pack: &MissingPack,
    photo: &PackPhotoEmbed,
    text: &PageText,
    flow_svg: Option<&str>,
) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}: {} ({})</title><style>{STYLE}</style></head><body><header>",
        text.language.code(),
        escape(text.title),
        escape(&pack.name),
        escape(&pack.reference),
    );
    photo_block(&mut out, pack, photo, text);
    let since = pack
        .missing_since
        .map(|at| format!(", {} {}", text.missing_since, text.language.date_time(at)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<div><h1>{}: {}</h1><p>{}: <strong>{}</strong><br>{}: <strong>{}{}</strong><br>\
         {}: {}</p></div></header>",
        escape(text.title),
        escape(&pack.name),
        escape(text.reference),
        escape(&pack.reference),
        escape(text.status),
        escape(text.language.t(&format!("state-{}", pack.status.as_str()))),
        escape(&since),
        escape(text.drawn_up),
        text.language.date_time(pack.generated_at),
    );
    to_do(&mut out, pack, text);
    if let Some(svg) = flow_svg {
        let _ = write!(out, "<figure class=\"flow\">{svg}</figure>");
    }
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape(text.item),
        escape(text.details),
        escape(text.state)
    );
    for item in &pack.items {
        let (class, word) = match (item.status, item.required) {
            (ItemStatus::Present, _) => ("present", text.present),
            (ItemStatus::Stale, _) => ("stale", text.stale_status),
            (ItemStatus::Missing, true) => ("missing", text.missing),
            (ItemStatus::Missing, false) => ("optional", text.not_required),
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"value\">{}</td>\
             <td class=\"{class}\">{}</td></tr>",
            escape(text.label(pack, &item.key)),
            escape(item.value.as_deref().unwrap_or("")),
            escape(word),
        );
    }
    let _ = write!(
        out,
        "</table><footer><p><strong>{}</strong></p><p class=\"noprint\">{}</p></footer>\
         </body></html>",
        escape(text.confidential),
        escape(text.print_hint),
    );
    out
}

fn photo_block(out: &mut String, pack: &MissingPack, photo: &PackPhotoEmbed, text: &PageText) {
    let taken = pack
        .photo
        .as_ref()
        .and_then(|p| p.captured_at)
        .map(|at| format!(", {}", text.language.date(at)))
        .unwrap_or_default();
    let note = match photo {
        PackPhotoEmbed::Jpeg(uri) => {
            // The URI is base64 made here: nothing in it needs escaping beyond the quote.
            let _ = write!(
                out,
                "<div class=\"photo\"><img src=\"{}\" alt=\"{} {}{}\"></div>",
                escape(uri),
                escape(text.photo_alt),
                escape(&pack.name),
                escape(&taken),
            );
            return;
        }
        PackPhotoEmbed::None => text.no_photo.to_string(),
        PackPhotoEmbed::NotUploaded => text.photo_not_uploaded.to_string(),
        PackPhotoEmbed::NotPrintable(media_type) => {
            format!("{} {media_type}", text.photo_not_printable)
        }
        PackPhotoEmbed::Unavailable => text.photo_unavailable.to_string(),
    };
    let _ = write!(out, "<div class=\"photo\"><p>{}</p></div>", escape(&note));
}

/// What staff must still do before the pack goes to police.
fn to_do(out: &mut String, pack: &MissingPack, text: &PageText) {
    if pack.missing_required.is_empty() && pack.stale.is_empty() {
        let _ = write!(out, "<p class=\"done\">{}</p>", escape(text.complete));
        return;
    }
    let _ = write!(
        out,
        "<section class=\"todo\"><h2>{}</h2>",
        escape(text.before_handing_over)
    );
    for (heading, keys) in [
        (text.missing_required, &pack.missing_required),
        (text.stale, &pack.stale),
    ] {
        if keys.is_empty() {
            continue;
        }
        let _ = write!(out, "<p>{}</p><ul>", escape(heading));
        for key in keys {
            let _ = write!(out, "<li>{}</li>", escape(text.label(pack, key)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn label_of<'a>(pack: &'a MissingPack, key: &'a str) -> &'a str {
    pack.items
        .iter()
        .find(|i| i.key == key)
        .map(|i| i.label.as_str())
        .or_else(|| {
            PackItemKind::ALL
                .iter()
                .find(|k| k.key() == key)
                .map(|k| k.label())
        })
        .unwrap_or(key)
}
