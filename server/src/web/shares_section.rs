//! The case page's record of sharing: each share with its organisation, legal basis and
//! categories, whether it stands, and every version of the view sent under it (time,
//! categories, SHA-256 of the content), so a coordinator can say exactly what a partner
//! received and when. For an organisation on a peer server: which server, every message
//! that crossed to it (pending, sent or refused) and who there acknowledged the alerts.
//! Shown to the owning organisation only (the page is theirs).

use casesync_contract::wire::{CaseShare, ShareAcross};
use maud::{html, Markup};

use super::format::utc_minute;
use super::i18n::Lang;
use super::layout::badge;

/// A share and the name of the organisation it went to.
pub type NamedShare = (CaseShare, String);

/// Data categories by their names in the page's language.
pub fn category_names<S: AsRef<str>>(lang: Lang, categories: &[S]) -> String {
    categories
        .iter()
        .map(|c| lang.label("category-", c.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn shares(lang: Lang, shares: &[NamedShare]) -> Markup {
    html! {
        section #shares aria-labelledby="shares-h" {
            h2 #shares-h { (lang.t("shares.title")) }
            @if shares.is_empty() {
                p.muted { (lang.t("shares.none")) }
            }
            @for (share, organisation) in shares {
                article.share {
                    h3 {
                        (organisation) " "
                        @if let Some(across) = &share.peer {
                            span.muted { (lang.fill("shares.server", &[("server", &across.server)])) } " "
                        }
                        @match share.withdrawn_at {
                            Some(at) => (badge("withdrawn", &lang.fill("shares.withdrawn", &[("t", &utc_minute(lang, at))]))),
                            None => (badge("active", lang.t("shares.active"))),
                        }
                    }
                    p {
                        (lang.t("shares.basis")) ": " (lang.label("legal-basis-", &share.legal_basis)) " · "
                        (lang.t("shares.purpose")) ": " (share.purpose)
                    }
                    p { (lang.t("shares.categories")) ": " (category_names(lang, &share.data_categories)) }
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
                                        td { (category_names(lang, &sent.data_categories)) }
                                        td { code { (sent.sha256) } }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(across) = &share.peer {
                        (crossed(lang, across))
                    }
                }
            }
        }
    }
}

/// What crossed to the peer server under a share, and its acknowledgements.
fn crossed(lang: Lang, across: &ShareAcross) -> Markup {
    html! {
        h4 { (lang.fill("shares.crossed", &[("server", &across.server)])) }
        ul.peer-messages {
            @for message in &across.messages {
                li {
                    (lang.lookup(&format!("shares-kind-{}", message.kind)).unwrap_or(&message.kind))
                    " · " (lang.t("shares.queued")) " " (utc_minute(lang, message.queued_at)) " · "
                    @if let Some(at) = message.sent_at {
                        (badge("sent", &format!("{} {}", lang.t("shares.sent"), utc_minute(lang, at))))
                    } @else if let Some(reason) = &message.refused {
                        (badge("refused", &lang.fill("shares.refused", &[("reason", reason)])))
                    } @else {
                        (badge("waiting", &lang.fill("shares.waiting", &[
                            ("attempts", &message.attempts.to_string()),
                            ("error", message.last_error.as_deref().unwrap_or("-")),
                        ])))
                    }
                }
            }
        }
        @for ack in &across.acknowledgements {
            p.acknowledged {
                (lang.fill("shares.acknowledged", &[
                    ("name", &ack.name),
                    ("organisation", &ack.organisation),
                    ("server", &ack.server),
                    ("t", &utc_minute(lang, ack.acknowledged_at)),
                ]))
            }
        }
    }
}
