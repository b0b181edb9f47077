//! Hostile and extreme inputs (issue 8): each is refused with a clear message, or handled, within
//! bounded time and memory — never a panic, a hang or a stack overflow. Time bounds are not
//! asserted here (the machines are shared); the long-run script prints them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use qualmap::import::{read_path, refi};
use qualmap::model::{FORMAT_VERSION, io};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn zip_with(path: &Path, entries: &[(&str, Vec<u8>)], links: &[(&str, &str)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    for (name, target) in links {
        zip.add_symlink(*name, *target, options).unwrap();
    }
    zip.finish().unwrap();
}

fn import_error(path: &Path) -> String {
    match read_path(path, None) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn every_format_version_has_a_fixture_that_opens() {
    // One file per format version ever written, kept so that every later Qualmap still opens
    // (and migrates) it. Bumping FORMAT_VERSION without adding its fixture fails here.
    for version in 1..=FORMAT_VERSION {
        let path = fixture(&format!("versions/v{version}.qualmap"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no fixture for format version {version}"));
        assert!(
            text.contains(&format!("\"version\": {version}")),
            "{} is not a version {version} file",
            path.display()
        );
        let doc = io::load_path(&path).unwrap_or_else(|e| panic!("version {version} no longer opens: {e}"));
        assert!(!doc.concepts.is_empty());
        // Opened files are written in the current format and read back the same.
        let again = io::load_str(&io::to_json(&doc), "re-saved").unwrap();
        assert_eq!(again, doc);
    }
}

#[test]
fn a_symbolic_link_inside_an_archive_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let qde = std::fs::read(fixture("refi/project.qde")).unwrap();
    let int2 = std::fs::read(fixture("refi/int2.txt")).unwrap();
    let path = dir.path().join("links.qdpx");
    zip_with(&path, &[("project.qde", qde), ("Sources/int2.txt", int2)], &[("Sources/int1.txt", "/etc/passwd")]);
    let message = import_error(&path);
    assert!(message.contains("int1.txt") && message.contains("symbolic link"), "{message}");
}

#[test]
fn an_archive_that_lies_about_its_sizes_is_refused_without_unpacking_it() {
    let dir = tempfile::tempdir().unwrap();
    // A small archive whose header claims a 10 GB project file.
    let path = dir.path().join("claims.qdpx");
    zip_with(&path, &[("project.qde", vec![b' '; 10_000])], &[]);
    let mut bytes = std::fs::read(&path).unwrap();
    patch_sizes(&mut bytes, 10_000, 10_000_000_000u64 as u32 as u64);
    std::fs::write(&path, &bytes).unwrap();
    let message = import_error(&path);
    assert!(message.contains("claims.qdpx") && message.contains("over the 200000000-byte limit"), "{message}");
    // A header claiming 1 KB over a stream that unpacks to 20 MB: reading stops just past 1 KB.
    let path = dir.path().join("understated.qdpx");
    zip_with(&path, &[("project.qde", vec![b' '; 20_000_000])], &[]);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() < 100_000, "20 MB of spaces compress to {} bytes", bytes.len());
    patch_sizes(&mut bytes, 20_000_000, 1_000);
    std::fs::write(&path, &bytes).unwrap();
    let message = import_error(&path);
    assert!(message.contains("understated.qdpx") && message.contains("larger than its declared"), "{message}");
}

/// Rewrites every uncompressed-size field equal to `from` (local and central headers) to `to`.
fn patch_sizes(bytes: &mut [u8], from: u64, to: u64) {
    let (from, to) = ((from as u32).to_le_bytes(), (to as u32).to_le_bytes());
    let mut patched = 0;
    for signature in [[0x50u8, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02]] {
        let offset = if signature[2] == 3 { 22 } else { 24 };
        let starts: Vec<usize> =
            bytes.windows(4).enumerate().filter(|(_, w)| *w == signature).map(|(i, _)| i).collect();
        for start in starts {
            let at = start + offset;
            if bytes.get(at..at + 4) == Some(&from[..]) {
                bytes[at..at + 4].copy_from_slice(&to);
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2, "both headers patched");
}

#[test]
fn deeply_nested_json_and_xml_are_refused_without_overflowing_the_stack() {
    let depth = 200_000;
    let json = format!(
        "{{\"format\": \"qualmap\", \"version\": 1, \"concepts\": {}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let message = io::load_str(&json, "deep.qualmap").unwrap_err().to_string();
    assert!(message.starts_with("deep.qualmap:1:"), "{message}");
    let xml =
        format!("<CodeBook><Codes>{}{}</Codes></CodeBook>", "<Code name=\"a\">".repeat(depth), "</Code>".repeat(depth));
    match refi::read_qdc(&xml, "deep.qdc") {
        Ok(data) => assert!(data.codes.len() <= depth),
        Err(err) => assert!(err.to_string().contains("deep.qdc"), "{err}"),
    }
}

#[test]
fn non_finite_and_absurd_numbers_are_refused_with_their_place() {
    let text = qualmap::model::example::EXAMPLE_JSON;
    for (bad, what) in [("1e999", "number out of range"), ("-1e999", "number out of range")] {
        let first_x = text.find("\"x\": ").unwrap() + 5;
        let end = first_x + text[first_x..].find([',', '\n']).unwrap();
        let broken = format!("{}{bad}{}", &text[..first_x], &text[end..]);
        let message = io::load_str(&broken, "nan.qualmap").unwrap_err().to_string();
        assert!(message.starts_with("nan.qualmap:") && message.contains(what), "{message}");
    }
}

#[test]
fn a_hundred_megabyte_single_line_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    // A .qualmap whose one line is a 100 MB title: a valid map, read without trouble.
    let mut doc = qualmap::model::Document::new_blank();
    doc.info.description = "x".repeat(100_000_000);
    let text = serde_json::to_string(&serde_json::json!({
        "format": "qualmap", "version": 1, "info": { "title": "one line", "description": doc.info.description }
    }))
    .unwrap();
    assert!(!text.contains('\n'));
    let loaded = io::load_str(&text, "line.qualmap").unwrap();
    assert_eq!(loaded.info.description.len(), 100_000_000);
    // The same line cut short: the error says where, not a panic.
    let message = io::load_str(&text[..text.len() - 10], "cut.qualmap").unwrap_err().to_string();
    assert!(message.contains("cut.qualmap:1:") && message.contains("ends too early"), "{message}");
    // A table that is one 100 MB line: a header and no rows.
    let path = dir.path().join("line.csv");
    std::fs::write(&path, "a,".repeat(50_000_000)).unwrap();
    let message = import_error(&path);
    assert!(message.contains("line.csv") && message.contains("and 49999989 more"), "{message}");
    assert!(message.len() < 1_000, "the message stays readable: {} bytes", message.len());
}

#[test]
fn a_million_concepts_are_refused_with_a_clear_message() {
    use qualmap::model::generate::{Spec, generated};
    let doc = generated(Spec { concepts: io::MAX_CONCEPTS + 1, relationships: 0, evidence: 0, seed: 1 });
    let message = io::load_str(&io::to_json(&doc), "huge.qualmap").unwrap_err().to_string();
    assert!(
        message.contains("huge.qualmap: it holds 100001 concepts") && message.contains("up to 100000"),
        "{message}"
    );
}

#[test]
fn a_project_too_large_for_a_map_is_refused_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codes.csv");
    let mut table = String::from("Segment,Code,Document name\n");
    for i in 0..=io::MAX_CONCEPTS {
        table.push_str(&format!("text {i},code {i},doc\n"));
    }
    std::fs::write(&path, table).unwrap();
    let message = import_error(&path);
    assert!(message.contains("codes.csv") && message.contains("100001 codes"), "{message}");
}
