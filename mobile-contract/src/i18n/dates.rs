//! Dates and numbers as each language writes them: day, short month name and year from the
//! catalogue (`month-1`..`month-12`, `date-day`, `date-time`), the 24-hour clock, and the
//! decimal comma where it is usual. Times are UTC: staff of several countries read the same
//! alert, and the pages say which clock a time comes from.

use super::Language;
use crate::views::missing_pack::civil_from_days;

impl Language {
    /// `28 Nov 2026` / `28 νοε 2026`: the UTC day of a time in milliseconds.
    pub fn date(self, ms: i64) -> String {
        let (year, month, day) = civil_from_days(ms.div_euclid(86_400_000));
        self.fill(
            "date-day",
            &[
                ("day", &day.to_string()),
                ("month", self.t(&format!("month-{month}"))),
                ("year", &format!("{year:04}")),
            ],
        )
    }

    /// `28 Nov 2026, 08:05 UTC`: the UTC day and minute of a time in milliseconds.
    pub fn date_time(self, ms: i64) -> String {
        let (year, month, day) = civil_from_days(ms.div_euclid(86_400_000));
        let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
        self.fill(
            "date-time",
            &[
                ("day", &day.to_string()),
                ("month", self.t(&format!("month-{month}"))),
                ("year", &format!("{year:04}")),
                ("time", &format!("{:02}:{:02}", minutes / 60, minutes % 60)),
            ],
        )
    }

    /// `28 Nov 08:05`: for tight places (table cells, axis labels), with the full time in
    /// a `title`.
    pub fn short_date_time(self, ms: i64) -> String {
        let (_, month, day) = civil_from_days(ms.div_euclid(86_400_000));
        let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
        self.fill(
            "date-short",
            &[
                ("day", &day.to_string()),
                ("month", self.t(&format!("month-{month}"))),
                ("time", &format!("{:02}:{:02}", minutes / 60, minutes % 60)),
            ],
        )
    }

    /// `2.5` in English, `2,5` in the others, with `places` decimals.
    pub fn decimal(self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        match self {
            Self::En => text,
            Self::Nl | Self::Fr | Self::El | Self::It => text.replace('.', ","),
        }
    }
}
