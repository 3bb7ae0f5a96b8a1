//! PDF inspection and stamping of arbitrary bytes never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let suratd::pdf::inspect::Verdict::Pdf { .. } = suratd::pdf::inspect::inspect(data) {
        let _ = suratd::pdf::stamp::stamp(data, "DRAF - fuzz");
    }
    let _ = suratd::pdf::inspect::text(data, 2);
});
