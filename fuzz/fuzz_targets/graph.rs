//! A graph for `qualmap layout`: edge list / DOT and GraphML, then a layout.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::graph(data));
