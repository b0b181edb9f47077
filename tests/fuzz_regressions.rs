//! The fuzz targets' checks (`fuzz/src/lib.rs`) on every seed of their corpora (`fuzz/seeds/`)
//! and on every input that the fuzzers found a bug with (`tests/fixtures/fuzz/<target>/`), so
//! that a fixed crash, hang or blow-up stays fixed without running a fuzzer.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, reason = "only the checks are used here")]
mod checks;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Well above the fuzzers' one-second limit, so that a loaded machine does not fail the test,
/// and far below what a hang would take.
const SLOW: Duration = Duration::from_secs(5);

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in [format!("fuzz/seeds/{target}"), format!("tests/fixtures/fuzz/{target}")] {
        let Ok(entries) = std::fs::read_dir(Path::new(ROOT).join(folder)) else { continue };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

/// Runs `check` on each input; a panic or a slow input fails the test, naming every input that
/// failed.
fn run(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no seeds for {target}");
    let mut failed = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        let took = started.elapsed();
        let name = file.strip_prefix(ROOT).unwrap_or(file).display().to_string();
        if outcome.is_err() {
            failed.push(format!("{name}: panicked"));
        } else if took > SLOW {
            failed.push(format!("{name}: took {took:?}"));
        }
    }
    assert!(failed.is_empty(), "{target}: {} of {} inputs failed:\n{}", failed.len(), files.len(), failed.join("\n"));
}

#[test]
fn qualmap_json() {
    run("qualmap_json", checks::qualmap_json);
}

#[test]
fn qdpx() {
    run("qdpx", checks::qdpx);
}

#[test]
fn qdc() {
    run("qdc", checks::qdc);
}

#[test]
fn table() {
    run("table", checks::table);
}

#[test]
fn graph() {
    run("graph", checks::graph);
}

#[test]
fn gexf() {
    run("gexf", checks::gexf);
}

#[test]
fn graphml() {
    run("graphml", checks::graphml);
}

#[test]
fn dot() {
    run("dot", checks::dot);
}

#[test]
fn canvas() {
    run("canvas", checks::canvas);
}

#[test]
fn cxl() {
    run("cxl", checks::cxl);
}

fn stored(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/fuzz").join(path)).unwrap()
}

#[test]
fn deeply_nested_xml_is_refused_with_its_line_before_the_parser_overflows_the_stack() {
    let Err(error) = qualmap::import::refi::read_qdc(&stored("qdc/elements-5000-deep.xml"), "deep.qdc") else {
        panic!("a 5000-deep file was read");
    };
    let message = error.to_string();
    assert!(message.starts_with("deep.qdc: line 1: elements are nested more than 256 levels deep"), "{message}");
    let deep = stored("graph/elements-5000-deep.graphml");
    let kind = qualmap::import::graph::Kind::GraphMl;
    let error = qualmap::import::graph::read(deep.as_bytes(), "deep.graphml", kind).unwrap_err().to_string();
    assert!(error.contains("nested more than 256 levels"), "{error}");
    // Nesting inside comments, CDATA and quoted attribute values is not nesting.
    let flat = format!(
        "<CodeBook><!--{}--><![CDATA[{}]]><Codes x=\"{}\"/></CodeBook>",
        "<a>".repeat(300),
        "<a>".repeat(300),
        ">".repeat(300)
    );
    assert!(qualmap::import::refi::read_qdc(&flat, "flat.qdc").is_ok());
    // A quoted "/>" does not make a start tag look empty.
    let quoted = format!("<CodeBook>{}{}</CodeBook>", "<Code x=\"/>\">".repeat(300), "</Code>".repeat(300));
    assert!(qualmap::import::refi::read_qdc(&quoted, "quoted.qdc").unwrap_err().to_string().contains("nested more"));
}

#[test]
fn a_code_path_too_deep_skips_its_row_and_says_so() {
    let bytes = std::fs::read(Path::new(ROOT).join("tests/fixtures/fuzz/table/code-path-20000-deep.csv")).unwrap();
    let data = qualmap::import::table::read_table(&bytes[1..], "deep.csv", false, None).unwrap();
    assert!(data.segments.is_empty() && data.codes.is_empty(), "{:?}", data.report);
    let skipped = data.report.skipped.join("\n");
    assert!(
        skipped.contains("row 2: the code path “a / …” is 20000 levels deep, more than the 100 levels read"),
        "{skipped}"
    );
}

#[test]
fn overlapping_selections_cannot_multiply_a_text_past_the_excerpt_limit() {
    let path = Path::new(ROOT).join("tests/fixtures/fuzz/qdpx/1600-selections-of-a-whole-text.qdpx");
    let bytes = std::fs::read(path).unwrap();
    let error = qualmap::import::refi::read_qdpx_from(std::io::Cursor::new(bytes), "many.qdpx").unwrap_err();
    let message = error.to_string();
    assert!(message.contains("the selections' excerpts add up to more than 50 MB; refused"), "{message}");
}
