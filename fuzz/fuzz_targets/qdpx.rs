//! A REFI-QDA project archive (`.qdpx`, zip + XML), then its import.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::qdpx(data));
