//! REFI-QDA XML as a codebook (`.qdc`) and as a project file (`.qde`), then its import.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::qdc(data));
