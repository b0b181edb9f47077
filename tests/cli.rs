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
        ("future.qualmap", example::EXAMPLE_JSON.replacen("\"version\": 1", "\"version\": 2", 1), "newer Qualmap"),
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
