//! The plain text of a Word document (`.docx`), as a REFI project's rich-text source is read.
//! The checks are in `fuzz/src/lib.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qualmap_fuzz::docx(data));
