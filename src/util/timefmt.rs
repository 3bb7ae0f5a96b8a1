//! Time as the office reads it: stored in UTC, shown in WIB (Asia/Jakarta,
//! UTC+7), written as ISO 8601 with offset for scripts.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Asia::Jakarta;

/// `2025-06-02T03:15:00Z`: how times are stored.
pub fn stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_stored(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// `2025-06-02T10:15:00+07:00`: for `--json` output.
pub fn iso_wib(t: DateTime<Utc>) -> String {
    t.with_timezone(&Jakarta).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `2025-06-02 10:15 WIB`: for people.
pub fn human_wib(t: DateTime<Utc>) -> String {
    format!("{} WIB", t.with_timezone(&Jakarta).format("%Y-%m-%d %H:%M"))
}

/// The date in WIB.
pub fn date_wib(t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&Jakarta).date_naive()
}

/// The year in WIB (a letter registered at 23:30 UTC on 31 December is
/// already in the next year in Bengkulu).
pub fn year_wib(t: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    t.with_timezone(&Jakarta).year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wib_is_utc_plus_seven() {
        let t = Utc.with_ymd_and_hms(2025, 6, 2, 3, 15, 0).unwrap();
        assert_eq!(iso_wib(t), "2025-06-02T10:15:00+07:00");
        assert_eq!(human_wib(t), "2025-06-02 10:15 WIB");
        let nye = Utc.with_ymd_and_hms(2025, 12, 31, 18, 0, 0).unwrap();
        assert_eq!(year_wib(nye), 2026);
        assert_eq!(parse_stored(&stored(t)), Some(t));
    }
}
