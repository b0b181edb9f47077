//! A `.qualmap` file: load, then save and load back to the same map.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::qualmap_json(data));
