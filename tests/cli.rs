//! The headless command line: `validate`, `example`, `--help`, `--version`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::process::Command;

use qualmap::model::example;

fn qualmap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_qualmap"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = qualmap().args(args).output().expect("run qualmap");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn example_then_validate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.qualmap");
    let (code, stdout, _) = run(&["example", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), example::EXAMPLE_JSON);
    let (code, stdout, stderr) = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one-line summary: {stdout}");
    assert!(stdout.contains("19 concepts, 3 areas, 12 relationships, 32 evidence items"), "{stdout}");
}

#[test]
fn validate_rejects_bad_files_with_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("truncated.qualmap", example::EXAMPLE_JSON[..900].to_owned(), "ends too early"),
        (
            "dangling.qualmap",
            example::EXAMPLE_JSON.replacen("\"concept\": 15", "\"concept\": 999", 1),
            "concept 999, which does not exist",
        ),
        (
            "future.qualmap",
            example::EXAMPLE_JSON.replacen(
                "\"version\": 1",
                &format!("\"version\": {}", qualmap::model::FORMAT_VERSION + 1),
                1,
            ),
            "newer Qualmap",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, stdout, stderr) = run(&["validate", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {stdout}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name} is named: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn help_and_version() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in ["validate", "example", "FILE"] {
        assert!(stdout.contains(word), "{word} in {stdout}");
    }
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("qualmap {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn example_to_stdout() {
    let (code, stdout, _) = run(&["example", "-o", "-"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, example::EXAMPLE_JSON);
}

#[test]
fn export_writes_each_format_and_refuses_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.qualmap");
    std::fs::write(&map, example::EXAMPLE_JSON).unwrap();
    let map = map.to_str().unwrap();
    for ext in ["svg", "pdf", "graphml", "md"] {
        let out = dir.path().join(format!("out.{ext}"));
        let (code, stdout, stderr) = run(&["export", map, "-o", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{ext}: {stderr}");
        assert!(stdout.starts_with("wrote "), "{stdout}");
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
    }
    let (code, _, stderr) = run(&["export", map, "-o", "figure.docx"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown output format") && stderr.contains(".svg"), "{stderr}");
    let out = dir.path().join("f.png");
    let (code, _, stderr) = run(&["export", map, "-o", out.to_str().unwrap(), "--filter", "role"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("ATTRIBUTE=VALUE"), "{stderr}");
    let (code, _, stderr) = run(&["export", map, "-o", out.to_str().unwrap(), "--scale", "0"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--scale"), "{stderr}");
    let (code, _, stderr) = run(&["export", "missing.qualmap", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("missing.qualmap"), "{stderr}");
}

#[test]
fn an_export_names_characters_no_font_draws_and_can_draw_text_as_outlines() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.qualmap");
    // A concept in Linear B, which no bundled font has.
    let json =
        example::EXAMPLE_JSON.replacen("\"label\": \"Problem solving\"", "\"label\": \"Problem solving \u{10000}\"", 1);
    assert_ne!(json, example::EXAMPLE_JSON, "the example has a concept named Problem solving");
    std::fs::write(&map, json).unwrap();
    let out = dir.path().join("figure.svg");
    let (code, stdout, stderr) = run(&["export", map.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("warning"), "warnings go to standard error: {stdout}");
    assert!(stderr.contains("warning: no bundled font has \u{10000} (U+10000)"), "{stderr}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("@font-face{font-family:'Ubuntu Light'"), "the SVG carries its font");
    assert!(svg.contains("<text"), "and keeps real text");

    let (code, _, stderr) = run(&["export", map.to_str().unwrap(), "-o", out.to_str().unwrap(), "--text-as-outlines"]);
    assert_eq!(code, 0, "{stderr}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(!svg.contains("<text") && !svg.contains("@font-face"), "outlines only");
    assert!(svg.matches("<path").count() > 100, "the text became paths");

    // A map every font covers says nothing.
    std::fs::write(&map, example::EXAMPLE_JSON).unwrap();
    let (code, _, stderr) = run(&["export", map.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn export_at_a_journal_width_or_on_a_page_reports_its_size_and_smallest_text() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.qualmap");
    std::fs::write(&map, example::EXAMPLE_JSON).unwrap();
    let map = map.to_str().unwrap();
    let out = dir.path().join("figure.pdf");
    let out = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&["export", map, "-o", out, "--width", "174mm"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("174.0 × ") && stdout.contains("smallest text 6."), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    // One column is too dense for 6 pt: written all the same, with a warning that says why.
    let (code, stdout, stderr) = run(&["export", map, "-o", out, "--width", "single"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("84.0 × "), "{stdout}");
    assert!(stderr.contains("warning: the map is too dense for 6 pt text"), "{stderr}");
    let (code, stdout, _) = run(&["export", map, "-o", out, "--page", "letter-portrait", "--caption"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("215.9 × 279.4 mm"), "{stdout}");
    for (args, wanted) in [
        (&["--width", "84 furlongs"][..], "unknown unit"),
        (&["--width", "0mm"][..], "out of range"),
        (&["--page", "a3"][..], "unknown paper"),
        (&["--page", "a4", "--width", "single"][..], "give one"),
        (&["--min-text", "200"][..], "--min-text"),
        (&["--margin", "lots"][..], "--margin"),
    ] {
        let mut all = vec!["export", map, "-o", out];
        all.extend_from_slice(args);
        let (code, _, stderr) = run(&all);
        assert_eq!(code, 1, "{args:?}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
    }
    let (code, stdout, stderr) = run(&["export", map, "--presentation", "-o", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("5 pages, A4 landscape"), "{stdout}");
    // `--story` is the option's name; `--presentation` (above) its former one.
    let (code, stdout, stderr) = run(&["export", map, "--story", "-o", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("5 pages, A4 landscape"), "{stdout}");
}

/// `qualmap paths`, `loops` and `measures` on the example: the paths a researcher asks for
/// (Problem solving to Personal well-being), the CSV's header, and errors that name the label.
#[test]
fn paths_loops_and_measures_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("example.qualmap");
    let map = map.to_str().unwrap();
    assert_eq!(run(&["example", "-o", map]).0, 0);
    let (code, stdout, stderr) = run(&["paths", map, "--from", "Problem solving", "--to", "Personal well-being"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Problem solving -> Personal well-being\n");
    let (code, stdout, _) =
        run(&["paths", map, "--from", "problem solving", "--to", "Personal well-being", "--max-length", "3"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() > 1 && lines[0] == "Problem solving -> Personal well-being", "{stdout}");
    assert!(lines.windows(2).all(|w| w[0].matches(" -> ").count() <= w[1].matches(" -> ").count()), "shortest first");
    let (code, _, stderr) = run(&["paths", map, "--from", "Nothing like it", "--to", "Coping"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--from") && stderr.contains("Nothing like it"), "{stderr}");
    let (code, stdout, _) = run(&["measures", map, "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("id,label,in_degree,out_degree,betweenness,"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1 + 19, "a row per concept");
    assert!(stdout.contains(",Problem solving,0,3,"), "{stdout}");
    let (code, stdout, _) = run(&["loops", map]);
    assert_eq!((code, stdout.as_str()), (0, ""), "the example has no loop of one-way relationships");
}
