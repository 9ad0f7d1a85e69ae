//! The case page's record of sharing: each share with its organisation, legal basis and
//! categories, whether it stands, and every version of the view sent under it (time,
//! categories, SHA-256 of the content), so a coordinator can say exactly what a partner
//! received and when. Shown to the owning organisation only (the page is theirs).

use casesync_contract::wire::CaseShare;
use maud::{html, Markup};

use super::format::utc_minute;
use super::i18n::Lang;
use super::layout::badge;

/// A share and the name of the organisation it went to.
pub type NamedShare = (CaseShare, String);

pub fn shares(lang: Lang, shares: &[NamedShare]) -> Markup {
    html! {
        section aria-labelledby="shares-h" {
            h2 #shares-h { (lang.t("shares.title")) }
            @if shares.is_empty() {
                p.muted { (lang.t("shares.none")) }
            }
            @for (share, organisation) in shares {
                article.share {
                    h3 {
                        (organisation) " "
                        @match share.withdrawn_at {
                            Some(at) => (badge("withdrawn", &lang.fill("shares.withdrawn", &[("t", &utc_minute(lang, at))]))),
                            None => (badge("active", lang.t("shares.active"))),
                        }
                    }
                    p {
                        (lang.t("shares.basis")) ": " (lang.label("legal-basis-", &share.legal_basis)) " · "
                        (lang.t("shares.purpose")) ": " (share.purpose)
                    }
                    p { (lang.t("shares.categories")) ": " (share.data_categories.join(", ")) }
                    @if !share.sent.is_empty() {
                        table {
                            thead { tr {
                                th { (lang.t("shares.version")) }
                                th { (lang.t("case.when")) }
                                th { (lang.t("shares.categories")) }
                                th { "SHA-256" }
                            } }
                            tbody {
                                @for sent in &share.sent {
                                    tr {
                                        td { (sent.version) }
                                        td { (utc_minute(lang, sent.sent_at)) }
                                        td { (sent.data_categories.join(", ")) }
                                        td { code { (sent.sha256) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
