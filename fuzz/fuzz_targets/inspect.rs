//! PDF inspection and stamping of arbitrary bytes never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let suratd::inspect::Verdict::Pdf { .. } = suratd::inspect::inspect(data) {
        let _ = suratd::stamp::stamp(data, "DRAF - fuzz");
    }
    let _ = suratd::inspect::text(data, 2);
});
