//! When the server wrote an alert, from its JSON log (`alert raised`, with the case id): the
//! point that splits a delivery into the server's admission and derivation, and the fan-out
//! to the sockets. Server and benchmark read the same wall clock.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// The wall-clock time of the `alert raised` line for `case`, if the log has one.
pub fn alert_raised(log: &Path, case: &str) -> Option<SystemTime> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().find_map(|line| {
        let entry: serde_json::Value = serde_json::from_str(line).ok()?;
        let fields = &entry["fields"];
        (fields["message"] == "alert raised" && fields["case"] == case)
            .then(|| parse_rfc3339(entry["timestamp"].as_str()?))
            .flatten()
    })
}

/// `2026-11-28T14:47:47.123456Z` (UTC, any number of fraction digits).
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut ymd = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let mut hms = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (hms.next()??, hms.next()??, hms.next()??);
    let nanos: u64 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
    let seconds = days_from_civil(y, m, d) * 86_400 + h * 3_600 + min * 60 + s;
    let seconds = u64::try_from(seconds).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_nanos(nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_log_timestamps() {
        let t = parse_rfc3339("2026-11-28T08:00:00.250000Z").unwrap();
        let since = t.duration_since(SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(since.as_millis(), 1_795_852_800_250);
        assert!(parse_rfc3339("yesterday").is_none());
    }
}
