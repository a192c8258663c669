#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| osx_report_fuzz::markdown(data));
