//! A spreadsheet (`.ods`) through the reader the import runs, then its import.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::ods(data));
