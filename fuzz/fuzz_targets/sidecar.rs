//! Sidecar YAML from users: parsing and combining never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(sc) = suratd::letter::metadata::parse_sidecar("fuzz.yaml", text)
    {
        let defaults = suratd::letter::metadata::Defaults { sifat: "B".into(), klasifikasi: None };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let _ = suratd::letter::metadata::combine((None, Some("x".into())), Some(sc), &defaults, today);
    }
});
