//! A coded-segment table (CSV or TSV, chosen by the first byte), then its import.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::table(data));
