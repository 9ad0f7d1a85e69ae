//! Times as people read them, in the page's language: the date and minute (UTC, month names
//! from the catalogue, 24-hour clock; `casesync_contract::i18n` formats them, as phones do),
//! and durations.

use super::i18n::Lang;

/// `28 Nov 2026, 08:05 UTC` / `28 νοε 2026, 08:05 UTC`.
pub fn utc_minute(lang: Lang, ms: i64) -> String {
    lang.date_time(ms)
}

/// `28 Nov 08:05`: for tight places (axis labels, table cells), with the full time in a
/// `title`.
pub fn short_minute(lang: Lang, ms: i64) -> String {
    lang.short_date_time(ms)
}

/// A duration: `45 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration(lang: Lang, ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if days > 0 {
        lang.fill(
            "common.days",
            &[("d", &days.to_string()), ("h", &hours.to_string())],
        )
    } else if hours > 0 {
        lang.fill(
            "common.hours",
            &[("h", &hours.to_string()), ("m", &mins.to_string())],
        )
    } else {
        lang.fill("common.minutes", &[("n", &mins.to_string())])
    }
}

/// `3 h 20 min ago` or `in 20 min`.
pub fn relative(lang: Lang, at: i64, now: i64) -> String {
    if at <= now {
        lang.fill("common.ago", &[("d", &duration(lang, now - at))])
    } else {
        lang.fill("common.in", &[("d", &duration(lang, at - now))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_durations_read_right() {
        assert_eq!(
            utc_minute(Lang::En, 1_795_852_800_000),
            "28 Nov 2026, 08:00 UTC"
        );
        assert_eq!(utc_minute(Lang::It, 0), "1 gen 1970, 00:00 UTC");
        assert_eq!(short_minute(Lang::Fr, 1_795_852_800_000), "28 nov. 08:00");
        assert_eq!(duration(Lang::En, 200 * 60_000), "3 h 20 min");
        assert_eq!(duration(Lang::Fr, 3 * 86_400_000), "3 j 0 h");
        assert_eq!(duration(Lang::El, 45 * 60_000), "45 λεπ.");
        assert_eq!(relative(Lang::En, 0, 5 * 60_000), "5 min ago");
        assert_eq!(relative(Lang::Nl, 0, 5 * 60_000), "5 min geleden");
    }
}
