//! Times as people read them: UTC dates and minutes, and durations in the page's language.

use super::i18n::Lang;

/// `2026-11-28 08:05 UTC`.
pub fn utc_minute(ms: i64) -> String {
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

/// `11-28 08:05`: for tight places (axis labels, table cells), with the full time in a
/// `title`.
pub fn short_minute(ms: i64) -> String {
    let full = utc_minute(ms);
    full.get(5..16).unwrap_or(&full).to_string()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
        assert_eq!(utc_minute(1_795_852_800_000), "2026-11-28 08:00 UTC");
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(short_minute(1_795_852_800_000), "11-28 08:00");
        assert_eq!(duration(Lang::En, 200 * 60_000), "3 h 20 min");
        assert_eq!(duration(Lang::Fr, 3 * 86_400_000), "3 j 0 h");
        assert_eq!(relative(Lang::En, 0, 5 * 60_000), "5 min ago");
    }
}
