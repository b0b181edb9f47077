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

#[test]
fn xls() {
    run("xls", checks::xls);
}

#[test]
fn xlsx() {
    run("xlsx", checks::xlsx);
}

#[test]
fn ods() {
    run("ods", checks::ods);
}

#[test]
fn docx() {
    run("docx", checks::docx);
    // The seeds are read as documents, not only refused cleanly.
    let seed = std::fs::read(Path::new(ROOT).join("fuzz/seeds/docx/scripts.docx")).unwrap();
    let text = qualmap::import::docx::docx_text(&seed, "scripts.docx").unwrap();
    assert_eq!(
        text,
        "导师让我更有信心。\nالإرشاد ساعدني على الثقة بنفسي (P2)\nמנטורינג עזר לי 3 פעמים\nमेंटरिंग ने मदद की 🙂"
    );
    let packed = checks::archive_of(&std::fs::read(Path::new(ROOT).join("fuzz/seeds/docx/interview.entries")).unwrap());
    let text = qualmap::import::docx::docx_text(&packed, "interview.entries").unwrap();
    assert!(text.contains("I came back \tsurer of myself.\nReally.") && !text.contains("removed"), "{text}");
}

/// A stored spreadsheet finding, as its fuzz target reads it, and the refusal it now gets.
fn spreadsheet_refusal(path: &str, kind: qualmap::import::spreadsheet::Kind) -> String {
    let bytes = std::fs::read(Path::new(ROOT).join("tests/fixtures/fuzz").join(path)).unwrap();
    let bytes = if kind == qualmap::import::spreadsheet::Kind::Xls { bytes } else { checks::archive_of(&bytes) };
    let started = Instant::now();
    let error = qualmap::import::spreadsheet::csv_from_bytes(&bytes, kind, "found.file").unwrap_err().to_string();
    assert!(started.elapsed() < SLOW, "{path} took {:?}", started.elapsed());
    error
}

#[test]
fn spreadsheet_findings_are_refused_before_the_library_panics_or_loops() {
    use qualmap::import::spreadsheet::Kind;
    // calamine 0.38 worked out a MulRk record's length as (last − first + 1) in 16 bits.
    let error = spreadsheet_refusal("xls/mulrk-run-ending-before-it-starts.xls", Kind::Xls);
    assert!(error.starts_with("found.file: sheet 1: a run of numbers in row"), "{error}");
    // ... counted a cell reference's column letters in 32 bits without checking.
    let error = spreadsheet_refusal("xlsx/cell-reference-too-long-to-count.zip-entries", Kind::Xlsx);
    assert!(error.contains("is not one a spreadsheet can hold"), "{error}");
    // ... and read a table whose end tag was damaged until the end of the file, for ever.
    let error = spreadsheet_refusal("ods/table-end-tag-damaged.zip-entries", Kind::Ods);
    assert!(error.starts_with("found.file: content.xml has </"), "{error}");
    // Found by the long runs: entries of one name (which one is read depends on the zip reader),
    let error = spreadsheet_refusal("ods/three-entries-named-content-xml.zip-entries", Kind::Ods);
    assert!(error.contains("lists 5 entries but only 3 distinct names"), "{error}");
    // an archive our zip reader cannot unpack an entry of, while calamine's reads it,
    let error = spreadsheet_refusal("xlsx/central-directory-misplaced.xlsx", Kind::Xlsx);
    assert!(error.contains("archive"), "{error}");
    // and a legacy workbook's ExternSheet record too short for its count.
    let error = spreadsheet_refusal("xls/externsheet-record-too-short.xls", Kind::Xls);
    assert!(error.contains("too short for it"), "{error}");
    let error = spreadsheet_refusal("xls/bof-record-too-short.xls", Kind::Xls);
    assert!(error.contains("beginning-of-file (BOF) record is"), "{error}");
    // The second long runs: a Dimensions record whose row count overflows calamine's 32 bits,
    let error = spreadsheet_refusal("xls/dimensions-that-cannot-be-counted.xls", Kind::Xls);
    assert!(error.contains("which cannot be counted"), "{error}");
    // an .xlsx range that ends before it starts,
    let error = spreadsheet_refusal("xlsx/range-ending-before-it-starts.xlsx", Kind::Xlsx);
    assert!(error.contains("is not one a spreadsheet can hold"), "{error}");
    // a shared-string count calamine reserves room for before reading (an allocation failure,
    // which aborts the process: no panic to catch),
    let error = spreadsheet_refusal("xlsx/shared-string-count-too-large.zip-entries", Kind::Xlsx);
    assert!(error.contains("is not one a spreadsheet can hold"), "{error}");
    // and an .ods table closed by `</table:table/<f>`, which is no end tag of it.
    let error = spreadsheet_refusal("ods/table-end-tag-with-more-after-the-name.zip-entries", Kind::Ods);
    assert!(error.starts_with("found.file: content.xml has </"), "{error}");
    // ... and one whose `</table:table>` is inside a cell's text, which calamine's cell loop
    // swallows (its real end tag damaged).
    let error = spreadsheet_refusal("ods/table-end-tag-inside-a-cell.zip-entries", Kind::Ods);
    assert!(error.starts_with("found.file: content.xml has </"), "{error}");
    // A shared-string table whose last string is cut inside its header: calamine read the
    // string's extension length from the two bytes left (a panic, caught, until our walk of the
    // table across its Continue records refused it first).
    let error = spreadsheet_refusal("xls/shared-string-cut-short.xls", Kind::Xls);
    assert!(error.contains("is cut short inside its own header or characters"), "{error}");
    // A formula whose parsed length runs past its record: calamine sliced it out unchecked
    // (xls.rs:1531, a panic found by CI's 15 s run; the fixture is an xlwt workbook with that
    // length set to 32,767).
    let error = spreadsheet_refusal("xls/formula-longer-than-its-record.xls", Kind::Xls);
    assert!(error.contains("too short for the formula it says it holds"), "{error}");
    // The long run of this session: an allocation-table sector cut short by the end of the file,
    // which calamine reads as it is and then asserts is whole 4-byte entries (utils.rs:29;
    // 56 inputs of 682,593 executions, all this one kind).
    let error = spreadsheet_refusal("xls/allocation-table-sector-cut-short.xls", Kind::Xls);
    assert!(error.contains("the file ends inside the allocation table's sector"), "{error}");
    // A cell in column 65,287 of a 36-row sheet: calamine built the 2.35-million-cell grid out
    // to it (bounded, but over a second in the fuzzer; an .xls sheet has 256 columns).
    let error = spreadsheet_refusal("xls/cell-past-the-last-column.xls", Kind::Xls);
    assert!(error.contains("past the 256 columns an .xls sheet holds"), "{error}");
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
