//! Signature checks of arbitrary bytes never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = suratd::pdf::signature::check(data, &suratd::pdf::signature::Anchors::none());
});
