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

/// `2025-06-02 10:15 WIB`: for admins (the command line, logs); people read
/// [`day_moment_id`] or [`moment_id`].
pub fn human_wib(t: DateTime<Utc>) -> String {
    format!("{} WIB", t.with_timezone(&Jakarta).format("%Y-%m-%d %H:%M"))
}

/// Indonesian month names, January first.
const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// `2 Juni 2025`: a date as an Indonesian office writes it.
pub fn date_id(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), BULAN[d.month0() as usize], d.year())
}

/// `2 Juni 2025 pukul 10.15 WIB`: a moment as an Indonesian office writes it
/// (stamps, the archive record, the printed books).
pub fn moment_id(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Jakarta);
    format!("{} pukul {} WIB", date_id(local.date_naive()), local.format("%H.%M"))
}

/// Indonesian weekday names, Monday first (KBBI spelling: Jumat).
const HARI: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];

/// `Senin, 2 Juni 2025 pukul 10.15 WIB`: a moment with its weekday, for
/// emails and reason files.
pub fn day_moment_id(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = t.with_timezone(&Jakarta);
    format!("{}, {}", HARI[local.weekday().num_days_from_monday() as usize], moment_id(t))
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
    fn indonesian_dates_name_the_month() {
        let t = Utc.with_ymd_and_hms(2026, 6, 2, 3, 5, 0).unwrap();
        assert_eq!(moment_id(t), "2 Juni 2026 pukul 10.05 WIB");
        assert_eq!(date_id(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()), "31 Desember 2026");
        // 30 November 2026 is a Monday; 23:50 UTC on Sunday is Monday in WIB.
        let monday = Utc.with_ymd_and_hms(2026, 11, 30, 0, 50, 0).unwrap();
        assert_eq!(day_moment_id(monday), "Senin, 30 November 2026 pukul 07.50 WIB");
        let late = Utc.with_ymd_and_hms(2026, 12, 3, 23, 50, 0).unwrap();
        assert_eq!(day_moment_id(late), "Jumat, 4 Desember 2026 pukul 06.50 WIB");
    }

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
