//! Durations written the way people write them (`500ms`, `2s`, `10m`, `3h`,
//! `2d`, `1h 30m`), for config and workflow files.

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::time::Duration;

/// A duration read from YAML text such as `10m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty duration; write for example 500ms, 2s, 10m, 3h or 2d".into());
        }
        humantime::parse_duration(t)
            .map(HumanDuration)
            .map_err(|e| format!("bad duration {text:?} ({e}); write for example 500ms, 2s, 10m, 3h or 2d"))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        HumanDuration::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_forms_parse() {
        assert_eq!(HumanDuration::parse("500ms").unwrap().0, Duration::from_millis(500));
        assert_eq!(HumanDuration::parse("2s").unwrap().0, Duration::from_secs(2));
        assert_eq!(HumanDuration::parse("10m").unwrap().0, Duration::from_secs(600));
        assert_eq!(HumanDuration::parse("3h").unwrap().0, Duration::from_secs(3 * 3600));
        assert_eq!(HumanDuration::parse("2d").unwrap().0, Duration::from_secs(2 * 86400));
        assert_eq!(HumanDuration::parse("1h 30m").unwrap().0, Duration::from_secs(5400));
    }

    #[test]
    fn nonsense_is_refused_with_a_hint() {
        let e = HumanDuration::parse("10 menit").unwrap_err();
        assert!(e.contains("10m"), "{e}");
        assert!(HumanDuration::parse("").is_err());
        assert!(HumanDuration::parse("-5m").is_err());
    }
}
