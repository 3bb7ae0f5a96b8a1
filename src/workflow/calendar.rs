//! Office time: working days and hours in WIB, holidays and collective
//! leave (cuti bersama) from a list the admin edits, and shorter hours for
//! periods such as Ramadan. Deadlines are a standard time counted in office
//! hours from when a letter reached a step. Pure functions of a clock.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Working hours of one day, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Different hours for a period (e.g. Ramadan), by weekday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours: [Option<Hours>; 7],
}

/// The office calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub tz: Tz,
    /// Hours per weekday, Monday first; `None`: not a working day.
    pub hours: [Option<Hours>; 7],
    pub holidays: BTreeSet<NaiveDate>,
    pub periods: Vec<Period>,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

impl Default for Calendar {
    /// BPS office hours: Monday to Thursday 07:30-16:00, Friday 07:30-16:30
    /// (37.5 hours a week with breaks), WIB, no holidays listed.
    fn default() -> Calendar {
        let day = Some(Hours { start: hm(7, 30), end: hm(16, 0) });
        let fri = Some(Hours { start: hm(7, 30), end: hm(16, 30) });
        Calendar {
            tz: chrono_tz::Asia::Jakarta,
            hours: [day, day, day, day, fri, None, None],
            holidays: BTreeSet::new(),
            periods: vec![],
        }
    }
}

impl Calendar {
    /// The working hours of a local date, if it is a working day.
    pub fn hours_on(&self, d: NaiveDate) -> Option<Hours> {
        if self.holidays.contains(&d) {
            return None;
        }
        let i = d.weekday().num_days_from_monday() as usize;
        match self.periods.iter().find(|p| p.from <= d && d <= p.to) {
            Some(p) => p.hours[i],
            None => self.hours[i],
        }
        .filter(|h| h.start < h.end)
    }

    fn at(&self, d: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
        self.tz.from_local_datetime(&d.and_time(t)).earliest().expect("WIB has no gaps").with_timezone(&Utc)
    }

    /// When a standard time of `work` office time, starting at `start`, is
    /// used up. A step reached after hours starts counting at the next
    /// working period; holidays and weekends do not count.
    pub fn due(&self, start: DateTime<Utc>, work: std::time::Duration) -> DateTime<Utc> {
        let mut left = Duration::from_std(work).unwrap_or(Duration::MAX);
        let local = start.with_timezone(&self.tz);
        let mut day = local.date_naive();
        let mut from = local.time();
        // At most ten years of searching (a calendar without working days).
        for _ in 0..3660 {
            if let Some(h) = self.hours_on(day) {
                let begin = from.max(h.start);
                if begin < h.end {
                    let avail = h.end - begin;
                    if left <= avail {
                        return self.at(day, begin) + left;
                    }
                    left -= avail;
                }
            }
            day = day.succ_opt().expect("date in range");
            from = NaiveTime::MIN;
        }
        start + Duration::from_std(work).unwrap_or(Duration::zero())
    }

    /// Office time between two instants.
    pub fn working_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> std::time::Duration {
        if b <= a {
            return std::time::Duration::ZERO;
        }
        let (la, lb) = (a.with_timezone(&self.tz), b.with_timezone(&self.tz));
        let mut total = Duration::zero();
        let mut day = la.date_naive();
        while day <= lb.date_naive() {
            if let Some(h) = self.hours_on(day) {
                let s = if day == la.date_naive() { la.time().max(h.start) } else { h.start };
                let e = if day == lb.date_naive() { lb.time().min(h.end) } else { h.end };
                if s < e {
                    total += e - s;
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        total.to_std().unwrap_or_default()
    }
}

/// `mon`..`sun` (or Indonesian `senin`..`minggu`) to a weekday index.
pub fn weekday(name: &str) -> Option<usize> {
    let w = match name.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" | "senin" => Weekday::Mon,
        "tue" | "tuesday" | "selasa" => Weekday::Tue,
        "wed" | "wednesday" | "rabu" => Weekday::Wed,
        "thu" | "thursday" | "kamis" => Weekday::Thu,
        "fri" | "friday" | "jumat" => Weekday::Fri,
        "sat" | "saturday" | "sabtu" => Weekday::Sat,
        "sun" | "sunday" | "minggu" => Weekday::Sun,
        _ => return None,
    };
    Some(w.num_days_from_monday() as usize)
}

/// `07:30-16:00` to hours.
pub fn parse_hours(s: &str) -> Option<Hours> {
    let (a, b) = s.split_once('-')?;
    let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").ok();
    let h = Hours { start: t(a)?, end: t(b)? };
    (h.start < h.end).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wib(s: &str) -> DateTime<Utc> {
        chrono_tz::Asia::Jakarta
            .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
            .unwrap()
            .with_timezone(&Utc)
    }

    fn mins(m: u64) -> std::time::Duration {
        std::time::Duration::from_secs(m * 60)
    }

    #[test]
    fn deadlines_count_office_hours_only() {
        let c = Calendar::default();
        // Within a day.
        assert_eq!(c.due(wib("2025-06-02 10:15"), mins(20)), wib("2025-06-02 10:35"));
        // Across the end of the day: Monday 15:50 + 20 min = Tuesday 07:40.
        assert_eq!(c.due(wib("2025-06-02 15:50"), mins(20)), wib("2025-06-03 07:40"));
        // A step reached after hours starts the next morning.
        assert_eq!(c.due(wib("2025-06-02 19:00"), mins(20)), wib("2025-06-03 07:50"));
        // Before hours: from 07:30.
        assert_eq!(c.due(wib("2025-06-03 06:00"), mins(10)), wib("2025-06-03 07:40"));
        // Across the weekend: Friday 16:20 + 30 min = Monday 07:50.
        assert_eq!(c.due(wib("2025-06-06 16:20"), mins(30)), wib("2025-06-09 07:50"));
        // Three hours from Friday 15:00 = Monday 09:00 (1.5 h Friday, 1.5 h Monday).
        assert_eq!(c.due(wib("2025-06-06 15:00"), mins(180)), wib("2025-06-09 09:00"));
    }

    #[test]
    fn holidays_and_short_hours_are_respected() {
        let mut c = Calendar::default();
        // Tuesday a holiday: Monday 15:50 + 20 min = Wednesday 07:40.
        c.holidays.insert("2025-06-03".parse().unwrap());
        assert_eq!(c.due(wib("2025-06-02 15:50"), mins(20)), wib("2025-06-04 07:40"));
        // Ramadan hours 08:00-15:00 that week.
        let short = Some(Hours { start: hm(8, 0), end: hm(15, 0) });
        c.periods.push(Period {
            from: "2025-06-04".parse().unwrap(),
            to: "2025-06-06".parse().unwrap(),
            hours: [short, short, short, short, short, None, None],
        });
        assert_eq!(c.due(wib("2025-06-04 14:50"), mins(20)), wib("2025-06-05 08:10"));
    }

    #[test]
    fn working_time_between_two_moments() {
        let c = Calendar::default();
        assert_eq!(c.working_between(wib("2025-06-02 10:00"), wib("2025-06-02 10:45")), mins(45));
        // Monday 15:30 to Tuesday 08:00: 30 + 30 minutes.
        assert_eq!(c.working_between(wib("2025-06-02 15:30"), wib("2025-06-03 08:00")), mins(60));
        // Over a weekend: Friday 16:00 to Monday 08:00: 30 + 30 minutes.
        assert_eq!(c.working_between(wib("2025-06-06 16:00"), wib("2025-06-09 08:00")), mins(60));
        assert_eq!(c.working_between(wib("2025-06-09 08:00"), wib("2025-06-06 16:00")), mins(0));
    }

    #[test]
    fn hours_and_weekdays_parse() {
        assert_eq!(parse_hours("07:30-16:00"), Some(Hours { start: hm(7, 30), end: hm(16, 0) }));
        assert_eq!(parse_hours("16:00-07:30"), None);
        assert_eq!(weekday("Jumat"), Some(4));
        assert_eq!(weekday("sun"), Some(6));
        assert_eq!(weekday("xx"), None);
    }
}
