//! The texts people read, in the handbook's five languages, shared by phones and server.
//!
//! The words live in Fluent files, `mobile-contract/locales/<code>/casesync.ftl`, which
//! translators edit without touching Rust (docs/languages.md); they are compiled into this
//! crate, so a phone app and the server render the same key alike. The server writes keys and
//! arguments where a phone must show a text in its own user's language (alert documents:
//! [`crate::alerts::AlertMessage`]) and renders pages with the same catalogue.
//!
//! ```
//! use casesync_contract::i18n::Language;
//! assert_eq!(Language::It.t("state.missing"), "scomparso/a");
//! assert_eq!(Language::Nl.fill("cases.count", &[("n", "1")]), "1 dossier");
//! ```
//!
//! Keys: a Fluent message id such as `nav-alerts`. Code may write it with dots
//! (`nav.alerts`), as the pages do; [`message_id`] maps every dot to a dash, nothing else.

mod catalogue;
mod dates;
mod language;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

pub use catalogue::Catalogue;
pub use language::Language;

use std::borrow::Cow;

/// The Fluent message id of a key: `nav.alerts` and `nav-alerts` are both `nav-alerts`.
pub fn message_id(key: &str) -> Cow<'_, str> {
    if key.contains('.') {
        Cow::Owned(key.replace('.', "-"))
    } else {
        Cow::Borrowed(key)
    }
}
