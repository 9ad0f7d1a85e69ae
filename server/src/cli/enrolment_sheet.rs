//! The printable sheet of enrolment codes `casesync admin import --sheet` writes: one card
//! per person, in the language that person reads, with the QR code their phone scans.

use std::collections::HashMap;

use casesync_contract::Role;

use crate::web::i18n::Lang;

/// Whom a card is for.
pub(super) struct Holder<'a> {
    pub name: &'a str,
    pub role: Role,
    /// Their site, or their organisation when they have none.
    pub place: &'a str,
}

/// One person's card, in the language they read (their own setting, else their site's
/// country's).
pub(super) fn card(
    holder: &Holder<'_>,
    lang: Lang,
    code: &str,
    expires_at: i64,
    qr_base64: &str,
) -> Card {
    let until = crate::web::format::utc_minute(lang, expires_at);
    let markup = maud::html! {
        article lang=(lang.code()) {
            img src={ "data:image/png;base64," (qr_base64) } width="160" height="160"
                alt=(lang.fill("devices.qr_alt", &[("name", holder.name)]));
            h2 { (holder.name) }
            p { (lang.t(&format!("role.{}", holder.role.as_str()))) " · " (holder.place) }
            p { (lang.fill("devices.enrol_code", &[("code", code), ("t", &until)])) }
            p { code { (code) } }
        }
    };
    Card { lang, markup }
}

pub(super) struct Card {
    lang: Lang,
    markup: maud::Markup,
}

/// The printable sheet. Its title and warning are in the language most of its cards use
/// (English on a tie): the person who prints it usually shares their colleagues' language.
pub(super) fn sheet_html(cards: &[Card]) -> String {
    let mut counts: HashMap<Lang, usize> = HashMap::new();
    for card in cards {
        *counts.entry(card.lang).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    let leaders: Vec<Lang> = Lang::ALL
        .into_iter()
        .filter(|l| counts.get(l) == Some(&top))
        .collect();
    let lang = match leaders.as_slice() {
        [only] => *only,
        _ => Lang::En,
    };
    maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                title { (lang.t("sheet.title")) }
                style { (SHEET_STYLE) }
            }
            body {
                h1 { (lang.t("sheet.title")) }
                p { (lang.t("sheet.warning")) }
                main { @for card in cards { (card.markup) } }
            }
        }
    }
    .into_string()
}

const SHEET_STYLE: &str = "body{font-family:sans-serif}main{display:grid;\
    grid-template-columns:repeat(3,1fr);gap:12px}article{border:1px solid #888;padding:8px;\
    break-inside:avoid}code{font-size:1.2em}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_card_reads_in_its_persons_language_and_the_sheet_in_most_cards() {
        let row = |name: &'static str| Holder {
            name,
            role: Role::ReceptionStaff,
            place: "Centro <Lampedusa>",
        };
        let cards = vec![
            card(&row("Giulia"), Lang::It, "ABCD-1234", 0, "iVBO"),
            card(&row("Marco"), Lang::It, "EFGH-5678", 0, "iVBO"),
            card(&row("Sam"), Lang::En, "IJKL-9012", 0, "iVBO"),
        ];
        let html = sheet_html(&cards);
        assert!(html.contains("<html lang=\"it\">"), "{html}");
        assert!(html.contains("<h1>Codici di registrazione</h1>"), "{html}");
        assert!(html.contains("<article lang=\"en\">"));
        assert!(
            html.contains("Scansionate questo codice"),
            "Giulia's card in Italian"
        );
        assert!(
            html.contains("Scan this code with the phone"),
            "Sam's card in English"
        );
        assert!(html.contains("Centro &lt;Lampedusa&gt;"), "escaped");
        let tie = sheet_html(&cards[1..]);
        assert!(tie.contains("<html lang=\"en\">"), "English on a tie");
    }
}
